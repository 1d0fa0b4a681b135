// `kycgate.screen(options)`: the Express middleware that allows, holds for review, denies or holds a request.
import type { Request, RequestHandler, Response } from 'express';
import { KycError, isKycError } from '../../errors.js';
import { randomUUID } from 'node:crypto';
import type { Customer, Decision } from '../../model/index.js';
import { createLogger, type Logger } from '../../runtime/logger.js';
import { metrics } from '../metrics.js';
import { asKycError, sendProblem } from '../problem.js';
import { DecisionMemo } from './decision-memo.js';
import { DecisionRecorder, type RecorderStore } from './decision-recorder.js';
import { checkInputLimits } from './input-limits.js';
import { loadedParseCustomer, loadParseCustomer } from './parse.js';
import { parseScreenOptions, type ScreenConfig, type ScreenOptions } from './options.js';
import { Screener, failOpenDecision, type ScreenResult } from './screener.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The screening decision, set by `kycgate.screen()` before it calls `next()`. */
    kycgate?: Decision;
  }
}

/** Merges the extractors' output into one customer input; an extractor that throws is an input error. */
function extract(cfg: Readonly<ScreenConfig>, req: Request): unknown {
  let customer: unknown;
  let request: unknown;
  try {
    customer = cfg.customer(req);
    request = cfg.request?.(req);
  } catch (err) {
    if (isKycError(err)) throw err;
    throw new KycError('KYC_ERR_INPUT_INVALID', 'the request does not carry the customer fields screening needs');
  }
  if (!customer || typeof customer !== 'object') throw new KycError('KYC_ERR_INPUT_INVALID', 'the customer extractor returned no customer');
  return request === undefined ? customer : { ...(customer as object), request };
}

/** Where the screener comes from: given collaborators, or the process-wide default runtime. */
function screenerSource(cfg: Readonly<ScreenConfig>, logger: Logger): () => Screener | undefined {
  const build = (deps: Pick<ConstructorParameters<typeof Screener>[0], 'engine' | 'review'> & { store?: RecorderStore | undefined }) =>
    new Screener({
      engine: deps.engine,
      review: deps.review,
      recorder: cfg.recorder ?? (deps.review ? new DecisionRecorder(deps.store ?? deps.review, logger, {}, (n) => metrics.writeBehind.set(n)) : undefined),
      queue: cfg.queue,
      aggregator: cfg.aggregator,
      memo: cfg.decisionMemo > 0 ? new DecisionMemo(cfg.decisionMemo) : undefined,
      logger,
      clock: cfg.clock,
    });
  if (cfg.engine) {
    const screener = build({ engine: cfg.engine, review: cfg.review });
    return () => screener;
  }
  let screener: Screener | undefined;
  void import('./default-runtime.js')
    .then((m) => m.defaultRuntime())
    .then((rt) => {
      screener = build({ engine: rt.engine, review: cfg.review ?? rt.review, store: cfg.review ? undefined : rt.store });
    })
    .catch((err: unknown) => logger.error({ err }, 'kycgate: the default screening runtime failed to start; requests are held'));
  return () => screener;
}

/**
 * Creates the screening middleware. Options are validated here, once (KYC_ERR_OPTIONS_INVALID).
 *
 * - allow → `next()` with the decision on `req.kycgate`
 * - deny → 403 problem+json (`urn:kycgate:error:KYC_ERR_SCREENING_DENIED`) with the screening id, no list details
 * - review → 202 `{"status":"review"}` + `Location` of the case, or 403 (`onReview: 'deny'`)
 * - slow path still working → 202 `{"status":"pending"}` + `Location: /v1/screenings/:id`
 * - cannot decide → 503 problem+json + `Retry-After` (or, when configured, a fail-open allow that says so)
 */
export function screen(options: ScreenOptions): RequestHandler {
  const cfg = parseScreenOptions(options);
  const logger = cfg.logger ?? createLogger('info', { component: 'middleware' });
  const getScreener = screenerSource(cfg, logger);

  const holdOrAllow = (req: Request, res: Response, next: (err?: unknown) => void, result: Extract<ScreenResult, { kind: 'unavailable' }>, customer: Customer | undefined, customerId: string) => {
    const partial = result.partial;
    if (cfg.onUnavailable === 'allow' && partial?.outcome !== 'deny' && partial?.outcome !== 'review') {
      const decision = failOpenDecision({ id: customerId }, result, cfg.policy, cfg.clock());
      // recorded like any decision (best effort: the store may be what is down), so officers see fail-open allows
      if (customer) getScreener()?.deps.recorder?.enqueue(customer, decision, cfg.actor);
      logger.warn({ screeningId: decision.screeningId, cause: result.cause }, 'fail-open allow (operator configured onUnavailable: allow)');
      metrics.screenings.inc({ outcome: 'allow', path: 'fail-open' });
      req.kycgate = decision;
      next();
      return;
    }
    if (cfg.onUnavailable === 'allow' && partial?.outcome === 'deny') {
      metrics.screenings.inc({ outcome: 'deny', path: 'fail-open' });
      sendProblem(res, new KycError('KYC_ERR_SCREENING_DENIED', 'the request was denied by screening'), { screeningId: result.screeningId });
      return;
    }
    metrics.screenings.inc({ outcome: 'unavailable', path: result.cause });
    res.setHeader('Retry-After', String(cfg.retryAfterSeconds));
    sendProblem(res, new KycError('KYC_ERR_SCREENING_UNAVAILABLE', `screening could not be completed: ${result.message}; the request is held, retry later`), {
      screeningId: result.screeningId,
    });
  };

  return async function kycgateScreenMiddleware(req, res, next) {
    const started = performance.now();
    try {
      const input = extract(cfg, req);
      const customerId = String((input as { id?: unknown }).id ?? '');
      const screener = getScreener();
      const parse = loadedParseCustomer() ?? (await loadParseCustomer());
      if (!screener) {
        // still starting: bad input is the caller's fault (400), never held and never failed open
        checkInputLimits(input, cfg.limits);
        const customer = parse(input);
        holdOrAllow(req, res, next, { kind: 'unavailable', cause: 'lists', message: 'kycgate is still starting', screeningId: randomUUID() }, customer, customer.id);
        return;
      }
      const parsedOrUndefined = () => {
        try {
          return parse(input);
        } catch {
          return undefined;
        }
      };
      const result = await screener.screen(input, {
        policy: cfg.policy,
        budgetMs: cfg.budgetMs,
        actor: cfg.actor,
        inlineMaxParties: cfg.inlineMaxParties,
        limits: cfg.limits,
        parse,
      });
      switch (result.kind) {
        case 'decided': {
          const { decision } = result;
          res.locals['kycgate'] = { screeningId: decision.screeningId, outcome: decision.outcome };
          metrics.screeningDecided(decision.outcome, result.path, (performance.now() - started) / 1000);
          if (decision.outcome === 'allow') {
            req.kycgate = decision;
            next();
          } else if (decision.outcome === 'review' && cfg.onReview === 'accept') {
            const first = result.cases[0];
            res.setHeader('Location', first ? cfg.casePath(first.id) : cfg.screeningPath(decision.screeningId));
            res.status(202).json({ status: 'review', screeningId: decision.screeningId, ...(first ? { caseId: first.id } : {}) });
          } else if (decision.outcome === 'review') {
            sendProblem(res, new KycError('KYC_ERR_SCREENING_REVIEW', 'the request is held for compliance review'), { screeningId: decision.screeningId });
          } else {
            sendProblem(res, new KycError('KYC_ERR_SCREENING_DENIED', 'the request was denied by screening'), { screeningId: decision.screeningId });
          }
          return;
        }
        case 'pending':
          res.locals['kycgate'] = { screeningId: result.screeningId, outcome: 'pending' };
          metrics.screenings.inc({ outcome: 'pending', path: 'slow' });
          metrics.latency.observe({ path: 'slow' }, (performance.now() - started) / 1000);
          res.setHeader('Location', cfg.screeningPath(result.screeningId));
          res.setHeader('Retry-After', '1');
          res.status(202).json({ status: 'pending', screeningId: result.screeningId });
          return;
        case 'unavailable':
          res.locals['kycgate'] = { screeningId: result.screeningId, outcome: 'unavailable', cause: result.cause };
          holdOrAllow(req, res, next, result, parsedOrUndefined(), customerId);
          return;
      }
    } catch (err) {
      const kyc = asKycError(err);
      if (kyc.status >= 500) logger.error({ err, code: kyc.code }, 'screening failed');
      sendProblem(res, kyc);
    }
  };
}
