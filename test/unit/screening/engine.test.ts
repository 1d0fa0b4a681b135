// ScreeningEngine: screens through the real index, swaps snapshots by one reference, refuses without lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config.js';
import type { Snapshot } from '../../../src/lists/snapshot.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { ScreeningEngine } from '../../../src/runtime/screening-engine.js';
import { entry } from '../policy/fixtures.js';

const logger = createLogger('silent');
const config = loadConfig({ KYCGATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'kycgate-engine-')) });

function snapshot(id: string, names: [string, string][]): Snapshot {
  const entries = names.map(([sourceId, name]) => entry({ query: name, list: 'SDN', sourceId }));
  const now = '2026-06-02T00:00:00Z';
  return {
    id,
    createdAt: now,
    sources: [{ source: 'ofac-sdn', files: [{ name: 'SDN.CSV', sha256: id.padEnd(64, '0'), bytes: 1, origin: 'test', retrievedAt: now, publishedAt: now, format: 'ofac-csv', rows: entries.length, entries: entries.length }], counts: { SDN: entries.length }, retrievedAt: now, publishedAt: now }],
    entries,
    counts: { SDN: entries.length },
  };
}

// Real SDN rows: 12927 "MAHAN AIR"; 25578 "BANK MELLI IRAN".
const A = snapshot('snap-a', [['12927', 'MAHAN AIR'], ['25578', 'BANK MELLI IRAN']]);
const B = snapshot('snap-b', [['25578', 'BANK MELLI IRAN']]);

test('screens through the index of the loaded snapshot; swap replaces it; the old index stays usable', async () => {
  const engine = await ScreeningEngine.start(config, logger, { snapshot: A });
  assert.equal(engine.ready, true);
  const d1 = engine.screen({ id: 'c1', name: 'Mahan Air', country: 'IR' });
  assert.equal(d1.outcome, 'deny');
  assert.equal(d1.lists.version, 'snap-a');
  assert.match(d1.screeningId, /^[0-9a-f-]{36}$/);
  assert.equal(d1.policy, 'us-export-2026');
  const oldIndex = engine.index!;
  engine.swap(B);
  assert.equal(engine.snapshot?.id, 'snap-b');
  const d2 = engine.screen({ id: 'c1', name: 'Mahan Air', country: 'AE' });
  assert.deepEqual([d2.outcome, d2.lists.version, d2.hits.length], ['allow', 'snap-b', 0]);
  assert.notEqual(d2.screeningId, d1.screeningId);
  assert.equal(oldIndex.search({ name: 'Mahan Air' }, { minScore: 0.85 })[0]?.entry.sourceId, '12927');
});

test('per-call policy, date and aggregate; estimateTrainingOps; errors are KycErrors', async () => {
  const engine = await ScreeningEngine.start(config, logger, { snapshot: A });
  const sg = { id: 'c2', name: 'Example Compute Pte Ltd', country: 'SG', request: { gpuModel: 'H100-SXM', gpuCount: 50_000, hours: 2000, purpose: 'training' } };
  assert.equal(engine.screen(sg).outcome, 'allow');
  assert.equal(engine.screen(sg, { policy: 'ai-diffusion-2025' }).outcome, 'review');
  assert.equal(engine.screen({ ...sg, country: 'KH' }, { now: new Date('2025-01-15T00:00:00Z') }).outcome, 'deny');
  assert.equal(engine.estimateTrainingOps({ gpuModel: 'H100-SXM', gpuCount: 50_000, hours: 2000 }), 50_000 * 989e12 * 2000 * 3600);
  assert.equal(engine.pack('ai-diffusion-2025').training.aggregation.windowDays, 365);
  assert.equal(engine.screen(sg, { screeningId: 'given-id' }).screeningId, 'given-id');
  assert.throws(() => engine.screen({ id: 'x' }), { code: 'KYC_ERR_INPUT_INVALID' });
  assert.throws(() => engine.screen(sg, { policy: 'nope' }), { code: 'KYC_ERR_UNKNOWN_POLICY' });
  assert.throws(() => engine.screen({ ...sg, request: { ...sg.request, gpuModel: 'Z9' } }), { code: 'KYC_ERR_UNKNOWN_GPU' });
  assert.throws(() => engine.estimateTrainingOps({ gpuModel: 'Z9', gpuCount: 1, hours: 1 }), { code: 'KYC_ERR_UNKNOWN_GPU' });
});

test('without a snapshot the engine is not ready and screen is KYC_ERR_LISTS_UNAVAILABLE; an unknown default pack fails at start', async () => {
  const engine = await ScreeningEngine.start(config, logger);
  assert.equal(engine.ready, false);
  assert.throws(() => engine.screen({ id: 'a', name: 'B' }), { code: 'KYC_ERR_LISTS_UNAVAILABLE' });
  engine.swap(A);
  assert.equal(engine.screen({ id: 'a', name: 'B' }).outcome, 'allow');
  await assert.rejects(ScreeningEngine.start({ ...config, KYCGATE_POLICY: 'nope' }, logger, { snapshot: A }), { code: 'KYC_ERR_UNKNOWN_POLICY' });
});
