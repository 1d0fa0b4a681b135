// Write-behind persistence of allow decisions: answered at once, written to the database in small batches.
import type { Customer, Decision } from '../../model/index.js';
import type { Logger } from '../../runtime/logger.js';
import type { ReviewPort } from './ports.js';

/** Tuning of the write-behind buffer. */
export interface RecorderOptions {
  /** How long a decision may wait before its batch is written, ms. @defaultValue 100 */
  flushIntervalMs?: number;
  /** Writes in flight at once. @defaultValue 4 */
  concurrency?: number;
  /** Above this many unwritten decisions the recorder reports unhealthy (screenings then hold). @defaultValue 5000 */
  maxBuffered?: number;
  /** Wait before retrying after a failed write, ms. @defaultValue 1000 */
  retryMs?: number;
  /** Decisions per `recordScreenings` call when the review service has that batch method. @defaultValue 100 */
  batchSize?: number;
}

/** Records many screenings in one transaction, idempotent per screeningId. */
type RecordBatch = (items: { customer: Customer; decision: Decision; actor: string }[]) => Promise<unknown>;

/**
 * Where the recorder writes: a review service (one screening per call, or a batch when it has `recordScreenings`),
 * or a batch writer alone (ThreadedScreeningWriter).
 */
export type RecorderStore = (Pick<ReviewPort, 'recordScreening' | 'getScreening'> & { recordScreenings?: RecordBatch }) | { recordScreenings: RecordBatch };

interface Item {
  customer: Customer;
  decision: Decision;
  actor: string;
  attempts: number;
}

/**
 * Buffers decisions and writes them off the request path (in batches when the store records batches).
 * A failed write keeps the item, marks the recorder unhealthy (so new screenings hold instead of
 * allowing unrecorded) and retries; the next successful write makes it healthy again. A crash loses
 * at most the buffered items (≤ one flush interval in normal operation); `close()` drains.
 */
export class DecisionRecorder {
  readonly #store: RecorderStore;
  readonly #logger: Logger;
  readonly #opts: Required<RecorderOptions>;
  readonly #buffer = new Map<string, Item>();
  readonly #inflight = new Map<string, Decision>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #failing = false;
  #closed = false;
  #onBuffered: ((n: number) => void) | undefined;

  constructor(store: RecorderStore, logger: Logger, opts: RecorderOptions = {}, onBuffered?: (n: number) => void) {
    this.#store = store;
    this.#logger = logger;
    this.#opts = { flushIntervalMs: 100, concurrency: 4, maxBuffered: 5000, retryMs: 1000, batchSize: 100, ...opts };
    this.#onBuffered = onBuffered;
  }

  /** False after a failed write (until one succeeds) or when the buffer is over its bound. */
  get healthy(): boolean {
    return !this.#failing && this.#buffer.size < this.#opts.maxBuffered;
  }

  get buffered(): number {
    return this.#buffer.size;
  }

  /** A decision answered but not yet written, by screening id. */
  pending(screeningId: string): Decision | undefined {
    return this.#buffer.get(screeningId)?.decision ?? this.#inflight.get(screeningId);
  }

  /**
   * Follows a write already under way (a slow review/deny write the screening stopped waiting for):
   * readable through `pending()` until it settles; if it fails, the decision is queued for retry.
   */
  track(customer: Customer, decision: Decision, actor: string, write: Promise<unknown>): void {
    this.#inflight.set(decision.screeningId, decision);
    write.then(
      () => this.#inflight.delete(decision.screeningId),
      () => {
        this.#inflight.delete(decision.screeningId);
        this.enqueue(customer, decision, actor);
      },
    );
  }

  /** Queues a decision for writing. */
  enqueue(customer: Customer, decision: Decision, actor: string): void {
    this.#buffer.set(decision.screeningId, { customer, decision, actor, attempts: 0 });
    this.#onBuffered?.(this.#buffer.size);
    this.#schedule(this.#failing ? this.#opts.retryMs : this.#opts.flushIntervalMs);
  }

  #schedule(ms: number): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, ms);
    this.#timer.unref();
  }

  /** Writes everything buffered now; resolves when this round is done (failures stay buffered). */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    this.#flushing = this.#flushRound().finally(() => {
      this.#flushing = undefined;
      this.#onBuffered?.(this.#buffer.size);
      if (this.#buffer.size > 0 && !this.#closed) this.#schedule(this.#failing ? this.#opts.retryMs : this.#opts.flushIntervalMs);
    });
    return this.#flushing;
  }

  async #flushRound(): Promise<void> {
    const items = [...this.#buffer.values()];
    let failed = 0;
    const store = this.#store;
    const batch = store.recordScreenings;
    if (typeof batch === 'function') {
      // one transaction per chunk when the review service offers it
      for (let i = 0; i < items.length; i += this.#opts.batchSize) {
        const chunk = items.slice(i, i + this.#opts.batchSize);
        try {
          await batch.call(store, chunk.map((it) => ({ customer: it.customer, decision: it.decision, actor: it.actor })));
          for (const it of chunk) this.#buffer.delete(it.decision.screeningId);
        } catch (err) {
          failed += chunk.length;
          for (const it of chunk) it.attempts += 1;
          this.#logger.error({ err, count: chunk.length }, 'recording a batch of decisions failed; will retry');
        }
      }
      this.#settle(failed);
      return;
    }
    if (!('recordScreening' in store)) return;
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const item = items[next++]!;
        try {
          if (item.attempts > 0 && (await store.getScreening(item.decision.screeningId))) {
            // an earlier attempt committed after timing out: nothing to do
          } else {
            await store.recordScreening(item.customer, item.decision, item.actor);
          }
          this.#buffer.delete(item.decision.screeningId);
        } catch (err) {
          item.attempts += 1;
          failed += 1;
          if (item.attempts === 1 || item.attempts % 30 === 0) {
            this.#logger.error({ err, screeningId: item.decision.screeningId, attempts: item.attempts }, 'recording a decision failed; will retry');
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#opts.concurrency, items.length) }, worker));
    this.#settle(failed);
  }

  #settle(failed: number): void {
    const wasFailing = this.#failing;
    this.#failing = failed > 0;
    if (wasFailing && !this.#failing) this.#logger.warn('decision recording recovered');
  }

  /** Stops the timer and drains, giving up after `timeoutMs` (what is left is logged by screening id). */
  async close(timeoutMs = 5000): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const deadline = Date.now() + timeoutMs;
    while (this.#buffer.size > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.#buffer.size > 0) await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, deadline - Date.now()))));
    }
    if (this.#buffer.size > 0) {
      this.#logger.error({ screeningIds: [...this.#buffer.keys()] }, 'shutting down with unrecorded decisions');
    }
  }
}
