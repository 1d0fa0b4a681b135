// What the middleware needs from the engine, the review service, the queue and the aggregator (structural ports).
import type { ComputeRequest, Customer, Decision } from '../../model/index.js';
import type { Licence, Suppression } from '../../model/review.js';

/** Options the engine takes per screening (H3's ScreeningEngine.screen). */
export interface EngineScreenOptions {
  policy?: string;
  now?: Date;
  /** The decision's screening id (the engine must use it: it was handed out before screening, e.g. in a 202). */
  screeningId?: string;
  suppressions?: Suppression[];
  licences?: Licence[];
  aggregate?: { windowOps: number };
}

/** The in-process screening engine on the current snapshot (H3's ScreeningEngine fits). */
export interface ScreeningEnginePort {
  readonly ready: boolean;
  readonly snapshot?: { id: string; createdAt: string } | undefined;
  screen(input: unknown, opts?: EngineScreenOptions): Decision;
  /** `screen` for a customer already parsed (skips the second validation). Optional. */
  screenParsed?(customer: Customer, opts?: EngineScreenOptions): Decision;
  estimateTrainingOps?(request: ComputeRequest, policy?: string): number;
  /** Whether the training sum can change the decision; when false the middleware adds to it without waiting. Absent: always wait. */
  trainingSumMatters?(customer: Customer, policy?: string, now?: Date): boolean;
  /**
   * Everything a decision depends on besides its input, the training sum, suppressions and licences, as one string
   * (undefined: decisions are not to be reused now). Optional: without it no decision is reused (DecisionMemo).
   */
  decisionScope?(policy?: string, now?: Date): string | undefined;
  /** The policy pack: which purposes count as training (so only those requests are aggregated). */
  pack?(policy?: string): { training: { purposes: readonly string[]; unknownPurpose: string } };
}

/** Persistence of decisions and the review data a screening reads (H4's ReviewService fits). */
export interface ReviewPort {
  recordScreening(customer: Customer, decision: Decision, actor: string): Promise<{ cases: { id: string; subject: string; status: string }[] }>;
  getScreening(screeningId: string): Promise<Decision | undefined>;
  suppressionsFor(customerId: string): Promise<Suppression[]>;
  licencesFor(customerId: string): Promise<Licence[]>;
}

/** Training compute summed per group over the pack's window (H6's TrainingAggregator fits). */
export interface AggregatorPort {
  add(groupKeys: string[], ops: number, at: Date, requestId?: string): Promise<{ windowOps: number }>;
  /**
   * Many additions whose sums nobody reads, then optionally one (`last`) whose sum is read: one round trip, in that
   * order. One result (`true` or an error) per item, and `last`'s sum or error. Optional: without it they go one by one.
   */
  addBatch?(
    items: readonly { groupKeys: string[]; ops: number; at: Date; requestId: string }[],
    last?: { groupKeys: string[]; ops: number; at: Date; requestId: string },
  ): Promise<{ added: (true | Error)[]; last?: { windowOps: number } | Error }>;
}

/** The payload of one slow-path screening job. */
export interface ScreenJobData {
  screeningId: string;
  customer: Customer;
  policy?: string;
  /** ISO time the request arrived; the decision is made as of then. */
  requestedAt: string;
  actor: string;
  aggregate?: { windowOps: number };
}

/** What a finished slow-path job returns. */
export interface ScreenJobResult {
  decision: Decision;
  cases: { id: string; subject: string; status: string }[];
}

export type SubmitResult = { status: 'done'; result: ScreenJobResult } | { status: 'pending' };

/** The BullMQ slow path (src/queue/screening-queue.ts implements it). */
export interface ScreeningQueuePort {
  /** True while the queue's Redis connection is up. */
  readonly healthy: boolean;
  /** Enqueues one job and waits up to `waitMs` for it; throws KYC_ERR_QUEUE_UNAVAILABLE when Redis is down. */
  submit(data: ScreenJobData, waitMs: number): Promise<SubmitResult>;
  /** Enqueues many jobs and waits up to `waitMs` for all; entries are undefined when still pending. */
  submitMany(data: ScreenJobData[], waitMs: number): Promise<(ScreenJobResult | undefined)[]>;
  /** State of a job by screening id. */
  status(screeningId: string): Promise<{ state: 'done'; result: ScreenJobResult } | { state: 'pending' } | { state: 'failed'; reason: string } | undefined>;
}
