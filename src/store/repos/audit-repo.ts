// Audit log rows: append (serialized by an advisory lock, chained by hash) and read in seq order.
import { auditHash, GENESIS_HASH, type AuditRow } from '../../review/audit-chain.js';
import type { Db } from '../db.js';
import { iso, json, num } from './values.js';

/** Advisory lock key serializing appends, so the chain never forks. */
const AUDIT_LOCK = 74_120_002;

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  before?: unknown;
  after?: unknown;
}

interface Raw {
  seq: unknown;
  at: unknown;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  prev_hash: string;
  hash: string;
}

function toRow(r: Raw): AuditRow {
  return { seq: num(r.seq), at: iso(r.at), actor: r.actor, action: r.action, target: r.target, before: r.before, after: r.after, prevHash: r.prev_hash, hash: r.hash };
}

/** Appends one row inside `tx` (which must be a transaction: the lock holds until it commits). */
export async function appendAudit(tx: Db, entry: AuditEntry, at: Date): Promise<AuditRow> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  const { rows } = await tx.query<{ seq: unknown; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const last = rows[0];
  // JSON round trip first: what is hashed is exactly what jsonb gives back
  const content = {
    seq: last ? num(last.seq) + 1 : 1,
    at: at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    target: entry.target ?? null,
    before: entry.before === undefined ? null : JSON.parse(JSON.stringify(entry.before)),
    after: entry.after === undefined ? null : JSON.parse(JSON.stringify(entry.after)),
  };
  const prevHash = last ? last.hash : GENESIS_HASH;
  const hash = auditHash(prevHash, content);
  await tx.query(
    'INSERT INTO audit_log (seq, at, actor, action, target, before, after, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9)',
    [content.seq, content.at, content.actor, content.action, content.target, json(content.before), json(content.after), prevHash, hash],
  );
  return { ...content, prevHash, hash };
}

/** Appends rows in order inside `tx` with one lock, one read of the chain's head and one multi-row insert. */
export async function appendAuditMany(tx: Db, entries: readonly AuditEntry[], at: Date): Promise<AuditRow[]> {
  if (entries.length === 0) return [];
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  const { rows } = await tx.query<{ seq: unknown; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  let seq = rows[0] ? num(rows[0].seq) : 0;
  let prevHash = rows[0] ? rows[0].hash : GENESIS_HASH;
  const out: AuditRow[] = [];
  const befores: (string | null)[] = [];
  const afters: (string | null)[] = [];
  for (const entry of entries) {
    // JSON round trip first: what is hashed is exactly what jsonb gives back
    const before = entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before);
    const after = entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after);
    const content = {
      seq: ++seq,
      at: at.toISOString(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      before: before === null ? null : JSON.parse(before),
      after: after === null ? null : JSON.parse(after),
    };
    const hash = auditHash(prevHash, content);
    out.push({ ...content, prevHash, hash });
    befores.push(before);
    afters.push(after);
    prevHash = hash;
  }
  await tx.query(
    `INSERT INTO audit_log (seq, at, actor, action, target, before, after, prev_hash, hash)
     SELECT t.seq, $2::timestamptz, t.actor, t.action, t.target, t.before::jsonb, t.after::jsonb, t.prev, t.hash
       FROM unnest($1::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         AS t(seq, actor, action, target, before, after, prev, hash)`,
    [
      out.map((r) => r.seq),
      at.toISOString(),
      out.map((r) => r.actor),
      out.map((r) => r.action),
      out.map((r) => r.target),
      befores,
      afters,
      out.map((r) => r.prevHash),
      out.map((r) => r.hash),
    ],
  );
  return out;
}

/** Reads rows in seq order, `batch` at a time, optionally within [from, to). */
export async function* readAudit(db: Db, opts: { from?: Date; to?: Date; batch?: number } = {}): AsyncGenerator<AuditRow> {
  const batch = opts.batch ?? 1000;
  let after = 0;
  for (;;) {
    const { rows } = await db.query<Raw>(
      `SELECT seq, at, actor, action, target, before, after, prev_hash, hash FROM audit_log
        WHERE seq > $1 AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
        ORDER BY seq LIMIT $4`,
      [after, opts.from?.toISOString() ?? null, opts.to?.toISOString() ?? null, batch],
    );
    for (const r of rows) yield toRow(r);
    if (rows.length < batch) return;
    after = num(rows[rows.length - 1]!.seq);
  }
}

/** Rows whose target is `target`, oldest first. */
export async function auditFor(db: Db, target: string, limit = 500): Promise<AuditRow[]> {
  const { rows } = await db.query<Raw>(
    'SELECT seq, at, actor, action, target, before, after, prev_hash, hash FROM audit_log WHERE target = $1 ORDER BY seq LIMIT $2',
    [target, limit],
  );
  return rows.map(toRow);
}
