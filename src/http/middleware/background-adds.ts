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
  /** Above this many additions not yet acknowledged, `healthy` is false. @defaultValue 1000 */
  maxPending?: number;
}

type Queued = SumAddition & { retries: number };
/** An addition's outcome: landed (`true`, or with its sum), or the error it met. */
type Result = true | { windowOps: number } | Error | undefined;

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/**
 * Adds requests to the training sums off the request path, for decisions the sum cannot change. Additions made
 * within `batchMs` go in one round trip: with the aggregator's `addBatch`, one script call that adds them all without
 * reading any sum (else `add` one by one). A failed addition is retried until it lands
 * (the aggregator counts a request id once, so a retry after a lost answer never counts it twice). After a failed
 * round trip, until one succeeds, `healthy` is false: the screener then waits for every sum again, and so holds
 * while Redis fails, as it did before any addition went to the background. A waited-for addition (`addNow`) takes
 * every addition still waiting here into its own round trip, ahead of it: no sum is read without them. `close`
 * drains; a crash loses what waits here (at most `batchMs` of additions while Redis answers).
 */
export class BackgroundAdds {
  readonly #aggregator: AggregatorPort;
  readonly #logger: Logger;
  readonly #opts: Required<BackgroundAddOptions>;
  #queue: Queued[] = [];
  /** Failed additions waiting for their retry, with the retry's timer. */
  readonly #delayed = new Map<Queued, NodeJS.Timeout>();
  #timer: NodeJS.Timeout | undefined;
  #pending = 0;
  #failing = false;
  #closed = false;

  constructor(aggregator: AggregatorPort, logger: Logger, opts: BackgroundAddOptions = {}) {
    this.#aggregator = aggregator;
    this.#logger = logger;
    this.#opts = { batchMs: 25, maxBatch: 500, retryDelaysMs: [1000, 5000, 30_000], maxPending: 1000, ...opts };
  }

  /** Additions not yet acknowledged by Redis (waiting, sent, or waiting for a retry). */
  get pending(): number {
    return this.#pending;
  }

  /** False after a failed round trip (until one succeeds), over `maxPending`, or once closed. */
  get healthy(): boolean {
    return !this.#failing && !this.#closed && this.#pending < this.#opts.maxPending;
  }

  /** Queues an addition for the next batch. */
  add(addition: SumAddition): void {
    this.#pending += 1;
    this.#queue.push({ ...addition, retries: 0 });
    this.#schedule(this.#opts.batchMs);
  }

  /**
   * Adds one request and resolves with its groups' window sum. Every addition waiting here (queued or waiting for a
   * retry) goes first in the same pipeline, so the sum includes them. Rejects when this one fails.
   */
  async addNow(addition: SumAddition): Promise<{ windowOps: number }> {
    const waiting = this.#takeWaiting(Number.POSITIVE_INFINITY);
    if (waiting.length === 0) return this.#aggregator.add(addition.groupKeys, addition.ops, addition.at, addition.requestId);
    const { added, last: own } = await this.#send(waiting, addition);
    this.#settle(waiting, added);
    if (own === undefined || own === true || own instanceof Error) throw own instanceof Error ? own : new Error('no answer for the training sum');
    return own;
  }

  /** Sends what waits (retries too, at once) and waits until nothing is pending, at most `timeoutMs`. */
  async close(timeoutMs = 5000): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const deadline = Date.now() + timeoutMs;
    while (this.#pending > 0 && Date.now() < deadline) {
      const batch = this.#takeWaiting(this.#opts.maxBatch);
      if (batch.length > 0) this.#settle(batch, (await this.#send(batch)).added);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const timer of this.#delayed.values()) clearTimeout(timer);
    if (this.#pending > 0) this.#logger.error({ pending: this.#pending }, 'shutting down with training requests not added to their sums; later sums miss them');
  }

  /** Takes up to `max` waiting additions: the queue first, then those waiting for a retry (their timers cancelled). */
  #takeWaiting(max: number): Queued[] {
    const taken = this.#queue.splice(0, max);
    for (const [it, timer] of this.#delayed) {
      if (taken.length >= max) break;
      clearTimeout(timer);
      this.#delayed.delete(it);
      taken.push(it);
    }
    return taken;
  }

  #schedule(ms: number): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, ms);
    this.#timer.unref();
  }

  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0, this.#opts.maxBatch);
    if (this.#queue.length > 0) this.#schedule(0);
    if (batch.length > 0) this.#settle(batch, (await this.#send(batch)).added);
  }

  /** Counts what landed; a failed addition waits for its retry (an invalid one, a RangeError, is dropped). */
  #settle(batch: readonly Queued[], results: readonly Result[]): void {
    let failed = 0;
    let landed = 0;
    batch.forEach((it, i) => {
      const r = results[i];
      if (r !== undefined && !(r instanceof Error)) {
        this.#pending -= 1;
        landed += 1;
        return;
      }
      if (r instanceof RangeError) {
        this.#pending -= 1;
        this.#logger.error({ err: r.message, requestId: it.requestId }, 'a training request could not be added to its sum (invalid operations); later sums miss it');
        return;
      }
      failed += 1;
      const delays = this.#opts.retryDelaysMs;
      const delay = delays[Math.min(it.retries, delays.length - 1)] ?? 1000;
      it.retries += 1;
      const timer = setTimeout(() => {
        this.#delayed.delete(it);
        this.#queue.push(it);
        this.#schedule(0);
      }, delay);
      timer.unref();
      this.#delayed.set(it, timer);
    });
    if (failed > 0) {
      this.#failing = true;
      const firstError = results.find((r) => r instanceof Error && !(r instanceof RangeError));
      const attempts = Math.max(...batch.map((it) => it.retries));
      this.#logger[attempts > 3 ? 'error' : 'warn']({ err: String(firstError), count: failed, attempts, pending: this.#pending }, 'adding training requests to their sums failed; retrying');
    } else if (landed > 0 && this.#failing) {
      this.#failing = false;
      this.#logger.warn('adding training requests to their sums recovered');
    }
  }

  /** Sends `batch` (sums not read), then `last` (its sum read) in the same round trip, through the best the aggregator offers. */
  async #send(batch: readonly Queued[], last?: SumAddition): Promise<{ added: Result[]; last?: Result }> {
    const aggregator = this.#aggregator;
    const failAll = (err: unknown) => ({ added: batch.map(() => asError(err)), last: asError(err) });
    if (aggregator.addBatch) return aggregator.addBatch(batch, last).catch(failAll);
    const items = last ? [...batch, last] : batch;
    const results = await Promise.all(items.map((it) => aggregator.add(it.groupKeys, it.ops, it.at, it.requestId).catch(asError)));
    return { added: results.slice(0, batch.length), ...(last ? { last: results[batch.length] } : {}) };
  }
}

const shared = new WeakMap<AggregatorPort, BackgroundAdds>();

/** The one BackgroundAdds of an aggregator (every screener on it shares it, so `addNow` sees all their additions). */
export function backgroundAddsFor(aggregator: AggregatorPort, logger: Logger): BackgroundAdds {
  let adds = shared.get(aggregator);
  if (!adds) shared.set(aggregator, (adds = new BackgroundAdds(aggregator, logger)));
  return adds;
}

/** Drains the aggregator's background additions, if it has any (shutdown, before its Redis connection closes). */
export async function drainBackgroundAdds(aggregator: AggregatorPort, timeoutMs = 5000): Promise<void> {
  await shared.get(aggregator)?.close(timeoutMs);
}
