// screenCustomer: subjects (customer, alias:N, parent:N depth-first, owner:N), hit order and cap, suppressions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Customer, Suppression } from '../../../src/model/index.js';
import { customerFingerprint } from '../../../src/screening/fingerprints.js';
import { decide, entry, type FakeRow } from '../policy/fixtures.js';

const rows: FakeRow[] = [
  { query: 'Alpha Trading', list: 'SDN', sourceId: '1', score: 0.9 },
  { query: 'Bravo Holdings', list: 'ENTITY_LIST', sourceId: 'b', score: 0.96 },
  { query: 'Charlie Group', list: 'DPL', sourceId: 'c', score: 0.88 },
  { query: 'Delta Investments', list: 'SDN', sourceId: '4', score: 0.99 },
  { query: 'Echo Person', list: 'SDN', sourceId: '5', score: 1, entityType: 'individual' },
  { query: 'Foxtrot', list: 'SDN', sourceId: '6', score: 0.995 },
];

test('subjects follow DESIGN.md: parents depth-first, owners by index; hits best first', () => {
  const c: Customer = {
    id: 's',
    name: 'Harmless Co',
    country: 'AE',
    aliases: ['Alpha Trading'],
    parents: [
      { name: 'Mid Co', country: 'AE', ownership: 0.1, parents: [{ name: 'Bravo Holdings', country: 'AE', ownership: 0.1, aliases: ['Foxtrot'] }] },
      { name: 'Charlie Group', country: 'AE', ownership: 0.1, parents: [{ name: 'Delta Investments', country: 'AE', ownership: 0.1 }] },
    ],
    beneficialOwners: [{ name: 'Nobody', ownership: 0.1 }, { name: 'Echo Person', ownership: 0.1 }],
  };
  const d = decide(c, 'us', { rows });
  assert.deepEqual(
    d.hits.map((h) => [h.subject, h.queryName, h.score]),
    [
      ['owner:1', 'Echo Person', 1],
      ['parent:1', 'Foxtrot', 0.995],
      ['parent:3', 'Delta Investments', 0.99],
      ['parent:1', 'Bravo Holdings', 0.96],
      ['alias:0', 'Alpha Trading', 0.9],
      ['parent:2', 'Charlie Group', 0.88],
    ],
  );
  // a parent's aliases are screened under the parent's subject
  assert.equal(d.outcome, 'review'); // alias 0.9 → review; related parties capped at review; 10% stakes
  for (const h of d.hits) assert.ok(h.entryHash && h.entryHash.length === 32);
});

test('a suppressed hit stays in the evidence but leaves the outcome', () => {
  const c: Customer = { id: 'cust-1', name: 'Delta Investments', country: 'AE' };
  const s: Suppression = { customerId: 'cust-1', list: 'SDN', sourceId: '4', caseId: 'case-9', since: '2026-05-01T00:00:00Z' };
  const d = decide(c, 'us', { rows, suppressions: [s] });
  assert.equal(d.outcome, 'allow');
  assert.deepEqual(d.hits[0]!.suppressed, { caseId: 'case-9', since: '2026-05-01T00:00:00Z' });
  assert.deepEqual(d.reasons, []);
  assert.equal(d.customerFingerprint, customerFingerprint(c));
});

test('a suppression for another customer, another entry, a changed entry or changed identity does not apply', () => {
  const c: Customer = { id: 'cust-1', name: 'Delta Investments', country: 'AE' };
  const base: Suppression = { customerId: 'cust-1', list: 'SDN', sourceId: '4', caseId: 'case-9', since: '2026-05-01T00:00:00Z' };
  const variants: Suppression[] = [
    { ...base, customerId: 'cust-2' },
    { ...base, sourceId: '5' },
    { ...base, entryHash: 'not-the-hash' },
    { ...base, customerFingerprint: customerFingerprint({ ...c, country: 'IR' }) },
  ];
  for (const s of variants) {
    const d = decide(c, 'us', { rows, suppressions: [s] });
    assert.equal(d.outcome, 'deny', JSON.stringify(s));
    assert.equal(d.hits[0]!.suppressed, undefined);
  }
  const ok = decide(c, 'us', { rows, suppressions: [{ ...base, customerFingerprint: customerFingerprint(c) }] });
  assert.equal(ok.outcome, 'allow');
});

test('a suppressed owner does not count towards OWNED_BY_LISTED', () => {
  const c: Customer = { id: 'cust-3', name: 'Harmless Co', country: 'AE', parents: [{ name: 'Delta Investments', country: 'AE', ownership: 0.8 }] };
  assert.equal(decide(c, 'us', { rows }).outcome, 'deny');
  const s: Suppression = { customerId: 'cust-3', list: 'SDN', sourceId: '4', caseId: 'case-1', since: '2026-01-01' };
  assert.equal(decide(c, 'us', { rows, suppressions: [s] }).outcome, 'allow');
});

test('entry fixture sanity: hits carry the entry identity as the source gives it', () => {
  const d = decide({ id: 'e', name: 'Echo Person', type: 'individual' }, 'us', { rows });
  const e = entry(rows[4]!);
  assert.deepEqual([d.hits[0]!.list, d.hits[0]!.sourceId, d.hits[0]!.primaryName, d.hits[0]!.entityType], [e.list, e.sourceId, e.primaryName, 'individual']);
});
