// Country tiers from the dated tables (DOMAIN.md §1): every Tier 1 and Tier 3 country, HK/MO, Cambodia by date.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { countryTier } from '../../../src/policy/index.js';
import { PACKS, RULES } from './fixtures.js';

// DOMAIN.md §1: Supp. No. 5 to Part 740 ¶(a), 18 + US.
const TIER1 = ['US', 'AU', 'BE', 'CA', 'DK', 'FI', 'FR', 'DE', 'IE', 'IT', 'JP', 'NL', 'NZ', 'NO', 'KR', 'ES', 'SE', 'TW', 'GB'];
// DOMAIN.md §1: current D:5 (eCFR 2026-07-23), 22 countries, plus Macau.
const D5 = ['AF', 'BY', 'MM', 'CF', 'CN', 'CD', 'CU', 'ER', 'HT', 'IR', 'IQ', 'KP', 'LB', 'LY', 'NI', 'RU', 'SO', 'SS', 'SD', 'SY', 'VE', 'ZW'];
const TIER2 = ['IN', 'IL', 'PL', 'CH', 'SG', 'AE', 'SA', 'PT', 'KH'];
const today = new Date('2026-07-23T00:00:00Z');

for (const [key, pack] of Object.entries(PACKS)) {
  describe(`tiers under ${pack.id}`, () => {
    test('Tier 1 is the US plus the 18 AIA destinations (not the 20-country variant)', () => {
      assert.equal(TIER1.length, 19);
      for (const c of TIER1) assert.equal(countryTier(c, today, pack, RULES).tier, 1, c);
      for (const c of ['PL', 'CH']) assert.equal(countryTier(c, today, pack, RULES).tier, 2, `${c} is Tier 2 (${key})`);
    });
    test('Tier 3 is the 22 D:5 countries plus Macau, with the table named', () => {
      for (const c of D5) {
        const t = countryTier(c, today, pack, RULES);
        assert.equal(t.tier, 3, c);
        assert.match(t.basis, /D:5 \(table in force from 2025-11-07\)/);
      }
      const mo = countryTier('MO', today, pack, RULES);
      assert.equal(mo.tier, 3);
      assert.match(mo.basis, /named in Tier 3/);
    });
    test('Hong Kong is treated as China', () => {
      const hk = countryTier('HK', today, pack, RULES);
      assert.deepEqual([hk.tier, hk.treatedAs], [3, 'CN']);
      assert.match(hk.basis, /HK treated as CN/);
    });
    test('everything else is Tier 2', () => {
      for (const c of TIER2) assert.equal(countryTier(c, today, pack, RULES).tier, 2, c);
    });
    test('Cambodia was D:5 in January 2025 and is not today; lower-case codes work', () => {
      assert.equal(countryTier('KH', new Date('2025-01-15T00:00:00Z'), pack, RULES).tier, 3);
      assert.equal(countryTier('kh', new Date('2025-11-06T23:59:59Z'), pack, RULES).tier, 3);
      assert.equal(countryTier('KH', new Date('2025-11-07T00:00:00Z'), pack, RULES).tier, 2);
      assert.equal(countryTier('KH', new Date('2026-03-01T00:00:00Z'), pack, RULES).tier, 2);
    });
  });
}

test('the dated D:5 tables hold 23 members before 2025-11-07 and 22 after', () => {
  const d5 = RULES.groups['D:5']!;
  assert.deepEqual(d5.versions.map((v) => v.members.length), [23, 22]);
  assert.deepEqual([...d5.versions[1]!.members].sort(), [...D5].sort());
});
