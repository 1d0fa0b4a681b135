// Audit log checks over the store: walk the whole chain and report the first broken row.
import type { Db } from '../db.js';
import { readAudit } from '../repos/audit-repo.js';
import { ChainVerifier, type ChainBreak } from '../../review/audit-chain.js';

export interface AuditVerification {
  ok: boolean;
  rows: number;
  /** The first broken row, when the chain is broken. */
  broken?: ChainBreak;
}

/** Walks the audit log in seq order and stops at the first broken row. */
export async function verifyAudit(db: Db): Promise<AuditVerification> {
  const v = new ChainVerifier();
  for await (const row of readAudit(db, { batch: 2000 })) {
    const broken = v.push(row);
    if (broken) return { ok: false, rows: v.rows, broken };
  }
  return { ok: true, rows: v.rows };
}
