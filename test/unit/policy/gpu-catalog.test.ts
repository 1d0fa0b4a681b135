// GPU catalog: datasheet-derived dense rates, TPP as in DOMAIN.md §2, alias lookup, unknown model → KYC_ERR_UNKNOWN_GPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeTpp, peakRate, resolveGpu, trainingRate } from '../../../src/policy/index.js';
import { RULES } from './fixtures.js';

// DOMAIN.md §2 "Common GPUs" (TPP, C from datasheet dense peaks).
const DOMAIN_TPP: [string, number][] = [
  ['A100', 4992],
  ['H100-SXM', 15832],
  ['H200', 15832],
  ['B200', 36000],
  ['H20', 2368],
  ['L40S', 5864],
  ['MI300X', 20900],
];

test('TPP of each catalog model matches DOMAIN.md and its own dense rates (within 0.1%)', () => {
  for (const [model, tpp] of DOMAIN_TPP) {
    const { model: m } = resolveGpu(RULES.gpus, model);
    assert.ok(Math.abs(m.tpp - tpp) / tpp < 0.001, `${model}: catalog ${m.tpp} vs DOMAIN ${tpp}`);
  }
  for (const [key, m] of Object.entries(RULES.gpus.models)) assert.ok(Math.abs(computeTpp(m) - m.tpp) < 1, `${key}: tpp ${m.tpp} vs computed ${computeTpp(m)}`);
});

test('the issue names at least A100, H100-SXM, H100-PCIE, H200, B200, H20, L40S, MI300X, each with a datasheet figure', () => {
  for (const key of ['A100', 'H100-SXM', 'H100-PCIE', 'H200', 'B200', 'H20', 'L40S', 'MI300X']) {
    const m = RULES.gpus.models[key];
    assert.ok(m, key);
    assert.ok(m.datasheet.length > 20 && m.source.length > 10, key);
  }
});

test('training rate is dense BF16 (H100-SXM 989 TFLOP/s); cluster peak is the best dense precision (FP8 1,979)', () => {
  const h100 = resolveGpu(RULES.gpus, 'H100-SXM');
  assert.deepEqual(trainingRate(h100, ['BF16', 'FP16']), { precision: 'BF16', opsPerSecond: 989e12, tflops: 989 });
  assert.equal(peakRate(h100).precision, 'FP8');
  assert.equal(peakRate(h100).tflops, 1979);
  assert.equal(trainingRate(resolveGpu(RULES.gpus, 'H20'), ['BF16', 'FP16']).tflops, 148);
});

test('FP16 is used where a model has no BF16', () => {
  const fake = { key: 'X', model: { ...RULES.gpus.models['A100']!, dense: { FP16: 100, INT8: 200 } } };
  assert.deepEqual(trainingRate(fake, ['BF16', 'FP16']), { precision: 'FP16', opsPerSecond: 100e12, tflops: 100 });
});

test('aliases and spelling variants resolve; plain "H100" is the SXM upper bound', () => {
  assert.equal(resolveGpu(RULES.gpus, 'h100 sxm5').key, 'H100-SXM');
  assert.equal(resolveGpu(RULES.gpus, 'H100').key, 'H100-SXM');
  assert.equal(resolveGpu(RULES.gpus, 'mi300x').key, 'MI300X');
  assert.equal(resolveGpu(RULES.gpus, 'H100 PCIe').key, 'H100-PCIE');
});

test('an unknown model is a clear KYC_ERR_UNKNOWN_GPU, never zero', () => {
  assert.throws(
    () => resolveGpu(RULES.gpus, 'RTX-9090'),
    (err: Error & { code?: string }) => err.code === 'KYC_ERR_UNKNOWN_GPU' && /unknown GPU model "RTX-9090"/.test(err.message) && /H100-SXM/.test(err.message),
  );
});
