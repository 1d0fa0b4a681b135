// trainingSumMatters: true exactly when the request counts as training and the headquarters tier has a training outcome in the pack.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config.js';
import type { ComputeRequest, Customer, Parent } from '../../../src/model/index.js';
import { trainingSumMatters } from '../../../src/policy/index.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { ScreeningEngine } from '../../../src/runtime/screening-engine.js';
import { codes, decide, PACKS, type PackKey, RULES } from './fixtures.js';

const NOW = new Date('2026-06-01T12:00:00Z');
// Well under 1e26 on its own (1,000 H100 × 100 h ≈ 3.6e23), so only the window's sum can raise TRAINING_AGGREGATE
const SMALL: ComputeRequest = { gpuModel: 'H100-SXM', gpuCount: 1000, hours: 100, purpose: 'training' };
const { purpose: _omit, ...NO_PURPOSE } = SMALL;

/** A customer in `country` (none when undefined) with `request` (none when null) and `parents`. */
const customer = (country: string | undefined, request: ComputeRequest | null = SMALL, parents?: Parent[]): Customer => ({
  id: `c-${country ?? 'none'}`,
  name: 'Example Compute Holdings',
  ...(country ? { country } : {}),
  ...(request ? { request } : {}),
  ...(parents ? { parents } : {}),
});
const cnParent: Parent[] = [{ name: 'Example Group Co., Ltd.', country: 'CN', ownership: 1 }];

// [case, customer, pack, matters?]
const table: [string, Customer, PackKey, boolean][] = [
  ['US training, us-export-2026', customer('US'), 'us', false],
  ['DE training, us-export-2026', customer('DE'), 'us', false],
  ['JP training, us-export-2026', customer('JP'), 'us', false],
  ['CN training, us-export-2026', customer('CN'), 'us', true],
  ['MO training, us-export-2026 (Macau is Tier 3)', customer('MO'), 'us', true],
  ['HK training, us-export-2026 (treated as CN)', customer('HK'), 'us', true],
  ['US customer, CN ultimate parent, us-export-2026', customer('US', SMALL, cnParent), 'us', true],
  ['US customer, CN parent through a US holding, us-export-2026', customer('US', SMALL, [{ name: 'Mid Holding Inc', country: 'US', ownership: 1, parents: cnParent }]), 'us', true],
  ['US customer, CN minority parent, DE majority parent, us-export-2026', customer('US', SMALL, [{ name: 'Minor Co', country: 'CN', ownership: 0.2 }, { name: 'Major GmbH', country: 'DE', ownership: 0.8 }]), 'us', false],
  ['US customer, CN and DE parents tie, us-export-2026 (worst decides)', customer('US', SMALL, [{ name: 'Half CN', country: 'CN', ownership: 0.5 }, { name: 'Half DE', country: 'DE', ownership: 0.5 }]), 'us', true],
  ['CN inference, us-export-2026', customer('CN', { ...SMALL, purpose: 'inference' }), 'us', false],
  ['CN inference, ai-diffusion-2025', customer('CN', { ...SMALL, purpose: 'inference' }), 'ai', false],
  ['CN fine-tuning, us-export-2026 (a training purpose)', customer('CN', { ...SMALL, purpose: 'fine-tuning' }), 'us', true],
  ['CN without a request', customer('CN', null), 'us', false],
  ['CN, purpose not given (unknownPurpose = training), us-export-2026', customer('CN', NO_PURPOSE), 'us', true],
  ['US, purpose not given, us-export-2026', customer('US', NO_PURPOSE), 'us', false],
  ['BR training, ai-diffusion-2025 (Tier 2 → review)', customer('BR'), 'ai', true],
  ['SG training, ai-diffusion-2025 (Tier 2 → review)', customer('SG'), 'ai', true],
  ['BR training, us-export-2026', customer('BR'), 'us', false],
  ['SG training, us-export-2026', customer('SG'), 'us', false],
  ['US training, ai-diffusion-2025 (Tier 1)', customer('US'), 'ai', false],
  ['JP training, ai-diffusion-2025 (AIA: Tier 1)', customer('JP'), 'ai', false],
  ['CN training, ai-diffusion-2025', customer('CN'), 'ai', true],
  ['US customer, IN ultimate parent, ai-diffusion-2025 (Red Flag 28)', customer('US', SMALL, [{ name: 'Example Infotech Ltd', country: 'IN', ownership: 0.7 }]), 'ai', true],
  ['no country, us-export-2026 (unclear → Tier 2, no outcome)', customer(undefined), 'us', false],
  ['no country, ai-diffusion-2025 (unclear → Tier 2 → review)', customer(undefined), 'ai', true],
  ['invalid country XX, ai-diffusion-2025', customer('XX'), 'ai', true],
  ['invalid country XX, us-export-2026', customer('XX'), 'us', false],
];

describe('trainingSumMatters over the real packs and tier tables', () => {
  for (const [name, c, pk, expected] of table) {
    test(`${name} → ${expected}`, () => {
      assert.equal(trainingSumMatters(c, PACKS[pk], RULES, NOW), expected);
    });
  }
});

// The point of the predicate: when it says false, no window sum can change the decision; when true, a large one does.
describe('agrees with the screening: a window sum ≥ 1e26 adds TRAINING_AGGREGATE exactly when it matters', () => {
  for (const [name, c, pk, expected] of table) {
    test(name, () => {
      const without = decide(c, pk);
      const withSum = decide(c, pk, { aggregate: { windowOps: 5e26 } });
      assert.ok(!codes(without).includes('TRAINING_AGGREGATE') && !codes(without).includes('TRAINING_COMPUTE'), 'the request alone is under the threshold');
      assert.equal(codes(withSum).includes('TRAINING_AGGREGATE'), expected, codes(withSum).join(','));
      if (!expected) assert.deepEqual([withSum.outcome, codes(withSum)], [without.outcome, codes(without)], 'the sum changes nothing');
    });
  }
});

test('ScreeningEngine.trainingSumMatters: the default pack, a named pack, the date; an unknown pack is KYC_ERR_UNKNOWN_POLICY', async () => {
  const config = loadConfig({ KYCGATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'kycgate-tsum-')) });
  const engine = await ScreeningEngine.start(config, createLogger('silent'));
  assert.equal(config.KYCGATE_POLICY, 'us-export-2026');
  const sg = customer('SG');
  const table2: [string, Customer, string | undefined, boolean][] = [
    ['SG, default pack (us-export-2026)', sg, undefined, false],
    ['SG, ai-diffusion-2025', sg, 'ai-diffusion-2025', true],
    ['CN, default pack', customer('CN'), undefined, true],
    ['CN inference, default pack', customer('CN', { ...SMALL, purpose: 'inference' }), undefined, false],
    ['US with CN parent, default pack', customer('US', SMALL, cnParent), undefined, true],
  ];
  for (const [name, c, policy, expected] of table2) assert.equal(engine.trainingSumMatters(c, policy, NOW), expected, name);
  // the engine passes the pack and rules through unchanged
  for (const [, c, pk] of table) assert.equal(engine.trainingSumMatters(c, PACKS[pk].id, NOW), trainingSumMatters(c, PACKS[pk], RULES, NOW));
  // the decision date picks the tier table in force: Cambodia was in D:5 (Tier 3) on 2025-01-15, not on 2026-06-01
  assert.equal(engine.trainingSumMatters(customer('KH'), undefined, new Date('2025-01-15T00:00:00Z')), true);
  assert.equal(engine.trainingSumMatters(customer('KH'), undefined, NOW), false);
  assert.throws(() => engine.trainingSumMatters(sg, 'nope', NOW), { code: 'KYC_ERR_UNKNOWN_POLICY' });
  // the now default is the current time: same answer as an explicit now for a country whose tier does not move
  assert.equal(engine.trainingSumMatters(customer('CN')), true);
});
