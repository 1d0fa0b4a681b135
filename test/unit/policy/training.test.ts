// Training compute (1e26), aggregation, cluster signal, and the outcomes that differ between the two packs.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ComputeRequest, Customer } from '../../../src/model/index.js';
import { estimateTraining } from '../../../src/policy/index.js';
import { codes, decide, PACKS, reason, RULES } from './fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

// 1e26 / (10,000 × 989e12 × 3600) = 2,808.67 h
const UNDER: ComputeRequest = { gpuModel: 'H100-SXM', gpuCount: 10_000, hours: 2808, purpose: 'training' };
const OVER: ComputeRequest = { ...UNDER, hours: 2809 };
const BIG: ComputeRequest = { gpuModel: 'H100-SXM', gpuCount: 50_000, hours: 2000, purpose: 'training' };
const sg = (request?: ComputeRequest): Customer => ({ id: 'sg', name: 'Example Compute Pte Ltd', country: 'SG', ...(request ? { request } : {}) });

test('estimate: GPUs × dense BF16 × utilization × hours × 3600 (DOMAIN: 50,000 H100 × 2,000 h = 3.56e26)', () => {
  const e = estimateTraining(BIG, PACKS.us, RULES);
  assert.equal(e.ops, 50_000 * 989e12 * 1.0 * 2000 * 3600);
  assert.ok(Math.abs(e.ops - 3.5604e26) < 1e22);
  assert.ok(estimateTraining(UNDER, PACKS.us, RULES).ops < 1e26);
  assert.ok(estimateTraining(OVER, PACKS.us, RULES).ops >= 1e26);
});

test('the TRAINING_COMPUTE detail names the rule and every number used', () => {
  const r = reason(decide(sg(BIG), 'ai'), 'TRAINING_COMPUTE')!;
  assert.match(r.detail, /^est\. 3\.56e26 ops ≥ 1e26: H100-SXM 989 TFLOP\/s BF16 dense × 50,000 GPUs × 2,000 h × utilization 1\.0 × 3,600 s\/h/);
  assert.match(r.detail, /headquarters Tier 2 \(customer SG\)/);
  assert.match(r.detail, /4E091/);
  assert.equal(r.estimatedOps, 50_000 * 989e12 * 2000 * 3600);
  assert.equal(r.threshold, 1e26);
});

describe('just under and just over 1e26', () => {
  const table: [string, Customer, 'ai' | 'us', string, string[]][] = [
    ['SG under, ai', sg(UNDER), 'ai', 'allow', []],
    ['SG over, ai', sg(OVER), 'ai', 'review', ['TIER2_HEADQUARTERS', 'TRAINING_COMPUTE']],
    ['SG under, us', sg(UNDER), 'us', 'allow', []],
    ['SG over, us', sg(OVER), 'us', 'allow', []],
    ['US over, ai', { ...sg(OVER), country: 'US' }, 'ai', 'allow', []],
    ['CN under, us', { ...sg(UNDER), country: 'CN' }, 'us', 'deny', ['TIER3_HEADQUARTERS']],
    ['CN over, us', { ...sg(OVER), country: 'CN' }, 'us', 'deny', ['TIER3_HEADQUARTERS', 'TRAINING_COMPUTE']],
    ['CN over, ai', { ...sg(OVER), country: 'CN' }, 'ai', 'deny', ['TIER3_HEADQUARTERS', 'TRAINING_COMPUTE']],
    ['SG over but inference, ai', sg({ ...OVER, purpose: 'inference' }), 'ai', 'allow', []],
    ['SG over, purpose not given → training assumed, ai', sg({ gpuModel: 'H100-SXM', gpuCount: 10_000, hours: 2809 }), 'ai', 'review', ['TIER2_HEADQUARTERS', 'TRAINING_COMPUTE']],
  ];
  for (const [name, customer, pk, outcome, expected] of table) {
    test(name, () => {
      const d = decide(customer, pk);
      assert.equal(d.outcome, outcome);
      assert.deepEqual(codes(d), expected);
    });
  }
});

test('Red Flag 28 reaches a US subsidiary of an Indian parent under ai-diffusion-2025, not under us-export-2026', () => {
  const c: Customer = { id: 'us-in', name: 'Example AI Inc', country: 'US', parents: [{ name: 'Example Infotech Ltd', country: 'IN', ownership: 0.7 }], request: BIG };
  const ai = decide(c, 'ai');
  assert.equal(ai.outcome, 'review');
  assert.equal(reason(ai, 'TIER2_HEADQUARTERS')?.subject, 'parent:0');
  assert.equal(decide(c, 'us').outcome, 'allow');
});

test('the cluster signal: 1e20 ops/s at dense FP8, review for non-Tier-1 under ai-diffusion-2025, off under us-export-2026', () => {
  const big = sg({ gpuModel: 'H100-SXM', gpuCount: 51_000, hours: 1, purpose: 'inference' }); // 51,000 × 1,979e12 = 1.009e20
  const ai = decide(big, 'ai');
  assert.deepEqual([ai.outcome, codes(ai)], ['review', ['CLUSTER_SCALE']]);
  assert.match(reason(ai, 'CLUSTER_SCALE')!.detail, /cluster peak 1\.01e20 ops\/s ≥ 1e20: H100-SXM 1,979 TFLOP\/s FP8 dense peak × 51,000 GPUs/);
  assert.equal(decide(big, 'us').outcome, 'allow');
  assert.equal(decide(sg({ ...big.request!, gpuCount: 50_000 }), 'ai').outcome, 'allow'); // 9.9e19
  assert.equal(decide({ ...big, country: 'JP' }, 'ai').outcome, 'allow'); // Tier 1
});

test('TRAINING_AGGREGATE: the ultimate parent’s window sum reaches 1e26 though the request alone does not', () => {
  const d = decide(sg(UNDER), 'ai', { aggregate: { windowOps: 1.2e26 } });
  assert.equal(d.outcome, 'review');
  const r = reason(d, 'TRAINING_AGGREGATE')!;
  assert.match(r.detail, /over 365 days sum to est\. 1\.2e26 ops ≥ 1e26 though this request alone is est\. 9\.998e25 \(H100-SXM 989 TFLOP\/s BF16 dense × 10,000 GPUs × 2,808 h/);
  assert.equal(decide(sg(UNDER), 'ai', { aggregate: { windowOps: 0.9e26 } }).outcome, 'allow');
  assert.equal(decide(sg(UNDER), 'us', { aggregate: { windowOps: 1.2e26 } }).outcome, 'allow');
});

test('an unknown GPU model throws KYC_ERR_UNKNOWN_GPU, whatever the purpose', () => {
  for (const purpose of ['training', 'inference'] as const) {
    assert.throws(() => decide(sg({ gpuModel: 'Ascend-999', gpuCount: 8, hours: 1, purpose }), 'us'), { code: 'KYC_ERR_UNKNOWN_GPU' });
  }
});

test('estimates are plain fast-property objects of one layout (V8 map): screening builds no property table per request', () => {
  // V8's own answer, in a child process with natives syntax. An object literal with a getter closing over the call's
  // values (what these estimates were) is built in dictionary mode: a property hash table of its own per object, and
  // per request several KB of old-generation growth in the server (bench/RESULTS.md)
  const script = `
    import { estimateCluster, estimateTraining } from './src/policy/index.ts';
    import { PACKS, RULES } from './test/unit/policy/fixtures.ts';
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)');
    const fast = new Function('a', 'return %HasFastProperties(a)');
    const a = { gpuModel: 'H100-SXM', gpuCount: 8, hours: 24, purpose: 'training' };
    const b = { gpuModel: 'A100-SXM', gpuCount: 64, hours: 100, purpose: 'training' };
    const t = [estimateTraining(a, PACKS.us, RULES), estimateTraining(b, PACKS.us, RULES)];
    const c = [estimateCluster(a, RULES), estimateCluster(b, RULES)];
    console.log(JSON.stringify({
      fast: [...t, ...c].every((x) => fast(x)),
      sameMap: sameMap(t[0], t[1]) && sameMap(c[0], c[1]),
      formula: t[0].formula,
    }));`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { fast: true, sameMap: true, formula: 'H100-SXM 989 TFLOP/s BF16 dense × 8 GPUs × 24 h × utilization 1.0' });
});
