// Incomplete identity → review (never a silent allow); list-match outcomes by list and score; licences; the decision's names.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Customer, Licence } from '../../../src/model/index.js';
import { codes, decide, reason, type FakeRow } from './fixtures.js';

const req = { gpuModel: 'A100', gpuCount: 8, hours: 10, purpose: 'inference' as const };

describe('INCOMPLETE_IDENTITY', () => {
  const table: [string, Customer, string][] = [
    ['country is not an ISO code', { id: 'i1', name: 'Example Ltd', country: 'XX' }, 'country "XX" is not an ISO 3166-1 alpha-2'],
    ['country is a name, not a code', { id: 'i2', name: 'Example Ltd', country: 'CHINA' }, 'country "CHINA"'],
    ['request without country', { id: 'i3', name: 'Example Ltd', request: req }, 'country missing: required when a compute request is present'],
    ['ownership above 100%', { id: 'i4', name: 'Example Ltd', country: 'SG', parents: [{ name: 'Parent Ltd', country: 'SG', ownership: 1.5 }] }, 'parent:0 ownership 1.5 is outside 0..1'],
    ['ownership given in percent', { id: 'i5', name: 'Example Ltd', country: 'SG', beneficialOwners: [{ name: 'Jane Doe', ownership: 30 }] }, 'owner:0 ownership 30 is outside 0..1'],
    [
      'owners add up to more than 100%',
      { id: 'i6', name: 'Example Ltd', country: 'SG', parents: [{ name: 'A Ltd', country: 'SG', ownership: 0.7 }], beneficialOwners: [{ name: 'Jane Doe', ownership: 0.4 }] },
      'owners of customer add up to 110% (> 100%)',
    ],
    ['ultimate parent without country, with a request', { id: 'i7', name: 'Example Ltd', country: 'SG', parents: [{ name: 'A Ltd', ownership: 1 }], request: req }, 'ultimate parent parent:0 has no country'],
    ['bad parent country', { id: 'i8', name: 'Example Ltd', country: 'SG', parents: [{ name: 'A Ltd', country: 'ZZ', ownership: 1 }] }, 'parent:0 country "ZZ"'],
    // the headquarters test is always on: the ultimate parent's country is needed with or without a request
    ['ultimate parent without country, no request', { id: 'i9', name: 'Example Ltd', country: 'SG', parents: [{ name: 'A Ltd', ownership: 1 }] }, 'ultimate parent parent:0 has no country'],
    [
      'ultimate parent two levels up without country, no request',
      { id: 'i10', name: 'Example Ltd', country: 'SG', parents: [{ name: 'A Ltd', country: 'SG', ownership: 1, parents: [{ name: 'B Ltd', ownership: 0.7 }] }] },
      'ultimate parent parent:1 has no country',
    ],
    [
      'tied ultimate parents, one without country',
      { id: 'i11', name: 'Example Ltd', country: 'SG', parents: [{ name: 'A Ltd', country: 'SG', ownership: 0.5 }, { name: 'B Ltd', ownership: 0.5 }] },
      'ultimate parent parent:1 has no country',
    ],
    ['two parents, one without a stake', { id: 'i12', name: 'Example Ltd', country: 'SG', parents: [{ name: 'A Ltd', country: 'SG', ownership: 0.5 }, { name: 'B Ltd', country: 'SG' }] }, 'customer has 2 parents but no ownership for parent:1'],
  ];
  for (const pk of ['ai', 'us'] as const) {
    for (const [name, customer, detail] of table) {
      test(`${pk}: ${name} → review`, () => {
        const d = decide(customer, pk);
        assert.equal(d.outcome, 'review');
        const r = reason(d, 'INCOMPLETE_IDENTITY');
        assert.ok(r, JSON.stringify(d.reasons));
        assert.ok(r.detail.includes(detail), r.detail);
      });
    }
  }
  test('id and name alone: screened on names, allowed when nothing matches', () => {
    const d = decide({ id: 'min', name: 'Plain Bakery' }, 'us');
    assert.deepEqual([d.outcome, d.reasons, d.hits], ['allow', [], []]);
  });
});

describe('LIST_MATCH outcomes', () => {
  const rows: FakeRow[] = [
    { query: 'Mahan Air', list: 'SDN', sourceId: '12927', primaryName: 'MAHAN AIR', score: 0.97 },
    { query: 'Mahan Air Lines', list: 'SDN', sourceId: '12927', primaryName: 'MAHAN AIR', score: 0.9 },
    { query: 'Mahan Air Cargo', list: 'SDN', sourceId: '12927', primaryName: 'MAHAN AIR', score: 0.97, country: 'mismatch' },
    { query: 'Sectoral Bank', list: 'SSI', sourceId: '999', score: 1 },
    { query: 'Beijing Institute X', list: 'ENTITY_LIST', sourceId: 'abc', score: 0.99 },
  ];
  const table: [string, string, string][] = [
    ['Mahan Air', 'deny', 'score 0.970 ≥ deny threshold 0.95'],
    ['Mahan Air Lines', 'review', '≥ review threshold 0.85, < deny threshold 0.95'],
    ['Mahan Air Cargo', 'review', 'country disagrees'],
    ['Sectoral Bank', 'review', 'Sectoral Sanctions Identifications'],
    ['Beijing Institute X', 'deny', 'BIS Entity List'],
  ];
  for (const [name, outcome, detail] of table) {
    test(`${name} → ${outcome}`, () => {
      const d = decide({ id: 'lm', name }, 'us', { rows });
      assert.equal(d.outcome, outcome);
      const r = reason(d, 'LIST_MATCH')!;
      assert.ok(r.detail.includes(detail), r.detail);
      assert.equal(d.hits[0]!.subject, 'customer');
    });
  }
  test('an alias hit is the customer itself: deny', () => {
    const d = decide({ id: 'al', name: 'Harmless Name Ltd', aliases: ['Other Name', 'Mahan Air'] }, 'us', { rows });
    assert.deepEqual([d.outcome, d.hits[0]!.subject, d.hits[0]!.queryName], ['deny', 'alias:1', 'Mahan Air']);
  });
});

describe('licences', () => {
  const rows: FakeRow[] = [{ query: 'Mahan Air', list: 'SDN', sourceId: '12927', primaryName: 'MAHAN AIR' }];
  const c: Customer = { id: 'lic', name: 'Mahan Air', country: 'IR' };
  const ofac: Licence = { agency: 'OFAC', number: 'IR-2026-1234', scope: 'humanitarian air safety services', expiresAt: '2026-12-31', list: 'SDN', sourceId: '12927', caseId: 'case-1' };
  const bis: Licence = { agency: 'BIS', number: 'D1234567', expiresAt: '2027-01-01', codes: ['TIER3_HEADQUARTERS'] };

  test('an unexpired licence turns the matching denies into allow, cited; other reasons keep their outcome', () => {
    const d = decide({ ...c, request: { ...req, purpose: 'training' } }, 'us', { rows, licences: [ofac, bis] });
    assert.equal(d.outcome, 'allow');
    assert.deepEqual(d.licences?.map((l) => l.number).sort(), ['D1234567', 'IR-2026-1234']);
    const lm = reason(d, 'LIST_MATCH')!;
    assert.equal(lm.outcome, 'allow');
    assert.match(lm.detail, /authorized by OFAC licence IR-2026-1234 \(humanitarian air safety services\), valid until 2026-12-31 → allow/);
  });
  test('a licence for another entry or reason does not apply', () => {
    const d = decide(c, 'us', { rows, licences: [{ ...ofac, sourceId: '1' }] });
    assert.equal(d.outcome, 'deny');
    assert.equal(d.licences, undefined);
  });
  test('an expired licence is named and not applied', () => {
    const d = decide(c, 'us', { rows, licences: [{ ...ofac, expiresAt: '2026-05-31' }], date: '2026-06-01' });
    assert.equal(d.outcome, 'deny');
    assert.match(reason(d, 'LIST_MATCH')!.detail, /OFAC licence IR-2026-1234 expired 2026-05-31: not applied/);
  });
  test('a licence never lifts a review', () => {
    const d = decide({ id: 'r', name: 'Example Ltd', country: 'CN' }, 'us', { licences: [bis] });
    assert.equal(d.outcome, 'review');
  });
});

test('the decision names the pack and version, the list snapshot, the rule tables and its date', () => {
  for (const [pk, id] of [['ai', 'ai-diffusion-2025'], ['us', 'us-export-2026']] as const) {
    const d = decide({ id: 'n', name: 'Example Ltd' }, pk, { date: '2025-02-01' });
    assert.equal(d.policy, id);
    assert.match(d.policyVersion!, /^\d{4}\.\d+\.\d+$/);
    assert.deepEqual(d.lists, { version: 'snap-test', sources: { SDN: 'test' } });
    assert.match(d.rulesVersion!, /D:5@2025-11-07/);
    assert.equal(d.decidedAt, '2025-02-01T12:00:00.000Z');
    assert.equal(d.screeningId, 'test-screening');
  }
  assert.deepEqual(codes(decide({ id: 'n', name: 'Example Ltd' }, 'us')), []);
});
