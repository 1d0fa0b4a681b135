// The audit hash chain: canonical hashing survives key reordering; any edit, reorder or gap is caught at its row.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditHash, ChainVerifier, GENESIS_HASH, type AuditRow } from '../../../src/review/audit-chain.js';
import { canonicalJson } from '../../../src/review/canonical-json.js';

function chain(n: number): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = { seq, at: new Date(Date.UTC(2026, 10, 1, 0, seq)).toISOString(), actor: 'ann', action: 'case.cleared', target: `case:${seq}`, before: { status: 'open' }, after: { status: 'cleared', score: 0.93, ops: 3.56e26 } };
    const hash = auditHash(prev, content);
    rows.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

function verify(rows: AuditRow[]) {
  const v = new ChainVerifier();
  for (const r of rows) v.push(r);
  return v.result;
}

test('canonical JSON ignores key order and undefined members (what a jsonb round trip does)', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } }), '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
  const row = chain(1)[0]!;
  const reordered = { ...row, after: { ops: 3.56e26, score: 0.93, status: 'cleared' } };
  assert.equal(auditHash(GENESIS_HASH, reordered), row.hash);
});

test('an intact chain verifies', () => {
  assert.equal(verify(chain(50)), undefined);
});

test('an edited row is named', () => {
  const rows = chain(10);
  rows[6] = { ...rows[6]!, actor: 'mallory' };
  assert.deepEqual({ seq: verify(rows)?.seq, problem: verify(rows)?.problem }, { seq: 7, problem: 'hash_mismatch' });
});

test('a re-hashed edit breaks the next row’s link', () => {
  const rows = chain(10);
  const edited = { ...rows[3]!, after: { status: 'confirmed' } };
  edited.hash = auditHash(edited.prevHash, edited);
  rows[3] = edited;
  assert.deepEqual({ seq: verify(rows)?.seq, problem: verify(rows)?.problem }, { seq: 5, problem: 'prev_hash_mismatch' });
});

test('a deleted row is a sequence gap at the next row', () => {
  const rows = chain(10);
  rows.splice(4, 1);
  assert.deepEqual({ seq: verify(rows)?.seq, problem: verify(rows)?.problem }, { seq: 6, problem: 'sequence_gap' });
});
