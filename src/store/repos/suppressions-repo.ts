// False-positive suppressions (customer–entry pairs) and licences recorded on cases.
import type { Licence, ListCode, ReasonCode, Suppression } from '../../model/index.js';
import type { Db } from '../db.js';
import { iso, json } from './values.js';

export interface SuppressionRow extends Suppression {
  id: string;
  entryHash: string;
  customerFingerprint: string;
  createdBy: string;
}

export async function insertSuppression(tx: Db, s: SuppressionRow): Promise<void> {
  await tx.query(
    `INSERT INTO suppressions (id, case_id, customer_id, list, source_id, customer_fingerprint, entry_hash, since, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [s.id, s.caseId, s.customerId, s.list, s.sourceId, s.customerFingerprint, s.entryHash, s.since, s.createdBy],
  );
}

/** Active (not lifted) suppressions of a customer. */
export async function activeSuppressions(db: Db, customerId: string): Promise<SuppressionRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT id, case_id, customer_id, list, source_id, customer_fingerprint, entry_hash, since, created_by
       FROM suppressions WHERE customer_id = $1 AND lifted_at IS NULL ORDER BY since`,
    [customerId],
  );
  return rows.map((r) => ({
    id: r.id as string,
    caseId: r.case_id as string,
    customerId: r.customer_id as string,
    list: r.list as ListCode,
    sourceId: r.source_id as string,
    customerFingerprint: r.customer_fingerprint as string,
    entryHash: r.entry_hash as string,
    since: iso(r.since),
    createdBy: r.created_by as string,
  }));
}

export async function liftSuppression(tx: Db, id: string, reason: string, at: Date): Promise<void> {
  await tx.query('UPDATE suppressions SET lifted_at = $2, lifted_reason = $3 WHERE id = $1 AND lifted_at IS NULL', [id, at.toISOString(), reason]);
}

export interface LicenceRow extends Licence {
  id: string;
  caseId: string;
  customerId: string;
  createdBy: string;
  createdAt: string;
  lapsedAt: string | null;
}

export async function insertLicence(tx: Db, l: LicenceRow): Promise<void> {
  await tx.query(
    `INSERT INTO licences (id, case_id, customer_id, agency, number, scope, expires_at, list, source_id, codes, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)`,
    [l.id, l.caseId, l.customerId, l.agency, l.number, l.scope ?? null, l.expiresAt, l.list ?? null, l.sourceId ?? null, json(l.codes), l.createdBy, l.createdAt],
  );
}

const LICENCE_COLUMNS = 'id, case_id, customer_id, agency, number, scope, expires_at, list, source_id, codes, created_by, created_at, lapsed_at';

function toLicence(r: Record<string, unknown>): LicenceRow {
  const l: LicenceRow = {
    id: r.id as string,
    caseId: r.case_id as string,
    customerId: r.customer_id as string,
    agency: r.agency as string,
    number: r.number as string,
    expiresAt: iso(r.expires_at),
    createdBy: r.created_by as string,
    createdAt: iso(r.created_at),
    lapsedAt: iso(r.lapsed_at, true),
  };
  if (r.scope) l.scope = r.scope as string;
  if (r.list) l.list = r.list as ListCode;
  if (r.source_id) l.sourceId = r.source_id as string;
  if (r.codes) l.codes = r.codes as ReasonCode[];
  return l;
}

export async function licencesOf(db: Db, by: { customerId?: string; caseId?: string }): Promise<LicenceRow[]> {
  const col = by.caseId ? 'case_id' : 'customer_id';
  const { rows } = await db.query<Record<string, unknown>>(`SELECT ${LICENCE_COLUMNS} FROM licences WHERE ${col} = $1 ORDER BY created_at`, [
    by.caseId ?? by.customerId,
  ]);
  return rows.map(toLicence);
}

/**
 * Licences screening may honour for a customer at `now`: not lapsed, not expired, and recorded on a
 * deny-level case that is cleared — i.e. one two officers cleared (four-eyes).
 * A licence on a case that is open, under review, escalated, confirmed, or review-level (one officer)
 * relaxes nothing. Licences are limited to their case when recorded (scopeLicence).
 */
export async function effectiveLicencesOf(db: Db, customerId: string, now: Date): Promise<LicenceRow[]> {
  const cols = LICENCE_COLUMNS.split(', ').map((c) => `l.${c}`).join(', ');
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT ${cols} FROM licences l JOIN cases c ON c.id = l.case_id
      WHERE l.customer_id = $1 AND l.lapsed_at IS NULL AND l.expires_at > $2 AND c.level = 'deny' AND c.status = 'cleared'
      ORDER BY l.created_at`,
    [customerId, now.toISOString()],
  );
  return rows.map(toLicence);
}

/** Licences past expiry not yet marked lapsed (optionally of one customer), locked for the caller's transaction. */
export async function expiredUnlapsed(tx: Db, now: Date, customerId?: string): Promise<LicenceRow[]> {
  const { rows } = await tx.query<Record<string, unknown>>(
    `SELECT ${LICENCE_COLUMNS} FROM licences WHERE lapsed_at IS NULL AND expires_at <= $1 AND ($2::text IS NULL OR customer_id = $2)
      ORDER BY case_id, id FOR UPDATE SKIP LOCKED`,
    [now.toISOString(), customerId ?? null],
  );
  return rows.map(toLicence);
}

export async function markLapsed(tx: Db, id: string, at: Date): Promise<void> {
  await tx.query('UPDATE licences SET lapsed_at = $2 WHERE id = $1', [id, at.toISOString()]);
}
