// Records write-behind decisions from a worker thread with its own PostgreSQL pool: the event loop only posts a message.
import { Worker } from 'node:worker_threads';
import type { Customer, Decision } from '../model/index.js';
import type { Config } from '../config.js';
import type { Logger } from '../runtime/logger.js';

/** One screening to record (ReviewService.recordScreenings' item). */
export interface ScreeningItem {
  customer: Customer;
  decision: Decision;
  actor: string;
}

/** What the thread is started with. */
export interface WriterSetup {
  url: string;
  poolSize: number;
  connectTimeoutMs: number;
  nice: number;
}

/** The thread's first message: started, and the nice value it runs at (`null` where it could not set one). */
export type WriterReady = { ready: true; nice: number | null };

/** A call the thread answers (by `id`). */
type WriterCall = { op: 'recordScreenings'; items: ScreeningItem[] } | { op: 'getScreening'; screeningId: string };
export type WriterRequest = (WriterCall & { id: number }) | { op: 'close' };
export type WriterReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string; code?: string };

/** Tuning of the writer thread. */
export interface ThreadedWriterOptions {
  /** Connections of the thread's own pool. @defaultValue 2 */
  poolSize?: number;
  /** Connect timeout per attempt, ms. @defaultValue 3000 */
  connectTimeoutMs?: number;
  /**
   * Nice value (0–19) the thread lowers its own CPU priority to, so that recording yields the CPU to request handling
   * (Linux: per thread, the event loop keeps its priority). 0 leaves it as is. A starved writer is bounded by the
   * recorder's buffer: past it, screenings hold. @defaultValue 10
   */
  nice?: number;
}

/** A write the thread failed (its message and, when it had one, the error code). */
export class WriterError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'WriterError';
  }
}

type Waiter = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** One started thread and the calls it has in hand (each thread its own: a dead one fails only its own calls). */
interface Thread {
  worker: Worker;
  waiting: Map<number, Waiter>;
}

/**
 * `recordScreenings` / `getScreening` of ReviewService, run in a worker thread on `url` (PostgreSQL only: PGlite
 * belongs to one thread). A thread that dies fails the calls it had in hand (the DecisionRecorder keeps and retries
 * them); the next call starts a new one. A thread holds the process open only while it has a call in hand.
 */
export class ThreadedScreeningWriter {
  readonly #setup: WriterSetup;
  readonly #logger: Logger;
  #thread: Promise<Thread> | undefined;
  #nextId = 1;
  #closed = false;

  constructor(url: string, logger: Logger, opts: ThreadedWriterOptions = {}) {
    this.#setup = { url, poolSize: opts.poolSize ?? 2, connectTimeoutMs: opts.connectTimeoutMs ?? 3000, nice: opts.nice ?? 10 };
    this.#logger = logger;
  }

  /** Records many screenings in one transaction (idempotent per screeningId). */
  recordScreenings(items: readonly ScreeningItem[]): Promise<{ recorded: number }> {
    return this.#call({ op: 'recordScreenings', items: [...items] }) as Promise<{ recorded: number }>;
  }

  getScreening(screeningId: string): Promise<Decision | undefined> {
    return this.#call({ op: 'getScreening', screeningId }) as Promise<Decision | undefined>;
  }

  /** Ends the thread once the calls in hand are answered (at most 5 s); later calls reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const started = this.#thread;
    this.#thread = undefined;
    const thread = await started?.catch(() => undefined);
    if (!thread) return;
    const { worker, waiting } = thread;
    worker.ref();
    const deadline = Date.now() + 5000;
    while (waiting.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage({ op: 'close' } satisfies WriterRequest);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, Math.max(100, deadline - Date.now())).unref())]);
    await worker.terminate();
  }

  async #call(request: WriterCall): Promise<unknown> {
    if (this.#closed) throw new WriterError('the decision writer is closed');
    const { worker, waiting } = await (this.#thread ??= this.#spawn());
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      if (waiting.size === 1) worker.ref();
      worker.postMessage({ ...request, id } satisfies WriterRequest);
    });
  }

  #spawn(): Promise<Thread> {
    const worker = new Worker(new URL('./recorder-thread-entry.mjs', import.meta.url), { workerData: this.#setup });
    worker.unref();
    const thread: Thread = { worker, waiting: new Map() };
    const started = new Promise<Thread>((resolve, reject) => {
      const fail = (err: Error) => {
        if (this.#thread === started) this.#thread = undefined;
        for (const w of thread.waiting.values()) w.reject(err);
        thread.waiting.clear();
        reject(err);
      };
      worker.on('message', (msg: WriterReply | WriterReady) => {
        if ('ready' in msg) {
          if (this.#setup.nice > 0 && msg.nice === null) this.#logger.warn({ nice: this.#setup.nice }, 'the decision writer thread could not lower its CPU priority; it runs at the process priority');
          return resolve(thread);
        }
        const waiter = thread.waiting.get(msg.id);
        thread.waiting.delete(msg.id);
        if (thread.waiting.size === 0) worker.unref();
        if (!waiter) return;
        if (msg.ok) waiter.resolve(msg.result);
        else waiter.reject(new WriterError(msg.message, msg.code));
      });
      worker.on('error', (err) => {
        this.#logger.error({ err }, 'the decision writer thread failed; the next write starts a new one');
        fail(err);
      });
      worker.on('exit', (code) => {
        if (!this.#closed) this.#logger.warn({ code }, 'the decision writer thread exited');
        fail(new WriterError(`the decision writer thread exited (code ${code})`));
      });
    });
    started.catch(() => {});
    return started;
  }
}

/**
 * The store write-behind allows go to: a writer thread on the database's PostgreSQL URL (at KYCGATE_RECORDER_NICE)
 * when KYCGATE_RECORDER_THREAD is on, else `review` itself (PGlite, or the thread turned off). `close` ends the thread
 * (a no-op without one).
 */
export function decisionStore<R extends object>(
  db: { url?: string },
  review: R,
  config: Pick<Config, 'KYCGATE_RECORDER_THREAD' | 'KYCGATE_RECORDER_NICE'>,
  logger: Logger,
): { store: R | ThreadedScreeningWriter; close: () => Promise<void> } {
  if (!config.KYCGATE_RECORDER_THREAD || !db.url) return { store: review, close: async () => {} };
  const writer = new ThreadedScreeningWriter(db.url, logger, { nice: config.KYCGATE_RECORDER_NICE });
  return { store: writer, close: () => writer.close() };
}
