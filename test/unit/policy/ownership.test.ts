// OWNED_BY_LISTED: OFAC 50% in both packs, BIS Affiliates by date in us-export-2026; aggregation across owners and chains.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Customer } from '../../../src/model/index.js';
import { listedShare, partyTree } from '../../../src/policy/index.js';
import { codes, decide, reason, type FakeRow } from './fixtures.js';

// Real SDN rows (current-2026/SDN.CSV): 25578 "BANK MELLI IRAN" (IRAN] [SDGT] [IFSR); 12927 "MAHAN AIR" (SDGT] [NPWMD] [IFSR).
// 306 "BANCO NACIONAL DE CUBA" (CUBA).
const SDN_ROWS: FakeRow[] = [
  { query: 'Bank Melli Iran', list: 'SDN', sourceId: '25578', primaryName: 'BANK MELLI IRAN' },
  { query: 'Mahan Air', list: 'SDN', sourceId: '12927', primaryName: 'MAHAN AIR' },
  { query: 'Banco Nacional de Cuba', list: 'SDN', sourceId: '306', primaryName: 'BANCO NACIONAL DE CUBA' },
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

test('aggregation adds across owners and cascades through majority-owned intermediaries; other chains are only look-through', () => {
  const c: Customer = {
    id: 'chain',
    name: 'Example Compute Ltd',
    country: 'AE',
    parents: [
      { name: 'Intermediate A Ltd', country: 'AE', ownership: 0.4, parents: [{ name: 'Bank Melli Iran', country: 'IR', ownership: 0.5 }] }, // A is 50% SDN-owned: blocked, its 40% counts fully
      { name: 'Intermediate B Ltd', country: 'AE', ownership: 0.3, parents: [{ name: 'Mahan Air', country: 'IR', ownership: 0.2 }] }, // B is not blocked: 30% × 20% = 6% look-through only
    ],
  };
  const tree = partyTree(c);
  assert.deepEqual([...tree.nodes.keys()], ['customer', 'parent:0', 'parent:1', 'parent:2', 'parent:3']);
  const listed = new Set(['parent:1', 'parent:3']);
  const share = listedShare(tree.root, (s) => listed.has(s), 0.5);
  assert.ok(Math.abs(share.share - 0.4) < 1e-9, String(share.share));
  assert.ok(Math.abs(share.lookThrough - 0.46) < 1e-9, String(share.lookThrough));
  assert.deepEqual(share.paths.map((p) => [p.path, p.holderCascaded, p.multiplied]), [[['parent:0'], true, false], [['parent:2', 'parent:3'], false, true]]);
  assert.ok(!reason(decide(c, 'us', { rows: SDN_ROWS }), 'OWNED_BY_LISTED')); // 40% counted, 46% look-through: neither reaches 50%

  // + 5% direct: 45% counted, 51% only with the 6% multiplied through B → caution (review), not deny
  const more: Customer = { ...c, beneficialOwners: [{ name: 'Mahan Air', type: 'organization', ownership: 0.05 }] };
  const d = decide(more, 'us', { rows: SDN_ROWS });
  assert.equal(d.outcome, 'review');
  const r = reason(d, 'OWNED_BY_LISTED')!;
  assert.equal(r.outcome, 'review');
  assert.match(r.detail, /30% × 20% = 6% via parent:2/);
  assert.match(r.detail, /own 45% of the customer directly or through intermediaries they own ≥ 50%, below 50%; only with stakes multiplied down through intermediaries not majority-owned by listed parties \(parent:2\) does it reach 51%/);

  // + 10% direct: 50% counted → deny; the 6% through B is named as not counted
  const most: Customer = { ...c, beneficialOwners: [{ name: 'Mahan Air', type: 'organization', ownership: 0.1 }] };
  const dd = decide(most, 'us', { rows: SDN_ROWS });
  assert.equal(dd.outcome, 'deny');
  assert.match(reason(dd, 'OWNED_BY_LISTED')!.detail, /a further 6% held only through intermediaries not majority-owned by listed parties \(parent:2\) is not counted/);
});

describe('OFAC 50% rule: counted share vs stakes multiplied through intermediaries (DOMAIN.md §6; OFAC FAQ 401)', () => {
  // [case, customer, OWNED_BY_LISTED outcome (null: none), counted share, look-through share]
  const P = (own: number, sdn: number) => ({ name: 'Harbor Holdings Ltd', country: 'AE', ownership: own, parents: [{ name: 'Bank Melli Iran', country: 'IR', ownership: sdn }] });
  const mahan = (own: number) => [{ name: 'Mahan Air', type: 'organization' as const, country: 'IR', ownership: own }];
  const base = { name: 'Gulf Freight Services LLC', country: 'AE' };
  const table: [string, Customer, 'deny' | 'review' | null, number, number][] = [
    ['SDN 40% of P, P 80% of customer, SDN 20% direct: 52% only by multiplying → review, not deny', { id: 'm1', ...base, parents: [P(0.8, 0.4)], beneficialOwners: mahan(0.2) }, 'review', 0.2, 0.52],
    ['SDN 60% of P, P 50% of customer: P is blocked, its 50% counts → deny', { id: 'm2', ...base, parents: [P(0.5, 0.6)] }, 'deny', 0.5, 0.5],
    ['30% + 25% direct by two SDN entries → deny', owned(0.3, 0.25), 'deny', 0.55, 0.55],
    ['49% by one SDN entry → no OWNED_BY_LISTED', owned(0.49), null, 0.49, 0.49],
    ['SDN 40% of P, P 100% of customer: 40% look-through → nothing', { id: 'm5', ...base, parents: [P(1, 0.4)] }, null, 0, 0.4],
    ['10% + 35% + 5% (sums to 0.49999999999999994 in floating point) → deny', { id: 'm6', ...base, parents: [{ name: 'Bank Melli Iran', country: 'IR', ownership: 0.1 }, { name: 'Banco Nacional de Cuba', country: 'CU', ownership: 0.35 }], beneficialOwners: mahan(0.05) }, 'deny', 0.5, 0.5],
  ];
  for (const pk of ['ai', 'us'] as const) {
    for (const [name, customer, want, counted, look] of table) {
      test(`${pk}: ${name}`, () => {
        const d = decide(customer, pk, { rows: SDN_ROWS });
        const r = reason(d, 'OWNED_BY_LISTED');
        if (want === null) {
          assert.equal(r, undefined, r?.detail);
          assert.notEqual(d.outcome, 'deny');
          return;
        }
        assert.ok(r, JSON.stringify(d.reasons));
        assert.equal(r.outcome, want, r.detail);
        assert.equal(d.outcome, want);
        assert.ok(Math.abs((r.share as number) - counted) < 1e-9, `share ${String(r.share)}`);
        assert.ok(Math.abs((r.lookThrough as number) - look) < 1e-9, `lookThrough ${String(r.lookThrough)}`);
        if (want === 'review') assert.match(r.detail, /Such intermediaries are not blocked .* caution for indirect interests below 50% → review/);
      });
    }
  }
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
  test('in force, but 20% direct + 40% of an intermediary that holds 80%: 52% only by multiplying → review, not deny', () => {
    const huawei = { name: 'Huawei Technologies Co., Ltd.', country: 'CN' };
    const via: Customer = {
      id: 'aff-via',
      name: 'Example Devices GmbH',
      country: 'DE',
      parents: [{ name: 'Rhein Holdings GmbH', country: 'DE', ownership: 0.8, parents: [{ ...huawei, ownership: 0.4 }] }, { ...huawei, ownership: 0.2 }],
    };
    const r = reason(decide(via, 'us', { rows: EL_ROWS, date: '2026-11-10' }), 'OWNED_BY_LISTED')!;
    assert.deepEqual([r.rule, r.outcome, r.ruleInForce], ['bis-affiliates', 'review', true]);
    assert.match(r.detail, /own 20% .* \(parent:0\) does it reach 52%/);
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
