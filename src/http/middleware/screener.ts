// Decides one customer within a latency budget: fast path in-process, slow path on BullMQ, or hold.
import { randomUUID } from 'node:crypto';
import { isKycError } from '../../errors.js';
import type { Customer, Decision } from '../../model/index.js';
import { trainingGroupKeys } from '../../runtime/aggregation.js';
import type { Logger } from '../../runtime/logger.js';
import { backgroundAddsFor } from './background-adds.js';
import { DeadlineExceeded, within } from './deadline.js';
import { DecisionMemo, type MemoKey, type Remembered, type TrainingShare } from './decision-memo.js';
import type { DecisionRecorder } from './decision-recorder.js';
import { checkInputLimits, type InputLimits } from './input-limits.js';
import type { AggregatorPort, EngineScreenOptions, ReviewPort, ScreeningEnginePort, ScreeningQueuePort, ScreenJobData } from './ports.js';

export type CaseRef = { id: string; subject: string; status: string };

/** Why a screening could not be made. */
export type UnavailableCause = 'lists' | 'queue' | 'store';

export type ScreenResult =
  | { kind: 'decided'; decision: Decision; cases: CaseRef[]; path: 'fast' | 'slow' }
  | { kind: 'pending'; screeningId: string }
  | {
      kind: 'unavailable';
      cause: UnavailableCause;
      message: string;
      screeningId: string;
      /** A decision the in-process engine could still make (used only by fail-open to never turn a deny into an allow). */
      partial?: Decision;
    };

/** Collaborators of the screener; only the engine is required. */
export interface ScreenerDeps {
  engine: ScreeningEnginePort;
  review?: ReviewPort | undefined;
  recorder?: DecisionRecorder | undefined;
  queue?: ScreeningQueuePort | undefined;
  aggregator?: AggregatorPort | undefined;
  /** Recent allows, reused for identical inputs (needs the engine's `decisionScope`). */
  memo?: DecisionMemo | undefined;
  logger: Logger;
  clock?: () => Date;
}

/** Per-call settings. */
export interface ScreenCall {
  policy?: string | undefined;
  budgetMs: number;
  actor: string;
  /** Customers with more parties than this go to the slow path when a queue is configured. */
  inlineMaxParties: number;
  limits: InputLimits;
  /** Force the slow path (batch requests). */
  slow?: boolean;
  /** Parse and validate input (throws KYC_ERR_INPUT_INVALID); H3's parseCustomer. */
  parse: (input: unknown) => Customer;
}

const remaining = (deadline: number) => Math.max(0, deadline - Date.now());

/** A training sum being read, awaited until `deadline` (at least 1 ms). */
const sumWithin = (sum: Promise<{ windowOps: number }>, deadline: number) => within(sum, Math.max(1, remaining(deadline)), 'training aggregate');

/** Screens a parsed customer: without a second validation where the engine offers that. */
const screenParsed = (engine: ScreeningEnginePort, customer: Customer, opts: EngineScreenOptions): Decision =>
  engine.screenParsed ? engine.screenParsed(customer, opts) : engine.screen(customer, opts);

/**
 * The screening core shared by the middleware and `POST /v1/screen`. Never returns an allow it
 * could not fully make: a missing dependency yields `unavailable`; a screening that needs more
 * time than the budget yields `pending` (the slow path keeps working).
 */
export class Screener {
  readonly #d: ScreenerDeps;
  readonly #clock: () => Date;

  constructor(deps: ScreenerDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? (() => new Date());
  }

  get deps(): ScreenerDeps {
    return this.#d;
  }

  /** Screens one customer input (already merged with its compute request). Input errors throw KycError (4xx). */
  async screen(input: unknown, call: ScreenCall): Promise<ScreenResult> {
    const deadline = Date.now() + call.budgetMs;
    const parties = checkInputLimits(input, call.limits);
    const now = this.#clock();
    const { engine, queue, recorder } = this.#d;
    const slow = call.slow === true || !engine.ready || parties > call.inlineMaxParties;
    const memoKey = slow ? undefined : this.#memoKey(input, call.policy, now);
    const remembered = memoKey === undefined ? undefined : this.#d.memo?.get(memoKey);
    const customer = remembered?.customer ?? call.parse(input);
    const screeningId = randomUUID();

    if (queue && !queue.healthy) return this.#unavailable('queue', 'the job queue (Redis) is unavailable', screeningId, customer, call, now);
    if (recorder && !recorder.healthy) return this.#unavailable('store', 'decisions cannot be recorded (database unavailable)', screeningId, customer, call, now);

    if (slow && queue) {
      const { aggregate } = await this.#aggregate(customer, call, now, deadline, screeningId).catch(() => ({ aggregate: undefined }));
      const job: ScreenJobData = {
        screeningId,
        customer,
        requestedAt: now.toISOString(),
        actor: call.actor,
        ...(call.policy ? { policy: call.policy } : {}),
        ...(aggregate ? { aggregate } : {}),
      };
      try {
        const res = await queue.submit(job, remaining(deadline));
        if (res.status === 'pending') return { kind: 'pending', screeningId };
        return { kind: 'decided', decision: res.result.decision, cases: res.result.cases, path: 'slow' };
      } catch (err) {
        this.#d.logger.warn({ err: isKycError(err) ? err.code : err, screeningId }, 'slow path unavailable');
        return this.#unavailable('queue', 'the job queue (Redis) is unavailable', screeningId, customer, call, now);
      }
    }
    if (!engine.ready) return this.#unavailable('lists', 'no list snapshot is loaded yet', screeningId, customer, call, now);

    let aggregate: { windowOps: number } | undefined;
    let training: TrainingShare | undefined;
    try {
      // a remembered allow whose addition goes to the background is decided without waiting on anything
      const sums = this.#addToSums(customer, call, now, screeningId, remembered);
      training = sums.training;
      if (sums.wait) aggregate = await sumWithin(sums.wait, deadline);
    } catch (err) {
      if (isKycError(err) && err.status < 500) throw err;
      this.#d.logger.warn({ err: isKycError(err) ? err.code : String(err), screeningId }, 'training aggregate unavailable');
      return this.#unavailable('queue', 'training-compute aggregation (Redis) is unavailable', screeningId, customer, call, now);
    }
    if (remembered && !aggregate) {
      const decision = DecisionMemo.reuse(remembered, screeningId, now);
      recorder?.enqueue(customer, decision, call.actor);
      return { kind: 'decided', decision, cases: [], path: 'fast' };
    }
    const remember = memoKey !== undefined && !remembered && !aggregate ? { key: memoKey, training } : undefined;
    return this.#fast(customer, call, screeningId, now, deadline, aggregate, remember);
  }

  /** The memo key of an input, when there is a memo and the engine names the decision's scope. */
  #memoKey(input: unknown, policy: string | undefined, now: Date): MemoKey | undefined {
    const { memo, engine } = this.#d;
    if (!memo || !engine.decisionScope) return undefined;
    let scope: string | undefined;
    try {
      scope = engine.decisionScope(policy, now);
    } catch {
      return undefined; // e.g. an unknown policy pack: the screening below reports it
    }
    return memo.keyOf(input, scope);
  }

  /** `#addToSums`, waiting for the sum when there is one to wait for (the slow path's job carries it). */
  async #aggregate(customer: Customer, call: ScreenCall, now: Date, deadline: number, requestId: string): Promise<{ aggregate?: { windowOps: number } | undefined }> {
    const { wait } = this.#addToSums(customer, call, now, requestId);
    return wait ? { aggregate: await sumWithin(wait, deadline) } : {};
  }

  /**
   * Adds a training request to its groups' sums; `training` is what it added (none when it is not summed: no
   * aggregator, no request, not training). `wait` is the sum, when it can change the decision (the engine says so;
   * a remembered decision was made without the sum, under the same scope); otherwise the addition goes on in the
   * background and the screening goes on without it. Synchronous up to `wait`, so a remembered allow needs no await.
   */
  #addToSums(
    customer: Customer,
    call: ScreenCall,
    now: Date,
    requestId: string,
    remembered?: Remembered,
  ): { training?: TrainingShare | undefined; wait?: Promise<{ windowOps: number }> } {
    const { aggregator, engine } = this.#d;
    const request = customer.request;
    if (!aggregator || !request) return {};
    let training = remembered?.training;
    if (!remembered) {
      if (!engine.estimateTrainingOps || !countsAsTraining(engine, request.purpose, call.policy)) return {};
      training = { groupKeys: trainingGroupKeys(customer), ops: engine.estimateTrainingOps(request, call.policy) };
    }
    if (!training) return {};
    const addition = { groupKeys: training.groupKeys as string[], ops: training.ops, at: now, requestId };
    const background = backgroundAddsFor(aggregator, this.#d.logger);
    // while additions fail (Redis down) every request waits again, and so holds
    if (background.healthy && (remembered || (engine.trainingSumMatters && !engine.trainingSumMatters(customer, call.policy, now)))) {
      background.add(addition);
      return { training };
    }
    return { training, wait: background.addNow(addition) };
  }

  async #fast(
    customer: Customer,
    call: ScreenCall,
    screeningId: string,
    now: Date,
    deadline: number,
    aggregate: { windowOps: number } | undefined,
    remember?: { key: MemoKey; training: TrainingShare | undefined },
  ): Promise<ScreenResult> {
    const { engine, review, recorder } = this.#d;
    const base = { now, screeningId, ...(call.policy ? { policy: call.policy } : {}), ...(aggregate ? { aggregate } : {}) };
    let decision: Decision;
    try {
      decision = screenParsed(engine, customer, base);
    } catch (err) {
      if (isKycError(err) && err.code === 'KYC_ERR_LISTS_UNAVAILABLE') return this.#unavailable('lists', err.message, screeningId, customer, call, now);
      throw err;
    }
    if (decision.outcome === 'allow') {
      // Suppressions and licences only ever relax an outcome, so an allow without them stands.
      if (remember) this.#d.memo?.remember(remember.key, customer, decision, remember.training);
      recorder?.enqueue(customer, decision, call.actor);
      return { kind: 'decided', decision, cases: [], path: 'fast' };
    }
    if (!review) return { kind: 'decided', decision, cases: [], path: 'fast' };
    const strict = decision;
    try {
      const [suppressions, licences] = await within(
        Promise.all([review.suppressionsFor(customer.id), review.licencesFor(customer.id)]),
        Math.max(1, remaining(deadline)),
        'suppressions and licences',
      );
      if (suppressions.length > 0 || licences.length > 0) {
        decision = screenParsed(engine, customer, { ...base, suppressions, licences });
      }
    } catch (err) {
      this.#d.logger.warn({ err: String(err), screeningId }, 'review data unavailable');
      return { kind: 'unavailable', cause: 'store', message: 'the database is unavailable', screeningId, partial: strict };
    }
    if (decision.outcome === 'allow') {
      recorder?.enqueue(customer, decision, call.actor);
      return { kind: 'decided', decision, cases: [], path: 'fast' };
    }
    // Review and deny are written before answering, so the case a 202 points at exists.
    const write = review.recordScreening(customer, decision, call.actor);
    try {
      const { cases } = await within(write, Math.max(remaining(deadline), call.budgetMs / 2), 'recording the decision');
      return { kind: 'decided', decision, cases, path: 'fast' };
    } catch (err) {
      if (err instanceof DeadlineExceeded) {
        // the database is slow, not down: the write goes on; the screening is readable meanwhile (GET /v1/screenings/:id)
        recorder?.track(customer, decision, call.actor, write);
        this.#d.logger.warn({ screeningId }, 'recording a review/deny decision is slow; answering pending');
        if (decision.outcome === 'deny') return { kind: 'decided', decision, cases: [], path: 'fast' };
        return { kind: 'pending', screeningId };
      }
      this.#d.logger.error({ err: String(err), screeningId }, 'recording a review/deny decision failed; retrying in the background');
      recorder?.enqueue(customer, decision, call.actor);
      if (decision.outcome === 'deny') return { kind: 'decided', decision, cases: [], path: 'fast' };
      return { kind: 'unavailable', cause: 'store', message: 'the review case could not be opened (database unavailable)', screeningId, partial: decision };
    }
  }

  /**
   * Builds the unavailable result; when possible also a partial in-process decision for fail-open.
   * Throws the engine's KycError when it is the caller's fault (status < 500).
   */
  #unavailable(cause: UnavailableCause, message: string, screeningId: string, customer: Customer, call: ScreenCall, now: Date): ScreenResult {
    let partial: Decision | undefined;
    if (this.#d.engine.ready) {
      try {
        partial = screenParsed(this.#d.engine, customer, { now, screeningId, ...(call.policy ? { policy: call.policy } : {}) });
      } catch (err) {
        // the caller's fault (unknown GPU model or policy pack, invalid input) is a 4xx whatever is down
        if (isKycError(err) && err.status < 500) throw err;
        partial = undefined;
      }
    }
    return { kind: 'unavailable', cause, message, screeningId, ...(partial ? { partial } : {}) };
  }
}

/** Whether the pack counts a request of this purpose towards training compute (default: all but inference). */
export function countsAsTraining(engine: ScreeningEnginePort, purpose: string | undefined, policy: string | undefined): boolean {
  const training = engine.pack?.(policy).training;
  if (!training) return purpose !== 'inference';
  return training.purposes.includes(purpose ?? training.unknownPurpose);
}

/** The decision of an operator-configured fail-open: allow, saying so. */
export function failOpenDecision(customer: { id: string }, result: Extract<ScreenResult, { kind: 'unavailable' }>, policy: string | undefined, now: Date): Decision {
  const reason = {
    code: 'SCREENING_UNAVAILABLE' as const,
    subject: 'customer',
    outcome: 'allow' as const,
    detail: `screening could not be completed (${result.message}); allowed because the operator configured onUnavailable: 'allow'`,
  };
  if (result.partial && result.partial.outcome === 'allow') {
    return { ...result.partial, failOpen: true, reasons: [...result.partial.reasons, reason] };
  }
  return {
    id: customer.id,
    outcome: 'allow',
    screeningId: result.screeningId,
    hits: [],
    reasons: [reason],
    lists: result.partial?.lists ?? { version: 'unavailable', sources: {} },
    policy: result.partial?.policy ?? policy ?? 'unknown',
    decidedAt: now.toISOString(),
    failOpen: true,
  };
}

