// The screening slow path on BullMQ: enqueue, wait up to the budget via QueueEvents, and the processor workers run.
import { Queue, QueueEvents, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { KycError, isKycError } from '../errors.js';
import type { Decision } from '../model/index.js';
import type { Logger } from '../runtime/logger.js';
import { connectRedis } from '../runtime/redis.js';
import type {
  AggregatorPort,
  ReviewPort,
  ScreeningEnginePort,
  ScreeningQueuePort,
  ScreenJobData,
  ScreenJobResult,
  SubmitResult,
} from '../http/middleware/ports.js';
import { countsAsTraining } from '../http/middleware/screener.js';
import { QUEUE_NAMES } from './names.js';
import { withTimeout } from './with-timeout.js';

export type { ScreenJobData, ScreenJobResult } from '../http/middleware/ports.js';

/** Options of the screening queue producer. */
export interface ScreeningQueueOptions {
  /** Redis URL. */
  url: string;
  /** BullMQ key prefix (hash-tagged). @defaultValue '{kycgate}' */
  prefix?: string;
  /** Queue name. @defaultValue 'screen' */
  name?: string;
  logger: Logger;
  /** Attempts per job before it lands in the failed set. @defaultValue 3 */
  attempts?: number;
  /** Bound on enqueue when Redis never answers, ms (used when the caller's wait is shorter it is the wait). @defaultValue 1000 */
  enqueueTimeoutMs?: number;
}

const isTimeout = (err: unknown) => err instanceof Error && /timed out before finishing/.test(err.message);

/**
 * Producer side of the `screen` queue. The producer connection is fail-fast (no offline queue), so
 * an enqueue while Redis is down fails at once; `healthy` reads the connection state without a
 * round trip. Job id = screening id, so a resubmission is a no-op.
 */
export class ScreeningQueue implements ScreeningQueuePort {
  readonly queue: Queue<ScreenJobData, ScreenJobResult>;
  readonly events: QueueEvents;
  readonly #conn: Redis;
  readonly #eventsConn: Redis;
  readonly #logger: Logger;
  readonly #attempts: number;
  readonly #enqueueTimeoutMs: number;
  #lastErrorLog = 0;

  constructor(opts: ScreeningQueueOptions) {
    const prefix = opts.prefix ?? '{kycgate}';
    const name = opts.name ?? QUEUE_NAMES.screen;
    this.#logger = opts.logger;
    this.#attempts = opts.attempts ?? 3;
    this.#enqueueTimeoutMs = opts.enqueueTimeoutMs ?? 1000;
    this.#conn = connectRedis(opts.url, { failFast: true, name: 'kycgate-screen-producer' });
    this.#eventsConn = connectRedis(opts.url, { name: 'kycgate-screen-events' });
    const onError = (err: unknown) => this.#logError(err);
    this.#conn.on('error', onError);
    this.#eventsConn.on('error', onError);
    this.queue = new Queue<ScreenJobData, ScreenJobResult>(name, { connection: this.#conn, prefix });
    this.queue.on('error', onError);
    this.events = new QueueEvents(name, { connection: this.#eventsConn, prefix });
    this.events.on('error', onError);
  }

  #logError(err: unknown): void {
    const now = Date.now();
    if (now - this.#lastErrorLog < 10_000) return;
    this.#lastErrorLog = now;
    this.#logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'screening queue: Redis error');
  }

  /** Resolves once both connections are ready (call at start-up; not needed per request). */
  async ready(timeoutMs = 5000): Promise<void> {
    await withTimeout(Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]), timeoutMs, 'screening queue start');
  }

  get healthy(): boolean {
    return this.#conn.status === 'ready' && this.#eventsConn.status === 'ready';
  }

  async submit(data: ScreenJobData, waitMs: number): Promise<SubmitResult> {
    const [result] = await this.submitMany([data], waitMs);
    return result ? { status: 'done', result } : { status: 'pending' };
  }

  async submitMany(data: ScreenJobData[], waitMs: number): Promise<(ScreenJobResult | undefined)[]> {
    if (!this.healthy) throw new KycError('KYC_ERR_QUEUE_UNAVAILABLE', 'Redis is not connected');
    const started = Date.now();
    const jobs = await withTimeout(
      this.queue.addBulk(
        data.map((d) => ({
          name: 'screen',
          data: d,
          opts: {
            jobId: d.screeningId,
            attempts: this.#attempts,
            backoff: { type: 'exponential', delay: 500 },
            removeOnComplete: { age: 24 * 3600, count: 100_000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        })),
      ),
      Math.max(1, Math.min(this.#enqueueTimeoutMs, waitMs)),
      'enqueue screening',
    ).catch((err: unknown) => {
      throw isKycError(err) ? err : new KycError('KYC_ERR_QUEUE_UNAVAILABLE', `enqueue failed: ${(err as Error).message}`, undefined, { cause: err });
    });
    const left = waitMs - (Date.now() - started);
    if (left <= 0) return jobs.map(() => undefined);
    return Promise.all(
      jobs.map((job) =>
        (job as Job<ScreenJobData, ScreenJobResult>).waitUntilFinished(this.events, left).then(
          (r: ScreenJobResult) => r,
          (err: unknown) => {
            if (!isTimeout(err)) this.#logger.warn({ screeningId: job.id, err: (err as Error).message }, 'slow-path screening attempt failed');
            return undefined;
          },
        ),
      ),
    );
  }

  async status(screeningId: string): Promise<{ state: 'done'; result: ScreenJobResult } | { state: 'pending' } | { state: 'failed'; reason: string } | undefined> {
    // State first, then the job: a terminal state is final and is written together with the return value or
    // failedReason, so the job read after it carries them (read the other way round, a job that finishes between
    // the two reads is 'failed' without its reason, or 'completed' without its result).
    const state = await withTimeout(this.queue.getJobState(screeningId), 1000, 'read screening job state');
    if (state === 'unknown') return undefined;
    if (state !== 'completed' && state !== 'failed') return { state: 'pending' };
    const job = await withTimeout(this.queue.getJob(screeningId), 1000, 'read screening job');
    if (!job) return undefined;
    if (state === 'completed') return { state: 'done', result: job.returnvalue };
    return { state: 'failed', reason: job.failedReason ?? 'failed' };
  }

  /** Jobs waiting, delayed or active. */
  async depth(): Promise<number> {
    const counts = await withTimeout(this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized'), 1000, 'queue depth');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  /** Closes the queue, its events and both connections; bounded, so a dead Redis cannot stall a shutdown. */
  async close(): Promise<void> {
    await withTimeout(Promise.allSettled([this.events.close(), this.queue.close()]), 3000, 'close screening queue').catch(() => {});
    for (const c of [this.#conn, this.#eventsConn]) {
      try {
        await withTimeout(c.quit(), 1000, 'redis quit');
      } catch {
        c.disconnect();
      }
    }
  }
}

/** Collaborators of the screening processor (what a worker process wires). */
export interface ScreenProcessorDeps {
  engine: ScreeningEnginePort;
  review?: ReviewPort | undefined;
  aggregator?: AggregatorPort | undefined;
  logger: Logger;
}

/**
 * The processor the `screen` worker runs: screens on the worker's engine with the customer's
 * suppressions and licences, records the decision (and opens cases) through ReviewService, and
 * returns `{decision, cases}`. Idempotent: a screening already recorded is returned as is.
 * Invalid input fails at once (UnrecoverableError); lists not loaded / database errors are retried.
 */
export function createScreenProcessor(deps: ScreenProcessorDeps): (job: Job<ScreenJobData>) => Promise<ScreenJobResult> {
  return async function screenProcessor(job) {
    const data = job.data;
    const { engine, review } = deps;
    if (review) {
      const existing = await review.getScreening(data.screeningId);
      if (existing) return { decision: existing, cases: [] };
    }
    if (!engine.ready) throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', 'no list snapshot is loaded in this worker yet');
    const now = new Date(data.requestedAt);
    let aggregate = data.aggregate;
    if (!aggregate && deps.aggregator && data.customer.request && engine.estimateTrainingOps && countsAsTraining(engine, data.customer.request.purpose, data.policy)) {
      const { trainingGroupKeys } = await import('../runtime/aggregation.js');
      const ops = engine.estimateTrainingOps(data.customer.request, data.policy);
      aggregate = await deps.aggregator.add(trainingGroupKeys(data.customer), ops, now, data.screeningId);
    }
    const [suppressions, licences] = review
      ? await Promise.all([review.suppressionsFor(data.customer.id), review.licencesFor(data.customer.id)])
      : [[], []];
    let decision: Decision;
    try {
      decision = engine.screen(data.customer, {
        now,
        screeningId: data.screeningId,
        suppressions,
        licences,
        ...(data.policy ? { policy: data.policy } : {}),
        ...(aggregate ? { aggregate } : {}),
      });
    } catch (err) {
      if (isKycError(err) && err.status < 500) throw new UnrecoverableError(`${err.code}: ${err.message}`);
      throw err;
    }
    const { cases } = review ? await review.recordScreening(data.customer, decision, data.actor) : { cases: [] };
    deps.logger.debug({ screeningId: data.screeningId, outcome: decision.outcome }, 'slow-path screening done');
    return { decision, cases };
  };
}
