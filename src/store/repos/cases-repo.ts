// Review cases and their events: insert, lock, update with a version bump, list with filters and paging.
import type { Hit, Reason } from '../../model/index.js';
import type { CaseLevel, CaseStatus, Proposal } from '../../review/case-rules.js';
import type { Db } from '../db.js';
import { iso, json, num } from './values.js';

export interface CaseRow {
  id: string;
  caseKey: string;
  customerId: string;
  kind: 'entry' | 'reason';
  list: string | null;
  sourceId: string | null;
  reasonCode: string | null;
  subject: string | null;
  level: CaseLevel;
  status: CaseStatus;
  score: number | null;
  assignee: string | null;
  screeningId: string;
  customerFingerprint: string;
  entryHash: string | null;
  hit: Hit | null;
  reason: Reason | null;
  proposal: Proposal | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  openedAt: string;
  updatedAt: string;
  version: number;
}

export interface CaseEvent {
  id: number;
  caseId: string;
  at: string;
  actor: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  detail: unknown;
}

const COLUMNS = `id, case_key, customer_id, kind, list, source_id, reason_code, subject, level, status, score, assignee, screening_id,
  customer_fingerprint, entry_hash, hit, reason, proposal, decided_by, decided_at, decision_reason, opened_at, updated_at, version`;

type Raw = Record<string, unknown>;

/** Columns a case row and a queue row share. */
function caseHeader(r: Raw) {
  return {
    id: r.id as string,
    customerId: r.customer_id as string,
    kind: r.kind as CaseRow['kind'],
    list: (r.list as string | null) ?? null,
    sourceId: (r.source_id as string | null) ?? null,
    reasonCode: (r.reason_code as string | null) ?? null,
    subject: (r.subject as string | null) ?? null,
    level: r.level as CaseLevel,
    status: r.status as CaseStatus,
    score: r.score === null || r.score === undefined ? null : num(r.score),
    assignee: (r.assignee as string | null) ?? null,
    openedAt: iso(r.opened_at),
    updatedAt: iso(r.updated_at),
    version: num(r.version),
  };
}

function toCase(r: Raw): CaseRow {
  return {
    ...caseHeader(r),
    caseKey: r.case_key as string,
    screeningId: r.screening_id as string,
    customerFingerprint: r.customer_fingerprint as string,
    entryHash: (r.entry_hash as string | null) ?? null,
    hit: (r.hit as Hit | null) ?? null,
    reason: (r.reason as Reason | null) ?? null,
    proposal: (r.proposal as Proposal | null) ?? null,
    decidedBy: (r.decided_by as string | null) ?? null,
    decidedAt: iso(r.decided_at, true),
    decisionReason: (r.decision_reason as string | null) ?? null,
  };
}

export async function getCase(db: Db, id: string, opts: { forUpdate?: boolean } = {}): Promise<CaseRow | undefined> {
  const { rows } = await db.query<Raw>(`SELECT ${COLUMNS} FROM cases WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ? toCase(rows[0]) : undefined;
}

export async function getCaseByKey(db: Db, key: string, opts: { forUpdate?: boolean } = {}): Promise<CaseRow | undefined> {
  const { rows } = await db.query<Raw>(`SELECT ${COLUMNS} FROM cases WHERE case_key = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [key]);
  return rows[0] ? toCase(rows[0]) : undefined;
}

export async function casesOfCustomer(db: Db, customerId: string): Promise<CaseRow[]> {
  const { rows } = await db.query<Raw>(`SELECT ${COLUMNS} FROM cases WHERE customer_id = $1 ORDER BY opened_at`, [customerId]);
  return rows.map(toCase);
}

/** Inserts a case; returns false when a concurrent screening created the same case key first. */
export async function insertCase(tx: Db, c: CaseRow): Promise<boolean> {
  const { rows } = await tx.query(
    `INSERT INTO cases (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, $17::jsonb, $18::jsonb,
       $19, $20, $21, $22, $23, $24) ON CONFLICT (case_key) DO NOTHING RETURNING id`,
    [
      c.id, c.caseKey, c.customerId, c.kind, c.list, c.sourceId, c.reasonCode, c.subject, c.level, c.status, c.score, c.assignee, c.screeningId,
      c.customerFingerprint, c.entryHash, json(c.hit), json(c.reason), json(c.proposal), c.decidedBy, c.decidedAt, c.decisionReason, c.openedAt,
      c.updatedAt, c.version,
    ],
  );
  return rows.length > 0;
}

/** Writes the mutable columns and bumps `version`, only if the stored version is still `c.version` (else false). */
export async function updateCase(tx: Db, c: CaseRow): Promise<boolean> {
  const { rows } = await tx.query(
    `UPDATE cases SET level = $3, status = $4, score = $5, assignee = $6, screening_id = $7, customer_fingerprint = $8, entry_hash = $9,
       hit = $10::jsonb, reason = $11::jsonb, proposal = $12::jsonb, decided_by = $13, decided_at = $14, decision_reason = $15, updated_at = $16,
       subject = $17, version = version + 1
     WHERE id = $1 AND version = $2 RETURNING id`,
    [
      c.id, c.version, c.level, c.status, c.score, c.assignee, c.screeningId, c.customerFingerprint, c.entryHash, json(c.hit), json(c.reason),
      json(c.proposal), c.decidedBy, c.decidedAt, c.decisionReason, c.updatedAt, c.subject,
    ],
  );
  return rows.length > 0;
}

export async function insertCaseEvent(tx: Db, e: Omit<CaseEvent, 'id'>): Promise<void> {
  await tx.query('INSERT INTO case_events (case_id, at, actor, action, from_status, to_status, detail) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)', [
    e.caseId,
    e.at,
    e.actor,
    e.action,
    e.fromStatus,
    e.toStatus,
    json(e.detail),
  ]);
}

export async function caseEvents(db: Db, caseId: string): Promise<CaseEvent[]> {
  const { rows } = await db.query<Raw>('SELECT id, case_id, at, actor, action, from_status, to_status, detail FROM case_events WHERE case_id = $1 ORDER BY id', [
    caseId,
  ]);
  return rows.map((r) => ({
    id: num(r.id),
    caseId: r.case_id as string,
    at: iso(r.at),
    actor: r.actor as string,
    action: r.action as string,
    fromStatus: (r.from_status as string | null) ?? null,
    toStatus: (r.to_status as string | null) ?? null,
    detail: r.detail ?? null,
  }));
}

export interface CaseFilter {
  status?: CaseStatus[];
  assignee?: string;
  list?: string;
  customerId?: string;
  sort: 'score' | 'age';
  page: number;
  pageSize: number;
}

export interface CaseListItem extends Pick<CaseRow, 'id' | 'customerId' | 'kind' | 'list' | 'sourceId' | 'reasonCode' | 'subject' | 'level' | 'status' | 'score' | 'assignee' | 'openedAt' | 'updatedAt' | 'version'> {
  customerName: string;
  matchedName: string | null;
  proposal: boolean;
}

/** WHERE clause and parameters of a filter (optionally ignoring its status part, for the per-status counts). */
function whereOf(f: CaseFilter, withStatus: boolean): { cond: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (withStatus && f.status && f.status.length > 0) add('c.status = ANY(?::text[])', f.status);
  if (f.assignee) add('c.assignee = ?', f.assignee);
  if (f.list) add('c.list = ?', f.list);
  if (f.customerId) add('c.customer_id = ?', f.customerId);
  return { cond: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

export async function listCases(db: Db, f: CaseFilter): Promise<{ items: CaseListItem[]; total: number; counts: Record<string, number> }> {
  const { cond, params } = whereOf(f, true);
  const order = f.sort === 'score' ? 'c.score DESC NULLS LAST, c.opened_at ASC, c.id' : 'c.opened_at ASC, c.id';
  const n = params.length;
  const { rows } = await db.query<Raw>(
    `SELECT c.id, c.customer_id, c.kind, c.list, c.source_id, c.reason_code, c.subject, c.level, c.status, c.score, c.assignee, c.opened_at,
            c.updated_at, c.version, c.proposal IS NOT NULL AS has_proposal, cu.data->>'name' AS customer_name, c.hit->>'matchedName' AS matched_name
       FROM cases c JOIN customers cu ON cu.id = c.customer_id ${cond}
      ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...params, f.pageSize, (f.page - 1) * f.pageSize],
  );
  const totalRes = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM cases c ${cond}`, params);
  const byStatus = whereOf(f, false);
  const counts = await db.query<{ status: string; n: unknown }>(`SELECT c.status, count(*) AS n FROM cases c ${byStatus.cond} GROUP BY c.status`, byStatus.params);
  return {
    items: rows.map((r) => ({
      ...caseHeader(r),
      customerName: (r.customer_name as string) ?? '',
      matchedName: (r.matched_name as string | null) ?? null,
      proposal: Boolean(r.has_proposal),
    })),
    total: num(totalRes.rows[0]?.n ?? 0),
    counts: Object.fromEntries(counts.rows.map((r) => [r.status, num(r.n)])),
  };
}
