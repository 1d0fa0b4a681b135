// Screened customers (latest data + fingerprint) and screenings with their full decision evidence.
import type { Customer, Decision } from '../../model/index.js';
import type { Db } from '../db.js';
import { iso, json } from './values.js';

export interface StoredCustomer {
  id: string;
  data: Customer;
  fingerprint: string;
  firstSeen: string;
  lastScreened: string;
  lastScreeningId: string;
}

/** Inserts or replaces the customer's latest data; returns the fingerprint it had before (undefined when new). */
export async function upsertCustomer(
  tx: Db,
  customer: Customer,
  fingerprint: string,
  screeningId: string,
  at: Date,
): Promise<{ previousFingerprint: string | undefined }> {
  const lock = async () => (await tx.query<{ fingerprint: string }>('SELECT fingerprint FROM customers WHERE id = $1 FOR UPDATE', [customer.id])).rows[0]?.fingerprint;
  let previous = await lock();
  if (previous === undefined) {
    const { rows: inserted } = await tx.query(
      `INSERT INTO customers (id, data, fingerprint, first_seen, last_screened, last_screening_id) VALUES ($1, $2::jsonb, $3, $4, $4, $5)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [customer.id, json(customer), fingerprint, at.toISOString(), screeningId],
    );
    if (inserted.length > 0) return { previousFingerprint: undefined };
    // a concurrent writer created the customer first: queue behind it like any update
    previous = await lock();
  }
  // a changed identity is unfiled from the name-token index until the delta planner re-files it (backfillNameTokens)
  await tx.query(
    `UPDATE customers SET data = $2::jsonb, fingerprint = $3, last_screened = $4, last_screening_id = $5,
       name_tokens_version = CASE WHEN fingerprint = $3 THEN name_tokens_version END WHERE id = $1`,
    [customer.id, json(customer), fingerprint, at.toISOString(), screeningId],
  );
  return { previousFingerprint: previous };
}

export async function getCustomer(db: Db, id: string): Promise<StoredCustomer | undefined> {
  const { rows } = await db.query<{ id: string; data: Customer; fingerprint: string; first_seen: unknown; last_screened: unknown; last_screening_id: string }>(
    'SELECT id, data, fingerprint, first_seen, last_screened, last_screening_id FROM customers WHERE id = $1',
    [id],
  );
  const r = rows[0];
  return r
    ? { id: r.id, data: r.data, fingerprint: r.fingerprint, firstSeen: iso(r.first_seen), lastScreened: iso(r.last_screened), lastScreeningId: r.last_screening_id }
    : undefined;
}

/** Inserts a screening; false when one with this screeningId is already stored (idempotent retries). */
export async function insertScreening(
  tx: Db,
  s: { customer: Customer; decision: Decision; fingerprint: string; actor: string },
  at: Date,
): Promise<boolean> {
  const d = s.decision;
  const { rows } = await tx.query<{ screening_id: string }>(
    `INSERT INTO screenings (screening_id, customer_id, outcome, decision, customer, fingerprint, lists_version, policy, policy_version, decided_at, recorded_at, actor)
     VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (screening_id) DO NOTHING RETURNING screening_id`,
    [
      d.screeningId,
      s.customer.id,
      d.outcome,
      json(d),
      json(s.customer),
      s.fingerprint,
      d.lists.version,
      d.policy,
      d.policyVersion ?? null,
      d.decidedAt,
      at.toISOString(),
      s.actor,
    ],
  );
  return rows.length > 0;
}

export async function getScreening(db: Db, screeningId: string): Promise<{ decision: Decision; customer: Customer; fingerprint: string } | undefined> {
  const { rows } = await db.query<{ decision: Decision; customer: Customer; fingerprint: string }>(
    'SELECT decision, customer, fingerprint FROM screenings WHERE screening_id = $1',
    [screeningId],
  );
  return rows[0];
}
