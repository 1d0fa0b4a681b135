// REST routes of the review workflow (/v1/cases…, /v1/audit, /v1/whoami) and the officers' web page at /review.
import express, { Router, type Request, type Response } from 'express';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { KycError } from '../errors.js';
import { REASON_CODES, type ListCode, type ListEntry, type ReasonCode } from '../model/index.js';
import { verifyAudit } from '../store/services/audit-service.js';
import { CASE_STATUSES, type CaseStatus } from '../review/case-rules.js';
import type { ReviewService } from '../store/services/review-service.js';
import { OFFICER_ROLES, ROLES, type Principal, type Role } from '../review/roles.js';
import type { Db } from '../store/db.js';
import { readAudit } from '../store/repos/audit-repo.js';
import { authenticate, requireRole } from './auth.js';

export interface ReviewRouterDeps {
  db: Db;
  review: ReviewService;
  /** Looks up the full list entry of a hit for the side-by-side view (e.g. from the loaded snapshot). Optional. */
  entryLookup?: (list: string, sourceId: string) => ListEntry | undefined;
  /**
   * Maximum JSON body size of the review routes, bytes.
   * @defaultValue 100000
   */
  bodyLimitBytes?: number;
}

/** Which roles may call each endpoint (deny by default: anything not listed here is refused). */
export const REVIEW_ROUTE_ROLES = Object.freeze({
  'GET /v1/cases': OFFICER_ROLES,
  'GET /v1/cases/:id': OFFICER_ROLES,
  'POST /v1/cases/:id/assign': OFFICER_ROLES,
  'POST /v1/cases/:id/decision': OFFICER_ROLES,
  'POST /v1/cases/:id/licences': OFFICER_ROLES,
  'GET /v1/audit': ['admin'],
  'GET /v1/audit/verify': ['admin'],
  'GET /v1/whoami': ROLES,
} satisfies Record<string, readonly Role[]>);

const PAGE_DIR = fileURLToPath(new URL('./review-page/', import.meta.url));

const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 date or timestamp');

const listQuery = z
  .object({
    status: z
      .string()
      .optional()
      .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined))
      .pipe(z.array(z.enum(CASE_STATUSES as [CaseStatus, ...CaseStatus[]])).optional()),
    assignee: z.string().min(1).max(200).optional(),
    list: z.string().min(1).max(40).optional(),
    customer: z.string().min(1).max(200).optional(),
    sort: z.enum(['score', 'age']).default('age'),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

const licenceBody = z
  .object({
    agency: z.string().trim().min(1).max(100),
    number: z.string().trim().min(1).max(200),
    scope: z.string().trim().max(2000).optional(),
    expiresAt: isoDate,
    list: z
      .string()
      .regex(/^[A-Z][A-Z_-]{1,39}$/, 'a list code such as SDN, ENTITY_LIST, DPL')
      .transform((v) => v as ListCode)
      .optional(),
    sourceId: z.string().min(1).max(200).optional(),
    codes: z.array(z.enum(REASON_CODES as [ReasonCode, ...ReasonCode[]])).min(1).optional(),
  })
  .strict();

const decisionBody = z
  .object({
    decision: z.enum(['clear', 'confirm', 'escalate']),
    reason: z.string().trim().min(3, 'a decision needs a reason (at least 3 characters)').max(5000),
    licence: licenceBody.optional(),
    version: z.number().int().min(1).optional(),
  })
  .strict();

const assignBody = z
  .object({ assignee: z.string().min(1).max(200).optional(), version: z.number().int().min(1).optional() })
  .strict();

const auditQuery = z.object({ from: isoDate.optional(), to: isoDate.optional() }).strict();

const caseId = z.string().min(1).max(100);

/**
 * The case version the caller saw: the body's `version`, else the If-Match header (`"3"`, `W/"3"` or `3`).
 * Required on changes, so two officers acting on the same case never overwrite each other: a missing,
 * unreadable or disagreeing one is 409 `KYC_ERR_CONFLICT` (the catalog has no 428).
 */
function expectedVersion(req: Request, bodyVersion: number | undefined): number {
  const header = req.get('if-match');
  let fromHeader: number | undefined;
  if (header !== undefined && header.trim() !== '') {
    const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
    if (!m) throw new KycError('KYC_ERR_CONFLICT', `If-Match must be the case version you saw (e.g. "3"), got ${JSON.stringify(header)}; reload the case and try again`);
    fromHeader = Number(m[1]);
  }
  if (bodyVersion !== undefined && fromHeader !== undefined && bodyVersion !== fromHeader) {
    throw new KycError('KYC_ERR_CONFLICT', `the body's version ${bodyVersion} and If-Match ${fromHeader} disagree; reload the case and try again`);
  }
  const version = bodyVersion ?? fromHeader;
  if (version === undefined) {
    throw new KycError('KYC_ERR_CONFLICT', 'the case version you saw is required (body "version" or an If-Match header), so a change made meanwhile by another officer is not overwritten; reload the case and try again', {
      missing: 'version',
    });
  }
  return version;
}

/** The case's new version as an ETag on a change's response (not on GET: the case detail holds more than the row). */
function setVersionTag(res: Response, version: number): void {
  res.setHeader('ETag', `"${version}"`);
}

function principal(req: Request): Principal {
  if (!req.principal) throw new KycError('KYC_ERR_UNAUTHORIZED', 'credentials required');
  return req.principal;
}

/** Writes NDJSON lines honouring back-pressure. */
async function writeLine(res: Response, value: unknown): Promise<void> {
  if (!res.write(`${JSON.stringify(value)}\n`)) await new Promise<void>((resolve) => res.once('drain', resolve));
}

/** The review router: mount at the app root. Every /v1 route authenticates and checks roles (REVIEW_ROUTE_ROLES). */
export function createReviewRouter(deps: ReviewRouterDeps): Router {
  const { db, review } = deps;
  const router = Router();
  const auth = authenticate(db);
  const json = express.json({ limit: deps.bodyLimitBytes ?? 100_000 });
  const guard = (route: keyof typeof REVIEW_ROUTE_ROLES) => [auth, requireRole(...REVIEW_ROUTE_ROLES[route])];

  router.get('/v1/whoami', ...guard('GET /v1/whoami'), (req, res) => {
    res.json(principal(req));
  });

  router.get('/v1/cases', ...guard('GET /v1/cases'), async (req, res) => {
    const q = listQuery.parse(req.query);
    const result = await review.listCases({ status: q.status, assignee: q.assignee, list: q.list, customerId: q.customer, sort: q.sort, page: q.page, pageSize: q.pageSize });
    res.json({ page: q.page, pageSize: q.pageSize, sort: q.sort, ...result });
  });

  router.get('/v1/cases/:id', ...guard('GET /v1/cases/:id'), async (req, res) => {
    const detail = await review.getCase(caseId.parse(req.params.id));
    const c = detail.case;
    const entry = c.list && c.sourceId && deps.entryLookup ? (deps.entryLookup(c.list, c.sourceId) ?? null) : null;
    res.json({ ...detail, entry });
  });

  router.post('/v1/cases/:id/assign', ...guard('POST /v1/cases/:id/assign'), json, async (req, res) => {
    const body = assignBody.parse(req.body ?? {});
    const updated = await review.assign(caseId.parse(req.params.id), principal(req), { ...body, version: expectedVersion(req, body.version) });
    setVersionTag(res, updated.version);
    res.json(updated);
  });

  router.post('/v1/cases/:id/decision', ...guard('POST /v1/cases/:id/decision'), json, async (req, res) => {
    const body = decisionBody.parse(req.body ?? {});
    const updated = await review.decide(caseId.parse(req.params.id), principal(req), { ...body, version: expectedVersion(req, body.version) });
    setVersionTag(res, updated.version);
    res.status(updated.proposal ? 202 : 200).json(updated);
  });

  router.post('/v1/cases/:id/licences', ...guard('POST /v1/cases/:id/licences'), json, async (req, res) => {
    const body = licenceBody.parse(req.body ?? {});
    res.status(201).json(await review.addLicence(caseId.parse(req.params.id), principal(req), body));
  });

  router.get('/v1/audit', ...guard('GET /v1/audit'), async (req, res) => {
    const q = auditQuery.parse(req.query);
    const rows = readAudit(db, { from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined });
    let first = await rows.next();
    res.status(200).type('application/x-ndjson');
    for (; !first.done; first = await rows.next()) await writeLine(res, first.value);
    res.end();
  });

  router.get('/v1/audit/verify', ...guard('GET /v1/audit/verify'), async (_req, res) => {
    res.json(await verifyAudit(db));
  });

  // the web page: static files, public (they hold no data; every call they make carries the officer's key)
  const page = (file: string, type: string) => (_req: Request, res: Response) => {
    res.setHeader('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.type(type).sendFile(file, { root: PAGE_DIR });
  };
  router.get('/review', page('index.html', 'html'));
  router.get('/review/app.js', page('app.js', 'js'));
  router.get('/review/style.css', page('style.css', 'css'));
  return router;
}
