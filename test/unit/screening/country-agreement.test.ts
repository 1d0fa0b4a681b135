// Country corroboration compares the destinations the EAR treats countries as (lists/tiers/equivalences.json: HK is CN).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Customer } from '../../../src/model/index.js';
import { buildIndex } from '../../../src/match/index.js';
import { countryAgreement } from '../../../src/policy/index.js';
import { decide, entry, reason, RULES, type FakeRow } from '../policy/fixtures.js';

const day = (d: string) => new Date(`${d}T12:00:00Z`);

describe('countryAgreement', () => {
  // [party, entry address countries, date, agreement, via]
  const table: [string | undefined, string[], string, 'match' | 'mismatch' | 'unknown', string | undefined][] = [
    ['HK', ['CN'], '2026-06-01', 'match', 'HK treated as CN / CN under the EAR'],
    ['CN', ['HK'], '2026-06-01', 'match', 'CN / HK treated as CN under the EAR'],
    ['HK', ['HK'], '2026-06-01', 'match', undefined],
    ['hk', ['US', 'CN'], '2026-06-01', 'match', 'HK treated as CN / CN under the EAR'],
    ['HK', ['CN'], '2020-12-22', 'mismatch', undefined], // before the equivalence took effect (2020-12-23)
    ['MO', ['CN'], '2026-06-01', 'mismatch', undefined], // Macau is Tier 3 on its own, not China
    ['SG', ['CN'], '2026-06-01', 'mismatch', undefined],
    ['HK', [], '2026-06-01', 'unknown', undefined],
    [undefined, ['CN'], '2026-06-01', 'unknown', undefined],
  ];
  for (const [party, entryCountries, date, want, via] of table) {
    test(`${party ?? '(none)'} vs [${entryCountries.join(', ')}] on ${date} → ${want}`, () => {
      const r = countryAgreement(party, entryCountries, day(date), RULES);
      assert.equal(r.country, want);
      assert.equal(r.via, via);
    });
  }
});

// A real Entity List row (current-2026/consolidated.csv): "Huawei Technologies Co., Ltd.", address in Shenzhen, CN.
// The matcher compares ISO codes literally and reports HK vs CN as a mismatch; the screening re-compares through the equivalence.
const EL: FakeRow = { query: 'Huawei Technologies Co., Ltd.', list: 'ENTITY_LIST', sourceId: '9688d876a8f97f5d4b2454a83b3d90dc59e2bc90', score: 0.97, country: 'mismatch', addressCountries: ['CN'] };

describe('an HK party against a CN-address Entity List entry', () => {
  test('customer in HK: the country agrees, the hit is strong → deny; the detail names the equivalence', () => {
    const d = decide({ id: 'hk', name: 'Huawei Technologies Co., Ltd.', country: 'HK' }, 'us', { rows: [EL] });
    const r = reason(d, 'LIST_MATCH')!;
    assert.equal(r.outcome, 'deny', r.detail);
    assert.equal(d.hits[0]!.features.country, 'match');
    assert.match(r.detail, /country agrees: HK treated as CN \/ CN under the EAR/);
  });
  test('customer in SG: the country disagrees → review, not deny', () => {
    const d = decide({ id: 'sg', name: 'Huawei Technologies Co., Ltd.', country: 'SG' }, 'us', { rows: [EL] });
    assert.equal(reason(d, 'LIST_MATCH')!.outcome, 'review');
    assert.equal(d.hits[0]!.features.country, 'mismatch');
  });
  test('a 60% parent in HK counts as a strong holder for the Affiliates rule (in force 2026-11-10) → deny', () => {
    const c = (country: string): Customer => ({ id: 'aff', name: 'Example Devices GmbH', country: 'DE', parents: [{ name: 'Huawei Technologies Co., Ltd.', country, ownership: 0.6 }] });
    assert.equal(reason(decide(c('HK'), 'us', { rows: [EL], date: '2026-11-10' }), 'OWNED_BY_LISTED')!.outcome, 'deny');
    const sg = reason(decide(c('SG'), 'us', { rows: [EL], date: '2026-11-10' }), 'OWNED_BY_LISTED')!;
    assert.equal(sg.outcome, 'review');
    assert.match(sg.detail, /may be listed/);
  });
  test('through the real index: the matcher says mismatch, the decision says match', () => {
    const e = { ...entry(EL), addresses: [{ city: 'Shenzhen', country: 'CN', raw: 'Bantian Huawei Base, Longgang District, Shenzhen, CN' }] };
    const index = buildIndex([e]);
    assert.equal(index.search({ name: 'Huawei Technologies Co., Ltd.', country: 'HK' }, { minScore: 0.85 })[0]?.features.country, 'mismatch');
    const d = decide({ id: 'hk', name: 'Huawei Technologies Co., Ltd.', country: 'HK' }, 'us', { index });
    assert.equal(d.hits[0]!.features.country, 'match');
    assert.equal(d.outcome, 'deny');
  });
});
