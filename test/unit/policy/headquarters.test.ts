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
