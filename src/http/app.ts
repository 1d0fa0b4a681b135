// Builds the Express app: ops, screening, review (H4) and admin (H6) routers, the demo route, one problem handler.
import { randomUUID } from 'node:crypto';
import express, { type RequestHandler, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import type { Config } from '../config.js';
import { KycError } from '../errors.js';
import type { Snapshot } from '../lists/snapshot.js';
import type { CachedMatchIndex, MatchIndex } from '../match/index.js';
import type { Logger } from '../runtime/logger.js';
import { createDemoRouter, demoExtractors } from './demo-routes.js';
import { metrics, bindMetricSources } from './metrics.js';
import { DecisionMemo } from './middleware/decision-memo.js';
import { DecisionRecorder } from './middleware/decision-recorder.js';
import { loadParseCustomer } from './middleware/parse.js';
import type { AggregatorPort, ReviewPort, ScreeningEnginePort, ScreeningQueuePort } from './middleware/ports.js';
import { screen } from './middleware/screen-middleware.js';
import { Screener } from './middleware/screener.js';
import { createOpsRouter, type HealthProbes } from './ops-routes.js';
import { notFoundHandler, problemHandler } from './problem.js';
import { createScreeningRouter } from './screening-routes.js';

/** Authentication (H4's authenticate(db) / requireRole). */
export interface AuthDeps {
  authenticate: RequestHandler;
  requireRole: (...roles: ('officer' | 'senior_officer' | 'admin' | 'service')[]) => RequestHandler;
}

export interface AppDeps {
  config: Config;
  logger: Logger;
  engine: ScreeningEnginePort & { readonly snapshot?: Snapshot | undefined; readonly index?: MatchIndex | undefined };
  review?: ReviewPort | undefined;
  recorder?: DecisionRecorder | undefined;
  queue?: (ScreeningQueuePort & { depth?: () => Promise<number> }) | undefined;
  aggregator?: AggregatorPort | undefined;
  /** Without it every protected route answers 401. */
  auth?: AuthDeps | undefined;
  reviewRouter?: Router | undefined;
  adminRouter?: Router | undefined;
  /** Mount POST /v1/instances. `{ guard: false }` mounts it WITHOUT the middleware (the benchmark's baseline only). */
  demo?: boolean | { guard: boolean } | undefined;
  probes?: Omit<HealthProbes, 'lists'> | undefined;
  version?: string;
}

/** Lowest per-client limit of /healthz and /readyz per minute (they get 10× the public limit, at least this). */
const PROBE_RATE_LIMIT_FLOOR = 1200;

/** Answers 401 to everything: protected routes when no authentication is wired. */
const denyAll: RequestHandler = function noAuthConfigured(_req, _res, next) {
  next(new KycError('KYC_ERR_UNAUTHORIZED', 'credentials are missing or invalid'));
};

export function createApp(deps: AppDeps): express.Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // ids only: no bodies, no query strings, no headers (customer data stays out of logs)
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: String(req.url).split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // the middleware leaves {screeningId, outcome} in res.locals: ids only, never names. Nothing when there is
      // nothing: pino-http makes a child logger for any bindings it gets, even empty ones, on every request.
      customProps: (_req, res) => {
        const k = (res as unknown as { locals?: { kycgate?: Record<string, string> } }).locals?.kycgate;
        return (k ? { screening: k } : undefined) as Record<string, unknown>;
      },
      // 'silent' when the level is off: pino-http then skips the line's bindings and child logger altogether
      customLogLevel: (_req, res, err) => {
        const level = err || res.statusCode >= 500 ? 'error' : 'info';
        return logger.isLevelEnabled(level) ? level : 'silent';
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );
  app.use(express.json({ limit: config.KYCGATE_BODY_LIMIT_BYTES }));

  const limiter = (limit: number) =>
    rateLimit({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, _res, next) => next(new KycError('KYC_ERR_RATE_LIMITED', `more than ${limit} requests per minute from this client`, { retryAfterSeconds: 60 })),
    });
  const pub = [limiter(config.KYCGATE_RATE_LIMIT_PER_MINUTE)];
  // /healthz and /readyz count apart (a busy demo client must not fail the orchestrator's probes) and more generously
  const probeLimiter = [limiter(Math.max(PROBE_RATE_LIMIT_FLOOR, 10 * config.KYCGATE_RATE_LIMIT_PER_MINUTE))];
  const auth = deps.auth;
  const guard = (...roles: Parameters<AuthDeps['requireRole']>) => (auth ? [auth.authenticate, auth.requireRole(...roles)] : [denyAll]);

  const recorder = deps.recorder ?? (deps.review ? new DecisionRecorder(deps.review, logger, {}, (n) => metrics.writeBehind.set(n)) : undefined);
  const screener = new Screener({
    engine: deps.engine,
    review: deps.review,
    recorder,
    queue: deps.queue,
    aggregator: deps.aggregator,
    memo: config.KYCGATE_DECISION_MEMO_SIZE > 0 ? new DecisionMemo(config.KYCGATE_DECISION_MEMO_SIZE) : undefined,
    logger,
  });

  const queue = deps.queue;
  bindMetricSources({
    listAgeSeconds: () => {
      const snap = deps.engine.snapshot;
      return snap ? (Date.now() - Date.parse(snap.createdAt)) / 1000 : undefined;
    },
    ...(queue?.depth ? { queueDepths: async () => ({ screen: await queue.depth!() }) } : {}),
    matchCache: () => (deps.engine.index as Partial<CachedMatchIndex> | undefined)?.cacheStats,
  });
  metrics.screenings.inc({ outcome: 'allow', path: 'fast' }, 0);

  app.use(
    createOpsRouter({
      probes: { lists: () => (deps.engine.ready ? deps.engine.snapshot : undefined), ...(deps.probes ?? {}) },
      public: pub,
      probeLimiter,
      metricsGuard: guard('admin', 'service'),
      version: deps.version ?? '0.1.0',
    }),
  );
  app.use(
    createScreeningRouter({
      screener,
      parse: loadParseCustomer,
      queue: deps.queue,
      recorder,
      snapshot: () => deps.engine.snapshot,
      guard: {
        screen: guard('service', 'admin', 'officer', 'senior_officer'),
        read: guard('service', 'admin', 'officer', 'senior_officer'),
      },
      inlineMaxParties: 50,
    }),
  );
  if (deps.demo) {
    const guarded = deps.demo === true || deps.demo.guard;
    const middleware = guarded
      ? screen({
          ...demoExtractors,
          customer: demoExtractors.customer as never,
          request: demoExtractors.request as never,
          budgetMs: config.KYCGATE_LATENCY_BUDGET_MS,
          policy: config.KYCGATE_POLICY,
          // without a review service no case can be opened: a review answers 403 instead of a 202 pointing nowhere
          onReview: deps.review ? 'accept' : 'deny',
          engine: deps.engine,
          review: deps.review,
          recorder,
          queue: deps.queue,
          aggregator: deps.aggregator,
          logger,
          decisionMemo: config.KYCGATE_DECISION_MEMO_SIZE,
          actor: 'demo',
        })
      : undefined;
    app.use(createDemoRouter({ public: pub, guard: middleware }));
  }
  if (deps.reviewRouter) app.use(deps.reviewRouter);
  if (deps.adminRouter) app.use(deps.adminRouter);

  app.use(notFoundHandler());
  app.use(problemHandler(logger));
  return app;
}
