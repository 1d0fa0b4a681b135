// `kycgate screen`: NDJSON customers in, NDJSON decisions out, in order, streaming, in-process (no Redis, no database).
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { loadConfig } from '../config.js';
import { isKycError, KycError } from '../errors.js';
import type { Decision, ErrorRecord, Outcome } from '../model/index.js';
import { createLogger } from '../runtime/logger.js';
import { loadPolicyPack } from '../runtime/policy-runtime.js';
import { ScreeningEngine } from '../runtime/screening-engine.js';

export interface ScreenCommandOptions {
  /** NDJSON customers. @defaultValue stdin */
  input?: string;
  /** NDJSON decisions. @defaultValue stdout */
  output?: string;
  /** Policy pack. @defaultValue config.KYCGATE_POLICY */
  policy?: string;
  /** Decision date (ISO 8601). @defaultValue the current time, per record */
  date?: string;
}

const FLUSH_BYTES = 64 * 1024;
/** Output waits at most this long for more lines before it is written. */
const IDLE_FLUSH_MS = 20;

type CommandLogger = ReturnType<typeof createLogger>;

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
  readonly #logger: CommandLogger;
  readonly #what: string;

  constructor(output: Writable, logger: CommandLogger, what = 'records') {
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

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime())) {
    throw new KycError('KYC_ERR_INPUT_INVALID', `--date ${JSON.stringify(value)} is not an ISO 8601 date (e.g. 2025-01-15 or 2026-11-10T00:00:00Z)`);
  }
  return d;
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

/**
 * Screens every line; a bad (or blank) line yields an error record and the rest go on. Exit code 0 once the input is
 * consumed or the reader went away (EPIPE); 1 when the decisions could not be written.
 */
export async function run(opts: ScreenCommandOptions): Promise<number> {
  const t0 = performance.now();
  const config = loadConfig();
  const logger = createLogger(config.KYCGATE_LOG_LEVEL, { command: 'screen' });
  const date = parseDate(opts.date);
  const pack = loadPolicyPack(opts.policy ?? config.KYCGATE_POLICY); // fail before loading lists
  const engine = await ScreeningEngine.start(config, logger);
  if (!engine.ready) throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', 'no list snapshot is loaded: set KYCGATE_SEED_DIR or run `kycgate lists import <dir>`');
  const startMs = performance.now() - t0;

  const input = opts.input ? createReadStream(opts.input) : process.stdin;
  const output: Writable = opts.output ? createWriteStream(opts.output) : process.stdout;
  const writer = new RecordWriter(output, logger, 'decisions');

  const counts: Record<Outcome | 'error', number> = { allow: 0, review: 0, deny: 0, error: 0 };
  const now = () => date ?? new Date();
  /** One input line → its decision or error record. */
  const screenLine = (text: string, line: number): Decision | ErrorRecord => {
    // one output line per input line: a blank line is a bad line too (a final newline ends the last line, it is not one)
    if (!text.trim()) return emptyLine(line);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return { id: null, line, error: { code: 'KYC_ERR_INPUT_JSON', message: `line ${line}: ${(err as Error).message}` } };
    }
    try {
      const decision = engine.screen(parsed, { policy: pack.id, now: now() });
      counts[decision.outcome]++;
      return decision;
    } catch (err) {
      if (!isKycError(err)) logger.error({ err, line }, 'unexpected error while screening a line');
      return { id: idOf(parsed), line, error: { code: isKycError(err) ? err.code : 'KYC_ERR_INTERNAL', message: (err as Error).message } };
    }
  };
  let line = 0;
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const text of lines) {
    line++;
    const record = screenLine(text, line);
    if ('error' in record) counts.error++;
    await writer.push(record);
    if (writer.closed) break;
  }
  const exitCode = await writer.close(opts.output !== undefined);
  const totalMs = performance.now() - t0;
  logger.info(
    { policy: pack.id, date: date?.toISOString(), lines: line, ...counts, startMs: Math.round(startMs), totalMs: Math.round(totalMs), snapshot: engine.snapshot?.id },
    'screening finished',
  );
  return exitCode;
}
