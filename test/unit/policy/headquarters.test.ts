// Headquarters test under both packs: Tier 3 customer or ultimate parent → at least review; training → deny.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Customer } from '../../../src/model/index.js';
import { codes, decide, reason, type PackKey } from './fixtures.js';

const TIER3 = ['AF', 'BY', 'MM', 'CF', 'CN', 'CD', 'CU', 'ER', 'HT', 'IR', 'IQ', 'KP', 'LB', 'LY', 'NI', 'RU', 'SO', 'SS', 'SD', 'SY', 'VE', 'ZW', 'MO', 'HK'];
const TIER1 = ['US', 'AU', 'BE', 'CA', 'DK', 'FI', 'FR', 'DE', 'IE', 'IT', 'JP', 'NL', 'NZ', 'NO', 'KR', 'ES', 'SE', 'TW', 'GB'];
const PACK_KEYS: PackKey[] = ['ai', 'us'];
const small = { gpuModel: 'H100-SXM', gpuCount: 8, hours: 24 } as const;

for (const pk of PACK_KEYS) {
  describe(`headquarters under ${pk === 'ai' ? 'ai-diffusion-2025' : 'us-export-2026'}`, () => {
    test('every Tier 3 country: review without a request, review for inference, deny for (fine-)training', () => {
      for (const country of TIER3) {
        const c: Customer = { id: `t3-${country}`, name: 'Example Compute Ltd', country };
        assert.equal(decide(c, pk).outcome, 'review', `${country} party only`);
        assert.deepEqual(codes(decide(c, pk)), ['TIER3_HEADQUARTERS'], country);
        assert.equal(decide({ ...c, request: { ...small, purpose: 'inference' } }, pk).outcome, 'review', `${country} inference`);
        assert.equal(decide({ ...c, request: { ...small, purpose: 'training' } }, pk).outcome, 'deny', `${country} training`);
        assert.equal(decide({ ...c, request: { ...small, purpose: 'fine-tuning' } }, pk).outcome, 'deny', `${country} fine-tuning`);
      }
    });

    test('every Tier 1 country with a small request: allow, no reasons', () => {
      for (const country of TIER1) {
        const d = decide({ id: `t1-${country}`, name: 'Example Compute Ltd', country, request: { ...small, purpose: 'training' } }, pk);
        assert.equal(d.outcome, 'allow', country);
        assert.deepEqual(d.reasons, [], country);
      }
    });

    test('Hong Kong and Macau: Tier 3, HK named as treated as China', () => {
      const hk = reason(decide({ id: 'hk', name: 'HK Compute Ltd', country: 'HK' }, pk), 'TIER3_HEADQUARTERS')!;
      assert.equal(hk.treatedAs, 'CN');
      assert.match(hk.detail, /HK treated as CN under the EAR/);
      const mo = reason(decide({ id: 'mo', name: 'MO Compute Ltd', country: 'MO' }, pk), 'TIER3_HEADQUARTERS')!;
      assert.equal(mo.country, 'MO');
      assert.match(mo.detail, /Tier 3/);
    });

    test('a US subsidiary of a Chinese parent: the ultimate parent is Tier 3', () => {
      const c: Customer = { id: 'us-sub', name: 'Example AI Inc', country: 'US', parents: [{ name: 'Example Holdings Co Ltd', country: 'CN', ownership: 1 }] };
      const d = decide(c, pk);
      assert.equal(d.outcome, 'review');
      const r = reason(d, 'TIER3_HEADQUARTERS')!;
      assert.equal(r.subject, 'parent:0');
      assert.match(r.detail, /ultimate parent parent:0 "Example Holdings Co Ltd" headquartered in CN/);
      assert.equal(decide({ ...c, request: { ...small, purpose: 'training' } }, pk).outcome, 'deny');
      assert.equal(decide({ ...c, request: { ...small, purpose: 'inference' } }, pk).outcome, 'review');
    });

    test('a Singapore customer two levels below a Macau holding company', () => {
      const c: Customer = {
        id: 'sg-mo',
        name: 'Lion City Compute Pte Ltd',
        country: 'SG',
        parents: [{ name: 'Lion Holdings Pte Ltd', country: 'SG', ownership: 0.8, parents: [{ name: 'Lotus Macau Holdings Ltd', country: 'MO', ownership: 0.6 }] }],
      };
      const d = decide(c, pk);
      assert.equal(d.outcome, 'review');
      const r = reason(d, 'TIER3_HEADQUARTERS')!;
      assert.deepEqual([r.subject, r.country], ['parent:1', 'MO']);
      assert.equal(decide({ ...c, request: { ...small, purpose: 'training' } }, pk).outcome, 'deny');
    });

    test('the ultimate parent follows the largest stake, not the first parent listed', () => {
      const c: Customer = {
        id: 'largest',
        name: 'Example AI GmbH',
        country: 'DE',
        parents: [
          { name: 'Minority Holder Ltd', country: 'CN', ownership: 0.2 },
          { name: 'Majority Holder SE', country: 'FR', ownership: 0.8 },
        ],
      };
      assert.equal(decide(c, pk).outcome, 'allow');
      const flipped: Customer = { ...c, parents: [{ ...c.parents![0]!, ownership: 0.8 }, { ...c.parents![1]!, ownership: 0.2 }] };
      assert.equal(reason(decide(flipped, pk), 'TIER3_HEADQUARTERS')?.subject, 'parent:0');
    });

    test('Cambodia by date: D:5 in January 2025, not today', () => {
      const c: Customer = { id: 'kh', name: 'Angkor Compute Co Ltd', country: 'KH', request: { ...small, purpose: 'training' } };
      const jan = decide(c, pk, { date: '2025-01-15' });
      assert.equal(jan.outcome, 'deny');
      assert.match(reason(jan, 'TIER3_HEADQUARTERS')!.detail, /D:5 \(table in force from its first record to 2025-11-07\)/);
      assert.equal(decide(c, pk, { date: '2026-03-01' }).outcome, 'allow');
    });
  });
}

describe('ultimate parent when stakes tie or are missing (every candidate chain is tested; the worst tier decides)', () => {
  const fr = { name: 'Majority Holder SE', country: 'FR' };
  const cn = { name: 'Example Holdings Co Ltd', country: 'CN' };
  // [case, parents, subjects of TIER3_HEADQUARTERS, INCOMPLETE_IDENTITY detail (or null)]
  const table: [string, Customer['parents'], string[], string | null][] = [
    ['50/50 tie, Tier 1 parent listed first', [{ ...fr, ownership: 0.5 }, { ...cn, ownership: 0.5 }], ['parent:1'], null],
    ['50/50 tie, Tier 3 parent listed first', [{ ...cn, ownership: 0.5 }, { ...fr, ownership: 0.5 }], ['parent:0'], null],
    ['three-way tie one level up', [{ name: 'Lion Holdings Pte Ltd', country: 'SG', ownership: 1, parents: [{ ...fr, ownership: 0.3 }, { ...fr, name: 'Other SE', ownership: 0.3 }, { name: 'Lotus Macau Holdings Ltd', country: 'MO', ownership: 0.3 }] }], ['parent:3'], null],
    ['30% Tier 1 and a Tier 3 parent without a stake (could hold up to 70%)', [{ ...fr, ownership: 0.3 }, cn], ['parent:1'], 'customer has 2 parents but no ownership for parent:1'],
    ['80% Tier 1 and a Tier 3 parent without a stake (at most 20%)', [{ ...fr, ownership: 0.8 }, cn], [], 'customer has 2 parents but no ownership for parent:1'],
    ['two parents, no stakes at all', [fr, cn], ['parent:1'], 'customer has 2 parents but no ownership for parent:0, parent:1'],
    ['one parent without a stake: it is the ultimate parent, nothing missing', [cn], ['parent:0'], null],
    ['a clear 60/40 majority: only the majority chain', [{ ...fr, ownership: 0.6 }, { ...cn, ownership: 0.4 }], [], null],
  ];
  for (const pk of PACK_KEYS) {
    for (const [name, parents, tier3, incomplete] of table) {
      test(`${pk}: ${name}`, () => {
        const c: Customer = { id: 'tie', name: 'Example AI GmbH', country: 'DE', parents };
        const d = decide(c, pk);
        assert.deepEqual(d.reasons.filter((r) => r.code === 'TIER3_HEADQUARTERS').map((r) => r.subject), tier3, JSON.stringify(d.reasons));
        const inc = d.reasons.filter((r) => r.code === 'INCOMPLETE_IDENTITY');
        if (incomplete) assert.ok(inc.some((r) => r.detail.includes(incomplete)), JSON.stringify(inc));
        else assert.deepEqual(inc, []);
        assert.equal(d.outcome, tier3.length || incomplete ? 'review' : 'allow');
        if (tier3.length) assert.equal(decide({ ...c, request: { ...small, purpose: 'training' } }, pk).outcome, 'deny');
      });
    }
  }
  test('a tied candidate names itself as one of several in the detail', () => {
    const d = decide({ id: 'tie', name: 'Example AI GmbH', country: 'DE', parents: [{ ...fr, ownership: 0.5 }, { ...cn, ownership: 0.5 }] }, 'us');
    assert.match(reason(d, 'TIER3_HEADQUARTERS')!.detail, /ultimate parent parent:1 \(one of 2 candidate ultimate parents: stakes tie or are missing/);
  });
});
