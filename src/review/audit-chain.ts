// The audit log's hash chain: each row's hash covers its content and the previous row's hash.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** An audit row as stored (timestamps as ISO strings, before/after as JSON values). */
export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

export type AuditContent = Omit<AuditRow, 'hash' | 'prevHash'>;

/** sha256(prevHash + canonical JSON of the row's content). */
export function auditHash(prevHash: string, row: AuditContent): string {
  const content = canonicalJson({
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target ?? null,
    before: row.before ?? null,
    after: row.after ?? null,
  });
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

export interface ChainBreak {
  seq: number;
  problem: 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap';
  detail: string;
}

/**
 * Incremental chain verifier: feed rows in seq order; returns the first break (and keeps returning it).
 */
export class ChainVerifier {
  private prev: { seq: number; hash: string } | undefined;
  private broken: ChainBreak | undefined;
  rows = 0;

  /** `anchor`: a trusted row to continue from (verifying a tail); default: the chain's start. */
  constructor(anchor?: { seq: number; hash: string }) {
    this.prev = anchor;
  }

  push(row: AuditRow): ChainBreak | undefined {
    if (this.broken) return this.broken;
    this.rows += 1;
    const expectedSeq = this.prev ? this.prev.seq + 1 : 1;
    const expectedPrev = this.prev ? this.prev.hash : GENESIS_HASH;
    if (row.seq !== expectedSeq) {
      this.broken = { seq: row.seq, problem: 'sequence_gap', detail: `expected row ${expectedSeq}, found row ${row.seq} (rows missing)` };
    } else if (row.prevHash !== expectedPrev) {
      this.broken = { seq: row.seq, problem: 'prev_hash_mismatch', detail: `prev_hash ${row.prevHash} does not equal the hash of row ${expectedSeq - 1}` };
    } else if (auditHash(row.prevHash, row) !== row.hash) {
      this.broken = { seq: row.seq, problem: 'hash_mismatch', detail: `row ${row.seq} content does not match its hash (edited after it was written)` };
    }
    this.prev = { seq: row.seq, hash: row.hash };
    return this.broken;
  }

  get result(): ChainBreak | undefined {
    return this.broken;
  }
}
