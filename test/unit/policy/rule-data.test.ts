// The rule data in lists/ validates, cites its sources, and carries the numbers DOMAIN.md and INTERFACES.md agree on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, cpSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RULES_DIR, listPolicyPacks, loadPolicyPack, loadRuleData } from '../../../src/runtime/policy-runtime.js';
import { PACKS } from './fixtures.js';

test('both packs exist and load; an unknown pack is KYC_ERR_UNKNOWN_POLICY naming the available ones', () => {
  assert.deepEqual(listPolicyPacks(), ['ai-diffusion-2025', 'us-export-2026']);
  assert.throws(() => loadPolicyPack('eu-2027'), (e: Error & { code?: string }) => e.code === 'KYC_ERR_UNKNOWN_POLICY' && /ai-diffusion-2025, us-export-2026/.test(e.message));
});

test('shared numbers: review 0.85, deny 0.95, 1e26 operations, 1e20 ops/s, utilization 1.0, 50% ownership', () => {
  for (const pack of Object.values(PACKS)) {
    assert.deepEqual([pack.match.reviewThreshold, pack.match.denyThreshold], [0.85, 0.95]);
    assert.deepEqual([pack.training.threshold, pack.cluster.threshold, pack.training.utilization, pack.ownership.threshold], [1e26, 1e20, 1, 0.5]);
    assert.ok(pack.ownership.rules.some((r) => r.id === 'ofac-50' && r.lists.includes('SDN') && r.outcome === 'deny'));
    for (const list of ['SDN', 'ENTITY_LIST', 'DPL', 'MEU']) assert.equal(pack.lists[list]?.outcome, 'deny', `${pack.id} ${list}`);
    for (const list of ['SSI', 'CMIC', 'NS-MBS', 'PLC']) assert.equal(pack.lists[list]?.outcome, 'review', `${pack.id} ${list}`);
    assert.deepEqual(pack.headquarters.tiers['3']?.purposes, { training: 'deny', 'fine-tuning': 'deny', inference: 'review', other: 'review' });
    assert.ok(Object.keys(pack.citations).length >= 4);
  }
  assert.equal(PACKS.ai.cluster.enabled, true);
  assert.equal(PACKS.us.cluster.enabled, false);
  const aff = PACKS.us.ownership.rules.find((r) => r.id === 'bis-affiliates');
  assert.deepEqual(aff?.inForce.at(-1), { from: '2026-11-10', to: null });
  assert.ok(!PACKS.ai.ownership.rules.some((r) => r.id === 'bis-affiliates'));
});

test('rule data is frozen and versioned', () => {
  const rules = loadRuleData();
  assert.ok(Object.isFrozen(rules.groups['D:5']!.versions[0]!.members));
  assert.match(rules.version, /^AIA@2025-01-13,D:5@2025-11-07,gpus@[\d-]+#[0-9a-f]{8}$/);
});

test('a malformed table or a dangling citation is KYC_ERR_RULES_INVALID naming the file and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kycgate-rules-'));
  cpSync(DEFAULT_RULES_DIR, dir, { recursive: true });
  const d5 = join(dir, 'tiers', 'd5.json');
  writeFileSync(d5, readFileSync(d5, 'utf8').replace('"AF"', '"Afghanistan"'));
  assert.throws(() => loadRuleData(dir), (e: Error & { code?: string }) => e.code === 'KYC_ERR_RULES_INVALID' && /d5\.json/.test(e.message) && /versions\.0\.members\.0/.test(e.message));

  const dir2 = mkdtempSync(join(tmpdir(), 'kycgate-rules-'));
  cpSync(DEFAULT_RULES_DIR, dir2, { recursive: true });
  const pack = join(dir2, 'policy', 'us-export-2026.json');
  writeFileSync(pack, readFileSync(pack, 'utf8').replace('"cite": "ofac-50"', '"cite": "no-such-source"'));
  assert.throws(() => loadPolicyPack('us-export-2026', dir2), (e: Error & { code?: string }) => e.code === 'KYC_ERR_RULES_INVALID' && /no-such-source/.test(e.message));
});
