// Multi-row statements for recording many screenings in one transaction (the write-behind path).
import type { Customer, Decision } from '../../model/index.js';
import type { Db } from '../db.js';
import { json } from './values.js';

/** The subset of `screeningIds` already stored. */
export async function storedScreeningIds(db: Db, screeningIds: readonly string[]): Promise<Set<string>> {
  if (screeningIds.length === 0) return new Set();
  const { rows } = await db.query<{ screening_id: string }>('SELECT screening_id FROM screenings WHERE screening_id = ANY($1::text[])', [screeningIds]);
  return new Set(rows.map((r) => r.screening_id));
}

/**
 * Locks the existing rows of these customers (in id order, so concurrent writers queue instead of
 * deadlocking) and returns their stored fingerprints.
 */
export async function lockCustomers(tx: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await tx.query<{ id: string; fingerprint: string }>('SELECT id, fingerprint FROM customers WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [
    [...ids].sort(),
  ]);
  return new Map(rows.map((r) => [r.id, r.fingerprint]));
}

/** Of these customers, those with an active suppression or an unlapsed licence expired by `now` (they need the full path). */
export async function customersNeedingReview(db: Db, ids: readonly string[], now: Date): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ customer_id: string }>(
    `SELECT customer_id FROM suppressions WHERE customer_id = ANY($1::text[]) AND lifted_at IS NULL
     UNION
     SELECT customer_id FROM licences WHERE customer_id = ANY($1::text[]) AND lapsed_at IS NULL AND expires_at <= $2`,
    [ids, now.toISOString()],
  );
  return new Set(rows.map((r) => r.customer_id));
}

/**
 * Inserts or replaces the latest data of distinct customers in one statement. New customers and those whose
 * fingerprint changed are left unfiled in the name-token index (name_tokens_version NULL): the delta planner
 * files them in bulk before it selects (backfillNameTokens), so the request path never pays for the index.
 */
export async function upsertCustomers(tx: Db, rows: readonly { customer: Customer; fingerprint: string; screeningId: string }[], at: Date): Promise<void> {
  if (rows.length === 0) return;
  const sorted = [...rows].sort((a, b) => (a.customer.id < b.customer.id ? -1 : a.customer.id > b.customer.id ? 1 : 0));
  await tx.query(
    `INSERT INTO customers (id, data, fingerprint, first_seen, last_screened, last_screening_id)
     SELECT t.id, t.data::jsonb, t.fp, $4::timestamptz, $4::timestamptz, t.sid FROM unnest($1::text[], $2::text[], $3::text[], $5::text[]) AS t(id, data, fp, sid)
     ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, fingerprint = EXCLUDED.fingerprint, last_screened = EXCLUDED.last_screened,
       last_screening_id = EXCLUDED.last_screening_id,
       name_tokens_version = CASE WHEN customers.fingerprint = EXCLUDED.fingerprint THEN customers.name_tokens_version END`,
    [sorted.map((r) => r.customer.id), sorted.map((r) => json(r.customer)), sorted.map((r) => r.fingerprint), at.toISOString(), sorted.map((r) => r.screeningId)],
  );
}

/** Inserts screenings in one statement; returns the ids actually inserted (others were stored already). */
export async function insertScreenings(
  tx: Db,
  rows: readonly { customer: Customer; decision: Decision; fingerprint: string; actor: string }[],
  at: Date,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  const { rows: inserted } = await tx.query<{ screening_id: string }>(
    `INSERT INTO screenings (screening_id, customer_id, outcome, decision, customer, fingerprint, lists_version, policy, policy_version, decided_at, recorded_at, actor)
     SELECT t.sid, t.cid, t.outcome, t.decision::jsonb, t.customer::jsonb, t.fp, t.lists, t.policy, t.pv, t.decided::timestamptz, $11::timestamptz, t.actor
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $12::text[])
         AS t(sid, cid, outcome, decision, customer, fp, lists, policy, pv, decided, actor)
     ON CONFLICT (screening_id) DO NOTHING RETURNING screening_id`,
    [
      col((r) => r.decision.screeningId),
      col((r) => r.customer.id),
      col((r) => r.decision.outcome),
      col((r) => json(r.decision)),
      col((r) => json(r.customer)),
      col((r) => r.fingerprint),
      col((r) => r.decision.lists.version),
      col((r) => r.decision.policy),
      col((r) => r.decision.policyVersion ?? null),
      col((r) => r.decision.decidedAt),
      at.toISOString(),
      col((r) => r.actor),
    ],
  );
  return new Set(inserted.map((r) => r.screening_id));
}
