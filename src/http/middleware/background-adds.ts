// Training-sum additions nobody waits for: batched into one Redis round trip, retried until they land (idempotent per request id).
import type { Logger } from '../../runtime/logger.js';
import type { AggregatorPort } from './ports.js';

/** One addition: a request's operations in its groups. */
export interface SumAddition {
  groupKeys: string[];
  ops: number;
  at: Date;
  requestId: string;
}

/** Tuning of the background additions. */
export interface BackgroundAddOptions {
  /** How long an addition may wait for others to share its round trip, ms. @defaultValue 25 */
  batchMs?: number;
  /** Most additions per round trip. @defaultValue 500 */
  maxBatch?: number;
  /** Waits before the retries of a failed addition, ms; the last one repeats until the addition lands. @defaultValue [1000, 5000, 30000] */
  retryDelaysMs?: readonly number[];
  /** Above this many additions not yet acknowledged, `healthy` is false (the screener then waits for the sum again). @defaultValue 10000 */
  maxPending?: number;
}

type Queued = SumAddition & { retries: number };

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/**
 * Adds requests to the training sums off the request path, for decisions the sum cannot change. Additions made
 * within `batchMs` go in one pipeline (one write, not one per request). A failed addition is retried until it lands
 * (the aggregator counts a request id once, so a retry after a lost answer never counts it twice); while too many
 * are unacknowledged, `healthy` turns false. A process that stops while additions wait or are being retried loses
 * them (as the write-behind buffer loses what it holds).
 */
export class BackgroundAdds {
  readonly #aggregator: AggregatorPort;
  readonly #logger: Logger;
  readonly #opts: Required<BackgroundAddOptions>;
  #queue: Queued[] = [];
  #timer: NodeJS.Timeout | undefined;
  #pending = 0;

  constructor(aggregator: AggregatorPort, logger: Logger, opts: BackgroundAddOptions = {}) {
    this.#aggregator = aggregator;
    this.#logger = logger;
    this.#opts = { batchMs: 25, maxBatch: 500, retryDelaysMs: [1000, 5000, 30_000], maxPending: 10_000, ...opts };
  }

  /** Additions not yet acknowledged by Redis (waiting, sent, or waiting for a retry). */
  get pending(): number {
    return this.#pending;
  }

  /** False while more than `maxPending` additions are unacknowledged (Redis failing for a while). */
  get healthy(): boolean {
    return this.#pending < this.#opts.maxPending;
  }

  add(addition: SumAddition): void {
    this.#pending += 1;
    this.#queue.push({ ...addition, retries: 0 });
    this.#schedule(this.#opts.batchMs);
  }

  #schedule(ms: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, ms);
    this.#timer.unref();
  }

  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0, this.#opts.maxBatch);
    if (this.#queue.length > 0) this.#schedule(0);
    if (batch.length === 0) return;
    const results = await this.#send(batch);
    const failed: Queued[] = [];
    batch.forEach((it, i) => {
      const r = results[i];
      if (r !== undefined && !(r instanceof Error)) {
        this.#pending -= 1;
        return;
      }
      if (r instanceof RangeError) {
        // the addition itself is invalid (non-finite operations): no retry can fix it
        this.#pending -= 1;
        this.#logger.error({ err: r.message, requestId: it.requestId }, 'a training request could not be added to its sum (invalid operations); later sums miss it');
        return;
      }
      const delays = this.#opts.retryDelaysMs;
      const delay = delays[Math.min(it.retries, delays.length - 1)] ?? 1000;
      it.retries += 1;
      failed.push(it);
      setTimeout(() => {
        this.#queue.push(it);
        this.#schedule(0);
      }, delay).unref();
    });
    if (failed.length > 0) {
      const firstError = results.find((r) => r instanceof Error);
      const attempts = Math.max(...failed.map((it) => it.retries));
      const log = attempts > 3 ? 'error' : 'warn';
      this.#logger[log]({ err: String(firstError), count: failed.length, attempts, pending: this.#pending }, 'adding training requests to their sums failed; retrying');
    }
  }

  async #send(batch: readonly Queued[]): Promise<({ windowOps: number } | Error | undefined)[]> {
    const aggregator = this.#aggregator;
    if (aggregator.addMany) return aggregator.addMany(batch).catch((err: unknown) => batch.map(() => asError(err)));
    return Promise.all(batch.map((it) => aggregator.add(it.groupKeys, it.ops, it.at, it.requestId).catch(asError)));
  }
}
