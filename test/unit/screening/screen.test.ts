// screenCustomer: subjects (customer, alias:N, parent:N depth-first, owner:N), hit order and cap, suppressions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Customer, Suppression } from '../../../src/model/index.js';
import { customerFingerprint } from '../../../src/screening/fingerprints.js';
import { screenCustomer, type ScreeningContext } from '../../../src/screening/screen.js';
import { decide, entry, fakeIndex, PACKS, RULES, type FakeRow } from '../policy/fixtures.js';

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

test('the decision keeps at most the pack cap (20) of hits across all parties, best first; reasons see every hit', () => {
  // 25 parents, each matching its own entry; scores 0.86, 0.865, … (all ≥ review threshold 0.85)
  const many: FakeRow[] = Array.from({ length: 25 }, (_, i) => ({ query: `Listed Holding ${i} Ltd`, list: 'SDN', sourceId: String(9000 + i), score: 0.86 + i * 0.005 }));
  const c: Customer = {
    id: 'cap',
    name: 'Harmless Co',
    country: 'AE',
    parents: many.map((r) => ({ name: r.query, country: 'AE', ownership: 0.01 })),
  };
  const d = decide(c, 'us', { rows: many });
  assert.equal(d.hits.length, 20);
  const scores = d.hits.map((h) => h.score);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
  assert.equal(d.hits[0]!.sourceId, '9024');
  assert.equal(d.hits[19]!.sourceId, '9005'); // the five weakest are left out of the evidence
  assert.equal(d.reasons.filter((r) => r.code === 'LIST_MATCH').length, 25);
});

describe('list age: SCREENING_UNAVAILABLE when the newest list retrieval is older than allowed', () => {
  const retrievedAt = '2026-06-01T12:00:00.000Z';
  // [case, listAge, decision date, expect a reason]
  const table: [string, { retrievedAt: string | undefined; maxHours: number } | undefined, string, boolean][] = [
    ['71 h old, 72 h allowed', { retrievedAt, maxHours: 72 }, '2026-06-04T11:00:00Z', false],
    ['exactly 72 h old', { retrievedAt, maxHours: 72 }, '2026-06-04T12:00:00Z', false],
    ['73 h old, 72 h allowed', { retrievedAt, maxHours: 72 }, '2026-06-04T13:00:00Z', true],
    ['30 days old, check off (0)', { retrievedAt, maxHours: 0 }, '2026-07-01T12:00:00Z', false],
    ['retrieved after the decision date', { retrievedAt, maxHours: 72 }, '2026-05-01T12:00:00Z', false],
    ['no retrieval time recorded', { retrievedAt: undefined, maxHours: 72 }, '2026-06-01T12:00:00Z', true],
    ['no list age given (pure screening)', undefined, '2027-06-01T12:00:00Z', false],
  ];
  for (const [name, listAge, at, stale] of table) {
    test(`${name} → ${stale ? 'review' : 'no reason'}`, () => {
      const d = screenCustomer({ id: 'age', name: 'Plain Bakery GmbH', country: 'DE' }, { ...context(new Date(at)), ...(listAge ? { listAge } : {}) });
      const r = d.reasons.find((x) => x.code === 'SCREENING_UNAVAILABLE');
      assert.equal(!!r, stale, JSON.stringify(d.reasons));
      assert.equal(d.outcome, stale ? 'review' : 'allow');
    });
  }
  test('the detail names the age, the limit and the variable; a deny stays a deny', () => {
    const d = screenCustomer({ id: 'age', name: 'Delta Investments', country: 'AE' }, { ...context(new Date('2026-06-05T12:00:00Z')), index: fakeIndex(rows), listAge: { retrievedAt, maxHours: 72 } });
    const r = d.reasons.find((x) => x.code === 'SCREENING_UNAVAILABLE')!;
    assert.equal(r.outcome, 'review');
    assert.equal(r.ageHours, 96);
    assert.match(r.detail, /retrieved 2026-06-01T12:00:00.000Z, 96\.0 h \(4\.0 days\) before this decision — older than the 72 h allowed \(KYCGATE_MAX_LIST_AGE_HOURS\)/);
    assert.equal(d.outcome, 'deny');
  });
});

function context(now: Date): ScreeningContext {
  return { index: fakeIndex([]), lists: { version: 'snap-test', sources: {} }, pack: PACKS.us, rules: RULES, now, screeningId: 'age-test' };
}
