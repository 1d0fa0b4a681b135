// Options of `kycgate.screen()`: the public type with defaults, validated once (strict) into a frozen config.
import type { Request } from 'express';
import { z } from 'zod';
import { KycError } from '../../errors.js';
import type { ComputeRequest, Customer } from '../../model/index.js';
import type { Logger } from '../../runtime/logger.js';
import type { DecisionRecorder } from './decision-recorder.js';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from './input-limits.js';
import type { AggregatorPort, ReviewPort, ScreeningEnginePort, ScreeningQueuePort } from './ports.js';

/** The customer fields an extractor returns (`request` comes from the `request` extractor). */
export type CustomerInput = Omit<Customer, 'request'> | Record<string, unknown>;

/** Options of `kycgate.screen(options)`. Validated once when the middleware is created; unknown keys are rejected. */
export interface ScreenOptions {
  /** Builds the customer to screen from the request (at least `id` and `name`). Required. */
  customer: (req: Request) => CustomerInput;
  /**
   * Builds the compute request (GPU model, count, hours, purpose) from the request; return
   * `undefined` when the call asks for no compute.
   * @defaultValue no compute request (only the party is screened)
   */
  request?: (req: Request) => ComputeRequest | undefined;
  /** Policy pack name. @defaultValue the engine's default (`KYCGATE_POLICY`, else `us-export-2026`) */
  policy?: string;
  /** Inline latency budget, ms: the middleware answers within it, whatever its dependencies do. @defaultValue 50 */
  budgetMs?: number;
  /**
   * Review outcome: `'accept'` answers 202 `{"status":"review"}` with the case's Location; `'deny'` answers 403.
   * With `engine` but no `review` only `'deny'` is accepted (there is no case to point at).
   * @defaultValue 'accept'
   */
  onReview?: 'accept' | 'deny';
  /**
   * When screening cannot be completed (lists not loaded, Redis or the database down): `'hold'`
   * answers 503 problem+json with Retry-After; `'allow'` calls `next()` with a decision marked
   * `failOpen: true` and a `SCREENING_UNAVAILABLE` reason. Fail-open never overrides what the in-process
   * engine could still decide: a deny stays 403, a review holds (503).
   * @defaultValue 'hold'
   */
  onUnavailable?: 'hold' | 'allow';
  /** Retry-After of a hold, seconds. @defaultValue 5 */
  retryAfterSeconds?: number;
  /** Customers with more parties (aliases, parents, owners) than this take the slow path when a queue is set. @defaultValue 50 */
  inlineMaxParties?: number;
  /** Input limits (name length, parties, depth). @defaultValue `{ maxNameLength: 512, maxParties: 1000, maxDepth: 25 }` */
  limits?: Partial<InputLimits>;
  /**
   * How many allow decisions to remember by their exact input (the extractors' output, as JSON). An identical request
   * under the same list snapshot, policy pack, rule tables and UTC day gets the same allow again — its own screening id
   * and time, recorded and added to training sums like any — without validation and screening. Only allows made
   * without a training sum, suppressions or licences are remembered, from an input's second allow on; none while the
   * lists are too old. Needs the engine's `decisionScope` (ScreeningEngine has it). 0 turns it off.
   * @defaultValue 10000
   */
  decisionMemo?: number;
  /** Actor recorded with each decision. @defaultValue 'middleware' */
  actor?: string;
  /** Where a review case is read (Location of a review 202). @defaultValue `(id) => '/v1/cases/' + id` */
  casePath?: (caseId: string) => string;
  /** Where a pending screening is polled (Location of a pending 202). @defaultValue `(id) => '/v1/screenings/' + id` */
  screeningPath?: (screeningId: string) => string;
  /**
   * The in-process engine. When given, also give `review` — or set `onReview: 'deny'`, accepting that
   * decisions are not recorded and no cases are opened (otherwise KYC_ERR_OPTIONS_INVALID).
   * @defaultValue a process-wide engine started from the environment (lists from `KYCGATE_SEED_DIR` or the snapshot store)
   */
  engine?: ScreeningEnginePort;
  /**
   * Persists decisions and opens the cases a review's 202 points at. Required with `engine` unless `onReview: 'deny'`.
   * @defaultValue a ReviewService on `DATABASE_URL` (or embedded PGlite) when `engine` is not given
   */
  review?: ReviewPort;
  /** Write-behind buffer for allow decisions. @defaultValue one created over `review` */
  recorder?: DecisionRecorder;
  /** BullMQ slow path. @defaultValue none: everything runs in-process */
  queue?: ScreeningQueuePort;
  /** Training-compute aggregation over the pack's window. @defaultValue none: each request counts alone */
  aggregator?: AggregatorPort;
  /** Logger. @defaultValue kycgate's pino logger at `KYCGATE_LOG_LEVEL` */
  logger?: Logger;
  /** Clock. @defaultValue `() => new Date()` */
  clock?: () => Date;
}

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', `${what} must be a function`);
const withMethods = (what: string, methods: string[]) =>
  z.custom<object>(
    (v) => typeof v === 'object' && v !== null && methods.every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
    `${what} must be an object with ${methods.join(', ')}`,
  );

const optionsSchema = z.strictObject({
  customer: fn('customer'),
  request: fn('request').optional(),
  policy: z.string().min(1).max(100).optional(),
  budgetMs: z.number().int().min(1).max(60_000).optional(),
  onReview: z.enum(['accept', 'deny']).optional(),
  onUnavailable: z.enum(['hold', 'allow']).optional(),
  retryAfterSeconds: z.number().int().min(1).max(3600).optional(),
  inlineMaxParties: z.number().int().min(1).max(100_000).optional(),
  limits: z
    .strictObject({
      maxNameLength: z.number().int().min(16).max(100_000).optional(),
      maxParties: z.number().int().min(1).max(1_000_000).optional(),
      maxDepth: z.number().int().min(1).max(1000).optional(),
    })
    .optional(),
  decisionMemo: z.number().int().min(0).max(1_000_000).optional(),
  actor: z.string().min(1).max(200).optional(),
  casePath: fn('casePath').optional(),
  screeningPath: fn('screeningPath').optional(),
  engine: withMethods('engine', ['screen']).optional(),
  review: withMethods('review', ['recordScreening', 'getScreening', 'suppressionsFor', 'licencesFor']).optional(),
  recorder: withMethods('recorder', ['enqueue', 'pending']).optional(),
  queue: withMethods('queue', ['submit', 'status']).optional(),
  aggregator: withMethods('aggregator', ['add']).optional(),
  logger: withMethods('logger', ['info', 'warn', 'error']).optional(),
  clock: fn('clock').optional(),
});

/** The resolved, frozen configuration of one middleware instance. */
export interface ScreenConfig {
  customer: (req: Request) => CustomerInput;
  request: ((req: Request) => ComputeRequest | undefined) | undefined;
  policy: string | undefined;
  budgetMs: number;
  onReview: 'accept' | 'deny';
  onUnavailable: 'hold' | 'allow';
  retryAfterSeconds: number;
  inlineMaxParties: number;
  limits: InputLimits;
  decisionMemo: number;
  actor: string;
  casePath: (caseId: string) => string;
  screeningPath: (screeningId: string) => string;
  engine: ScreeningEnginePort | undefined;
  review: ReviewPort | undefined;
  recorder: DecisionRecorder | undefined;
  queue: ScreeningQueuePort | undefined;
  aggregator: AggregatorPort | undefined;
  logger: Logger | undefined;
  clock: () => Date;
}

/**
 * Validates `options` (undefined values dropped, unknown keys rejected) and applies defaults.
 * Throws KYC_ERR_OPTIONS_INVALID naming every problem; also for `engine` without `review` unless
 * `onReview: 'deny'` (a review 202 would otherwise point at a case that is never opened).
 */
export function parseScreenOptions(options: unknown): Readonly<ScreenConfig> {
  const defined =
    options && typeof options === 'object' && !Array.isArray(options)
      ? Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))
      : options;
  const parsed = optionsSchema.safeParse(defined);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys' ? `unknown option(s): ${i.keys.join(', ')}` : `${i.path.join('.') || 'options'}: ${i.message}`,
    );
    throw new KycError('KYC_ERR_OPTIONS_INVALID', `kycgate.screen(): ${problems.join('; ')}`, { problems });
  }
  const o = defined as ScreenOptions;
  if (o.engine && !o.review && o.onReview !== 'deny') {
    const problem =
      "engine without review: review and deny decisions could not be recorded and a review's 202 Location would point at no case; " +
      "pass review (e.g. a ReviewService), or onReview: 'deny' to answer 403 for a review without opening cases";
    throw new KycError('KYC_ERR_OPTIONS_INVALID', `kycgate.screen(): ${problem}`, { problems: [problem] });
  }
  return Object.freeze({
    customer: o.customer,
    request: o.request,
    policy: o.policy,
    budgetMs: o.budgetMs ?? 50,
    onReview: o.onReview ?? 'accept',
    onUnavailable: o.onUnavailable ?? 'hold',
    retryAfterSeconds: o.retryAfterSeconds ?? 5,
    inlineMaxParties: o.inlineMaxParties ?? 50,
    limits: Object.freeze({ ...DEFAULT_INPUT_LIMITS, ...(o.limits ?? {}) }),
    decisionMemo: o.decisionMemo ?? 10_000,
    actor: o.actor ?? 'middleware',
    casePath: o.casePath ?? ((id: string) => `/v1/cases/${encodeURIComponent(id)}`),
    screeningPath: o.screeningPath ?? ((id: string) => `/v1/screenings/${encodeURIComponent(id)}`),
    engine: o.engine,
    review: o.review,
    recorder: o.recorder,
    queue: o.queue,
    aggregator: o.aggregator,
    logger: o.logger,
    clock: o.clock ?? (() => new Date()),
  });
}
