// OWNED_BY_LISTED: OFAC 50% in both packs, BIS Affiliates by date in us-export-2026; aggregation across owners and chains.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Customer } from '../../../src/model/index.js';
import { listedShare, partyTree } from '../../../src/policy/index.js';
import { codes, decide, reason, type FakeRow } from './fixtures.js';

// Real SDN rows (current-2026/SDN.CSV): 25578 "BANK MELLI IRAN" (IRAN] [SDGT] [IFSR); 12927 "MAHAN AIR" (SDGT] [NPWMD] [IFSR).
const SDN_ROWS: FakeRow[] = [
  { query: 'Bank Melli Iran', list: 'SDN', sourceId: '25578', primaryName: 'BANK MELLI IRAN' },
  { query: 'Mahan Air', list: 'SDN', sourceId: '12927', primaryName: 'MAHAN AIR' },
];
// A real Entity List row (current-2026/consolidated.csv): "Huawei Technologies Co., Ltd." (CN).
const EL_ROWS: FakeRow[] = [{ query: 'Huawei Technologies Co., Ltd.', list: 'ENTITY_LIST', sourceId: '9688d876a8f97f5d4b2454a83b3d90dc59e2bc90' }];

const owned = (a: number, b?: number): Customer => ({
  id: 'owned',
  name: 'Gulf Freight Services LLC',
  country: 'AE',
  parents: [{ name: 'Bank Melli Iran', country: 'IR', ownership: a }],
  ...(b !== undefined ? { beneficialOwners: [{ name: 'Mahan Air', type: 'organization' as const, country: 'IR', ownership: b }] } : {}),
});

describe('OFAC 50% rule (both packs)', () => {
  for (const pk of ['ai', 'us'] as const) {
    test(`${pk}: 30% + 25% by two SDN entries → OWNED_BY_LISTED deny, with the arithmetic in detail`, () => {
      const d = decide(owned(0.3, 0.25), pk, { rows: SDN_ROWS });
      assert.equal(d.outcome, 'deny');
      const r = reason(d, 'OWNED_BY_LISTED')!;
      assert.equal(r.outcome, 'deny');
      assert.equal(r.rule, 'ofac-50');
      assert.ok(Math.abs((r.share as number) - 0.55) < 1e-9);
      assert.match(r.detail, /OFAC 50% rule .* own 55% of the customer ≥ 50%/);
      assert.match(r.detail, /parent:0 "Bank Melli Iran" \(SDN 25578, score 1\.000\) 30% \+ owner:0 "Mahan Air" \(SDN 12927, score 1\.000\) 25%/);
      // the owners' own LIST_MATCH reasons are capped at review: they are related parties, not the customer
      assert.deepEqual(d.reasons.filter((x) => x.code === 'LIST_MATCH').map((x) => [x.subject, x.outcome]), [['parent:0', 'review'], ['owner:0', 'review']]);
    });

    test(`${pk}: 49% by one SDN entry → no OWNED_BY_LISTED; the related-party match is a review`, () => {
      const d = decide(owned(0.49), pk, { rows: SDN_ROWS });
      assert.equal(d.outcome, 'review');
      assert.deepEqual(codes(d).filter((c) => c !== 'TIER3_HEADQUARTERS'), ['LIST_MATCH']);
      assert.ok(!reason(d, 'OWNED_BY_LISTED'));
    });

    test(`${pk}: exactly 50% is enough`, () => {
      assert.equal(decide(owned(0.5), pk, { rows: SDN_ROWS }).outcome, 'deny');
    });

    test(`${pk}: a hit below the deny threshold only reaches review, even at 100%`, () => {
      const rows = [{ ...SDN_ROWS[0]!, score: 0.9 }];
      const r = reason(decide(owned(1), pk, { rows }), 'OWNED_BY_LISTED')!;
      assert.equal(r.outcome, 'review');
      assert.match(r.detail, /may be listed/);
    });
  }
});

test('aggregation multiplies down chains, adds across owners, and cascades through majority-owned intermediaries', () => {
  const c: Customer = {
    id: 'chain',
    name: 'Example Compute Ltd',
    country: 'AE',
    parents: [
      { name: 'Intermediate A Ltd', country: 'AE', ownership: 0.4, parents: [{ name: 'Bank Melli Iran', ownership: 0.5 }] }, // 40% × 50% cascades → 40%
      { name: 'Intermediate B Ltd', country: 'AE', ownership: 0.3, parents: [{ name: 'Mahan Air', ownership: 0.2 }] }, // 30% × 20% = 6%
    ],
  };
  const tree = partyTree(c);
  assert.deepEqual([...tree.nodes.keys()], ['customer', 'parent:0', 'parent:1', 'parent:2', 'parent:3']);
  const listed = new Set(['parent:1', 'parent:3']);
  const share = listedShare(tree.root, (s) => listed.has(s), 0.5);
  assert.ok(Math.abs(share.share - 0.46) < 1e-9, String(share.share));
  assert.deepEqual(share.paths.map((p) => [p.path, p.holderCascaded]), [[['parent:0'], true], [['parent:2', 'parent:3'], false]]);
  assert.equal(decide(c, 'us', { rows: SDN_ROWS }).outcome, 'review'); // 46% < 50%

  const more: Customer = { ...c, beneficialOwners: [{ name: 'Mahan Air', type: 'organization', ownership: 0.05 }] };
  const d = decide(more, 'us', { rows: SDN_ROWS });
  assert.equal(d.outcome, 'deny'); // 40% + 6% + 5% = 51%
  assert.match(reason(d, 'OWNED_BY_LISTED')!.detail, /30% × 20% = 6% via parent:2/);
});

describe('BIS Affiliates rule (us-export-2026 only, dated)', () => {
  const c: Customer = { id: 'aff', name: 'Example Devices GmbH', country: 'DE', parents: [{ name: 'Huawei Technologies Co., Ltd.', country: 'CN', ownership: 0.6 }] };
  test('from 2026-11-10: deny', () => {
    const r = reason(decide(c, 'us', { rows: EL_ROWS, date: '2026-11-10' }), 'OWNED_BY_LISTED')!;
    assert.deepEqual([r.rule, r.outcome, r.ruleInForce], ['bis-affiliates', 'deny', true]);
  });
  test('while suspended (2025-11-10 … 2026-11-09): review, the detail says why', () => {
    const d = decide(c, 'us', { rows: EL_ROWS, date: '2026-11-09' });
    const r = reason(d, 'OWNED_BY_LISTED')!;
    assert.deepEqual([r.outcome, r.ruleInForce], ['review', false]);
    assert.match(r.detail, /suspended/);
    assert.equal(d.outcome, 'review');
  });
  test('in force briefly in 2025 (2025-09-29 … 2025-11-09)', () => {
    assert.equal(reason(decide(c, 'us', { rows: EL_ROWS, date: '2025-10-15' }), 'OWNED_BY_LISTED')?.outcome, 'deny');
  });
  test('ai-diffusion-2025 has no Affiliates rule: the Entity List parent is a review (related party + Tier 3 parent)', () => {
    const d = decide(c, 'ai', { rows: EL_ROWS, date: '2026-12-01' });
    assert.ok(!reason(d, 'OWNED_BY_LISTED'));
    assert.equal(d.outcome, 'review');
  });
});
