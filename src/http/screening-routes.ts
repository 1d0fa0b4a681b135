// REST screening API: POST /v1/screen (one customer or a batch ≤ 1,000), GET /v1/screenings/:id, GET /v1/lists.
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { ERROR_CATALOG, KycError, isKycError, type ErrorCode } from '../errors.js';
import type { Snapshot } from '../lists/snapshot.js';
import type { Logger } from '../runtime/logger.js';
import { metrics } from './metrics.js';
import { DEFAULT_INPUT_LIMITS, checkInputLimits } from './middleware/input-limits.js';
import type { ParseCustomer } from './middleware/parse.js';
import type { ScreenJobData, ScreeningQueuePort } from './middleware/ports.js';
import type { DecisionRecorder } from './middleware/decision-recorder.js';
import type { Screener, ScreenResult } from './middleware/screener.js';
import { sendProblem } from './problem.js';

/** Largest batch accepted by POST /v1/screen. */
export const MAX_BATCH = 1000;

export interface ScreeningRouteDeps {
  screener: Screener;
  parse: () => Promise<ParseCustomer>;
  queue?: ScreeningQueuePort | undefined;
  recorder?: DecisionRecorder | undefined;
  snapshot: () => Snapshot | undefined;
  /** Guards of each route: authenticate + role. */
  guard: { screen: RequestHandler[]; read: RequestHandler[] };
  defaultPolicy?: string;
  inlineMaxParties: number;
}

const querySchema = z.strictObject({
  policy: z.string().min(1).max(100).optional(),
  /** How long to wait for an answer before 202, ms. */
  wait: z.coerce.number().int().min(0).max(30_000).optional(),
});

const screenPath = (id: string) => `/v1/screenings/${encodeURIComponent(id)}`;

type BatchItem =
  | { index: number; status: 'done'; decision: unknown }
  | { index: number; status: 'pending'; screeningId: string; location: string }
  | { index: number; status: 'error'; id: string | null; error: { code: string; message: string } }
  | { index: number; status: 'unavailable'; id: string | null; error: { code: string; message: string } };

/** A held screening: 503 problem+json (sendProblem adds the default Retry-After). */
function unavailable(res: Response, result: Extract<ScreenResult, { kind: 'unavailable' }>): void {
  sendProblem(res, new KycError('KYC_ERR_SCREENING_UNAVAILABLE', `screening could not be completed: ${result.message}`), { screeningId: result.screeningId });
}

const logOf = (req: Request) => (req as Request & { log?: Logger }).log;

/** The batch record of an item whose screening threw: the caller's fault keeps its code and message; anything else says only "unavailable" or "internal". */
function itemFailure(req: Request, index: number, id: string, err: unknown): BatchItem {
  if (isKycError(err) && err.status < 500) return { index, status: 'error', id, error: { code: err.code, message: err.message } };
  logOf(req)?.error({ err, index }, 'batch item screening failed');
  if (isKycError(err) && err.status === 503) return { index, status: 'unavailable', id, error: { code: err.code, message: 'screening is unavailable; retry later' } };
  return { index, status: 'error', id, error: { code: 'KYC_ERR_INTERNAL', message: 'unexpected internal error' } };
}

/**
 * The error of a failed slow-path job, without its raw failedReason: a job that failed on its input
 * (the worker marks those `KYC_ERR_…: message`, unrecoverable) is that 4xx; anything else 503 + Retry-After.
 */
function failedJobError(req: Request, screeningId: string, reason: string): KycError {
  const m = /^(KYC_ERR_[A-Z_]+): ([\s\S]*)$/.exec(reason);
  const code = m?.[1] as ErrorCode | undefined;
  if (code && Object.hasOwn(ERROR_CATALOG, code) && ERROR_CATALOG[code].status >= 400 && ERROR_CATALOG[code].status < 500) {
    return new KycError(code, m![2]!.slice(0, 500), { screeningId });
  }
  logOf(req)?.warn({ screeningId, reason }, 'slow-path screening failed');
  return new KycError('KYC_ERR_SCREENING_UNAVAILABLE', 'the screening could not be completed; submit it again later', { screeningId });
}

export function createScreeningRouter(deps: ScreeningRouteDeps): Router {
  const router = Router();
  const actorOf = (req: Request) => `api:${(req as Request & { principal?: { id?: string } }).principal?.id ?? 'unknown'}`;

  router.post('/v1/screen', ...deps.guard.screen, async function screenRoute(req, res) {
    const query = querySchema.parse(req.query);
    const body: unknown = req.body;
    const batch = Array.isArray(body) ? body : body && typeof body === 'object' && Array.isArray((body as { customers?: unknown }).customers) ? (body as { customers: unknown[] }).customers : undefined;
    const parse = await deps.parse();
    const policy = query.policy;
    const started = performance.now();
    if (!batch) {
      if (!body || typeof body !== 'object') throw new KycError('KYC_ERR_INPUT_INVALID', 'the body must be a customer object, an array of customers or {"customers": [...]}');
      const result = await deps.screener.screen(body, {
        policy,
        budgetMs: query.wait ?? 5000,
        actor: actorOf(req),
        inlineMaxParties: deps.inlineMaxParties,
        limits: DEFAULT_INPUT_LIMITS,
        parse,
      });
      metrics.latency.observe({ path: 'api' }, (performance.now() - started) / 1000);
      if (result.kind === 'decided') {
        metrics.screenings.inc({ outcome: result.decision.outcome, path: 'api' });
        const first = result.cases[0];
        if (first) res.setHeader('Link', `</v1/cases/${encodeURIComponent(first.id)}>; rel="case"`);
        res.status(200).json(result.decision);
      } else if (result.kind === 'pending') {
        metrics.screenings.inc({ outcome: 'pending', path: 'api' });
        res.setHeader('Location', screenPath(result.screeningId)).setHeader('Retry-After', '1');
        res.status(202).json({ status: 'pending', screeningId: result.screeningId });
      } else {
        metrics.screenings.inc({ outcome: 'unavailable', path: 'api' });
        unavailable(res, result);
      }
      return;
    }
    if (batch.length > MAX_BATCH) throw new KycError('KYC_ERR_INPUT_TOO_LARGE', `a batch holds at most ${MAX_BATCH} customers (got ${batch.length})`, { limit: MAX_BATCH });
    const items: BatchItem[] = new Array(batch.length);
    const valid: { index: number; data: ScreenJobData }[] = [];
    const now = new Date();
    batch.forEach((input, index) => {
      const id = input && typeof input === 'object' && typeof (input as { id?: unknown }).id === 'string' ? (input as { id: string }).id : null;
      try {
        checkInputLimits(input, DEFAULT_INPUT_LIMITS);
        const customer = parse(input);
        valid.push({ index, data: { screeningId: randomUUID(), customer, requestedAt: now.toISOString(), actor: actorOf(req), ...(policy ? { policy } : {}) } });
      } catch (err) {
        if (!isKycError(err)) throw err;
        items[index] = { index, status: 'error', id, error: { code: err.code, message: err.message } };
      }
    });
    const queue = deps.queue;
    if (queue) {
      // Batch → slow path: every job on the queue, wait up to `wait`, the rest is polled.
      if (!queue.healthy) throw new KycError('KYC_ERR_SCREENING_UNAVAILABLE', 'the job queue (Redis) is unavailable; the batch is held', { retryAfterSeconds: 5 });
      let results: Awaited<ReturnType<ScreeningQueuePort['submitMany']>>;
      try {
        results = await queue.submitMany(valid.map((v) => v.data), query.wait ?? 10_000);
      } catch (err) {
        throw new KycError('KYC_ERR_SCREENING_UNAVAILABLE', 'the job queue (Redis) is unavailable; the batch is held', { retryAfterSeconds: 5 }, { cause: err });
      }
      valid.forEach((v, i) => {
        const r = results[i];
        items[v.index] = r
          ? { index: v.index, status: 'done', decision: r.decision }
          : { index: v.index, status: 'pending', screeningId: v.data.screeningId, location: screenPath(v.data.screeningId) };
      });
    } else {
      // No Redis: in-process, yielding to the event loop so other requests keep flowing.
      for (const [n, v] of valid.entries()) {
        if (n % 20 === 19) await yieldToLoop();
        const id = v.data.customer.id;
        let r: ScreenResult;
        try {
          r = await deps.screener.screen(v.data.customer, { policy, budgetMs: 5000, actor: v.data.actor, inlineMaxParties: Number.MAX_SAFE_INTEGER, limits: DEFAULT_INPUT_LIMITS, parse });
        } catch (err) {
          // one item's failure (e.g. an unknown GPU model found at screening) is that item's record, not the batch's
          items[v.index] = itemFailure(req, v.index, id, err);
          continue;
        }
        if (r.kind === 'decided') items[v.index] = { index: v.index, status: 'done', decision: r.decision };
        else if (r.kind === 'pending') items[v.index] = { index: v.index, status: 'pending', screeningId: r.screeningId, location: screenPath(r.screeningId) };
        else items[v.index] = { index: v.index, status: 'unavailable', id, error: { code: 'KYC_ERR_SCREENING_UNAVAILABLE', message: r.message } };
      }
    }
    for (const it of items) {
      if (it.status === 'done') metrics.screenings.inc({ outcome: (it.decision as { outcome: string }).outcome, path: 'api' });
      else metrics.screenings.inc({ outcome: it.status === 'error' ? 'invalid' : it.status, path: 'api' });
    }
    const decided = items.some((it) => it.status === 'done' || it.status === 'pending');
    if (!decided && items.some((it) => it.status === 'unavailable')) {
      // nothing could be screened: hold the batch like a single customer (the records ride along)
      sendProblem(res, new KycError('KYC_ERR_SCREENING_UNAVAILABLE', 'screening is unavailable: no customer of the batch could be screened; retry later'), { results: items });
      return;
    }
    const pending = items.some((it) => it.status === 'pending');
    res.status(pending ? 202 : 200).json({ status: pending ? 'pending' : 'done', results: items });
  });

  router.get('/v1/screenings/:id', ...deps.guard.read, async function getScreeningRoute(req, res) {
    const id = z.string().min(1).max(200).parse(req.params['id']);
    const buffered = deps.recorder?.pending(id);
    if (buffered) {
      res.json(buffered);
      return;
    }
    const stored = await deps.screener.deps.review?.getScreening(id);
    if (stored) {
      res.json(stored);
      return;
    }
    const job = deps.queue ? await deps.queue.status(id) : undefined;
    if (job?.state === 'done') {
      res.json(job.result.decision);
      return;
    }
    if (job?.state === 'pending') {
      res.setHeader('Location', screenPath(id)).setHeader('Retry-After', '1');
      res.status(202).json({ status: 'pending', screeningId: id });
      return;
    }
    if (job?.state === 'failed') throw failedJobError(req, id, job.reason);
    throw new KycError('KYC_ERR_NOT_FOUND', `no screening ${id}`);
  });

  router.get('/v1/lists', ...deps.guard.read, function listsRoute(_req, res) {
    const snap = deps.snapshot();
    if (!snap) throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', 'no list snapshot is loaded yet', { retryAfterSeconds: 10 });
    res.json(describeSnapshot(snap, new Date()));
  });

  return router;
}

/** Versions, counts and freshness of a snapshot (no entries). */
export function describeSnapshot(snap: Snapshot, now: Date) {
  return {
    snapshot: snap.id,
    createdAt: snap.createdAt,
    ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(snap.createdAt)) / 1000)),
    counts: snap.counts,
    sources: snap.sources.map((s) => ({
      source: s.source,
      publishedAt: s.publishedAt ?? null,
      retrievedAt: s.retrievedAt,
      counts: s.counts,
      files: s.files.map((f) => ({ name: f.name, sha256: f.sha256, bytes: f.bytes, rows: f.rows, entries: f.entries, publishedAt: f.publishedAt ?? null })),
    })),
  };
}
