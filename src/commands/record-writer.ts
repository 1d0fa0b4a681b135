// NDJSON output of the CLI commands: batched writes that stop quietly on EPIPE and fail the command on any other write error.
import type { Writable } from 'node:stream';
import type { ErrorRecord } from '../model/index.js';
import type { Logger } from '../runtime/logger.js';

/** Output is written in chunks of about this many bytes. */
const FLUSH_BYTES = 64 * 1024;
/** Output waits at most this long for more lines before it is written. */
const IDLE_FLUSH_MS = 20;

/**
 * Writes NDJSON records to a stream in batches (and after IDLE_FLUSH_MS, so a waiting producer gets its answers).
 * When the reader goes away (EPIPE, e.g. `| head`) it stops quietly: `closed`, no error. Any other write error
 * (disk full, bad --output path, …) is logged once, stops the writer and is kept in `error`: the command exits non-zero.
 */
export class RecordWriter {
  #buffer = '';
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #error: NodeJS.ErrnoException | undefined;
  readonly #output: Writable;
  readonly #logger: Logger;
  readonly #what: string;

  constructor(output: Writable, logger: Logger, what = 'records') {
    this.#output = output;
    this.#logger = logger;
    this.#what = what;
    output.on('error', (err: NodeJS.ErrnoException) => this.#fail(err));
  }

  /** True once the output is gone (EPIPE) or failed: stop producing. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The write error that is not EPIPE, if one happened. */
  get error(): NodeJS.ErrnoException | undefined {
    return this.#error;
  }

  #fail(err: NodeJS.ErrnoException): void {
    this.#closed = true;
    this.#buffer = '';
    if (err.code === 'EPIPE' || this.#error) return;
    this.#error = err;
    this.#logger.error({ err: { code: err.code, message: err.message } }, `cannot write ${this.#what}`);
    process.exitCode = 1; // also when the error surfaces after the command returned
  }

  /** Resolves once the stream can take more (drain), or is gone. */
  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#output.off('drain', done).off('close', done).off('error', done);
        resolve();
      };
      this.#output.on('drain', done).on('close', done).on('error', done);
    });
  }

  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#buffer || this.#closed) return;
    const chunk = this.#buffer;
    this.#buffer = '';
    try {
      if (!this.#output.write(chunk)) await this.#drained();
    } catch (err) {
      this.#fail(err as NodeJS.ErrnoException);
    }
  }

  /** Queues one record (one line). */
  async push(record: unknown): Promise<void> {
    if (this.#closed) return;
    this.#buffer += `${JSON.stringify(record)}\n`;
    if (this.#buffer.length >= FLUSH_BYTES) await this.flush();
    else
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, IDLE_FLUSH_MS);
  }

  /**
   * Writes what is left and waits until the stream has taken it (a file stream is ended first), so a failing last
   * write is seen before the command returns. Returns the exit code: 0, or 1 after a write error other than EPIPE.
   */
  async close(end: boolean): Promise<number> {
    await this.flush();
    if (!this.#closed && !this.#output.destroyed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#output.off('error', done);
          resolve();
        };
        this.#output.on('error', done);
        try {
          if (end) this.#output.end(done);
          else this.#output.write('', done);
        } catch (err) {
          this.#fail(err as NodeJS.ErrnoException);
          done();
        }
      });
    }
    return this.#error ? 1 : 0;
  }
}

/** The error record of a blank input line. */
export function emptyLine(line: number): ErrorRecord {
  return { id: null, line, error: { code: 'KYC_ERR_INPUT_INVALID', message: 'empty line' } };
}

/** The `id` of a parsed input line (string or number, as a string), or null. */
export function idOf(value: unknown): string | null {
  if (value && typeof value === 'object' && 'id' in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return String(id);
  }
  return null;
}

