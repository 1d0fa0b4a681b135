// ScreeningEngine: screens through the real index, swaps snapshots by one reference, refuses without lists.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config.js';
import type { Snapshot } from '../../../src/lists/snapshot.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { listsRetrievedAt, ScreeningEngine } from '../../../src/runtime/screening-engine.js';
import { entry } from '../policy/fixtures.js';

const logger = createLogger('silent');
const config = loadConfig({ KYCGATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'kycgate-engine-')) });

/** A snapshot retrieved `retrievedAt` (default: now, so within KYCGATE_MAX_LIST_AGE_HOURS) from `origin`. */
function snapshot(id: string, names: [string, string][], retrievedAt = new Date().toISOString(), origin = 'test'): Snapshot {
  const entries = names.map(([sourceId, name]) => entry({ query: name, list: 'SDN', sourceId }));
  return {
    id,
    createdAt: retrievedAt,
    sources: [{ source: 'ofac-sdn', files: [{ name: 'SDN.CSV', sha256: id.padEnd(64, '0'), bytes: 1, origin, retrievedAt, publishedAt: '2026-06-02', format: 'ofac-csv', rows: entries.length, entries: entries.length }], counts: { SDN: entries.length }, retrievedAt, publishedAt: '2026-06-02' }],
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

describe('list age (KYCGATE_MAX_LIST_AGE_HOURS, default 72)', () => {
  const OLD = '2026-06-02T00:00:00.000Z';
  const stale = snapshot('snap-old', [['12927', 'MAHAN AIR']], OLD, 'https://sanctionslistservice.ofac.treas.gov/api/download/SDN.CSV');
  const plain = { id: 'p', name: 'Sunny Side Bakery GmbH', country: 'DE' };

  test('a decision on lists older than the limit carries SCREENING_UNAVAILABLE at review, naming the age; never a clean allow', async () => {
    const engine = await ScreeningEngine.start(config, logger, { snapshot: stale });
    assert.equal(engine.listsRetrievedAt, OLD);
    const d = engine.screen(plain, { now: new Date('2026-06-06T00:00:00Z') });
    assert.equal(d.outcome, 'review');
    const r = d.reasons.find((x) => x.code === 'SCREENING_UNAVAILABLE')!;
    assert.equal(r.outcome, 'review');
    assert.match(r.detail, /96\.0 h \(4\.0 days\) before this decision — older than the 72 h allowed/);
    assert.equal(engine.screen({ id: 'm', name: 'Mahan Air', country: 'IR' }, { now: new Date('2026-06-06T00:00:00Z') }).outcome, 'deny');
    // within the limit: no reason
    assert.equal(engine.screen(plain, { now: new Date('2026-06-04T00:00:00Z') }).outcome, 'allow');
  });

  test('a refresh that finds the sources unchanged makes the lists current again (noteListsVerified); another snapshot id is ignored', async () => {
    const engine = await ScreeningEngine.start(config, logger, { snapshot: stale });
    const at = new Date('2026-06-06T00:00:00Z');
    assert.equal(engine.screen(plain, { now: at }).outcome, 'review');
    engine.noteListsVerified('snap-other', new Date('2026-06-05T12:00:00Z'));
    assert.equal(engine.listsRetrievedAt, OLD, 'a verification of another snapshot does not count');
    engine.noteListsVerified('snap-old', new Date('2026-06-05T12:00:00Z'));
    assert.equal(engine.listsRetrievedAt, '2026-06-05T12:00:00.000Z');
    assert.equal(engine.screen(plain, { now: at }).outcome, 'allow');
    engine.noteListsVerified('snap-old', new Date('2026-06-01T00:00:00Z'));
    assert.equal(engine.listsRetrievedAt, '2026-06-05T12:00:00.000Z', 'an older verification does not move it back');
    assert.equal(engine.screen(plain, { now: new Date('2026-06-09T00:00:00Z') }).outcome, 'review', 'stale again 72 h after the last verification');
  });

  test('the limit is configurable; 0 turns the check off; invalid values fail at start-up', async () => {
    const tight = await ScreeningEngine.start(loadConfig({ KYCGATE_DATA_DIR: config.KYCGATE_DATA_DIR, KYCGATE_MAX_LIST_AGE_HOURS: '24' }), logger, { snapshot: stale });
    assert.equal(tight.screen(plain, { now: new Date('2026-06-03T01:00:00Z') }).outcome, 'review');
    const off = await ScreeningEngine.start(loadConfig({ KYCGATE_DATA_DIR: config.KYCGATE_DATA_DIR, KYCGATE_MAX_LIST_AGE_HOURS: '0' }), logger, { snapshot: stale });
    assert.equal(off.screen(plain).outcome, 'allow');
  });

  test('newest retrieval across sources; local files (seed directory, lists import) count from their import', () => {
    const src = (retrievedAt: string, origin: string) => ({ source: 'x', files: [{ name: 'SDN.CSV', sha256: '0', bytes: 1, origin, retrievedAt, format: 'ofac-csv', rows: 1, entries: 1 }], counts: {}, retrievedAt });
    const url = 'https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv';
    const table: [string, Parameters<typeof listsRetrievedAt>[0], string | undefined][] = [
      ['downloaded: the newest download', { createdAt: '2026-06-10T00:00:00Z', sources: [src('2026-06-01T00:00:00Z', url), src('2026-06-03T00:00:00Z', url)] }, '2026-06-03T00:00:00.000Z'],
      ['seed files with an old mtime: the import time', { createdAt: '2026-06-10T00:00:00Z', sources: [src('2020-01-01T00:00:00Z', '/seed/SDN.CSV')] }, '2026-06-10T00:00:00.000Z'],
      ['mixed: a local source imported later wins', { createdAt: '2026-06-10T00:00:00Z', sources: [src('2026-06-01T00:00:00Z', url), src('2020-01-01T00:00:00Z', '/seed/dpl.txt')] }, '2026-06-10T00:00:00.000Z'],
      ['no sources: unknown', { createdAt: '2026-06-10T00:00:00Z', sources: [] }, undefined],
    ];
    for (const [name, snap, want] of table) assert.equal(listsRetrievedAt(snap), want, name);
  });

  test('the seed-directory path: files with an old modification time still serve clean decisions (retrieved = imported)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kycgate-seed-age-'));
    try {
      mkdirSync(join(dir, 'seed'));
      // two real rows of current-2026/SDN.CSV
      const file = join(dir, 'seed', 'SDN.CSV');
      writeFileSync(
        file,
        '36,"AEROCARIBBEAN AIRLINES","-0- ","CUBA","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- "\r\n' +
          '12927,"MAHAN AIR","-0- ","SDGT] [NPWMD] [IFSR","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","Additional Sanctions Information - Subject to Secondary Sanctions."\r\n',
      );
      utimesSync(file, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
      const seeded = loadConfig({ KYCGATE_SEED_DIR: join(dir, 'seed'), KYCGATE_DATA_DIR: join(dir, 'data') });
      const engine = await ScreeningEngine.start(seeded, logger);
      assert.equal(engine.ready, true);
      assert.ok(Date.now() - Date.parse(engine.listsRetrievedAt!) < 3_600_000, engine.listsRetrievedAt);
      const d = engine.screen(plain);
      assert.deepEqual([d.outcome, d.reasons], ['allow', []]);
      assert.equal(engine.screen({ id: 'm', name: 'Mahan Air', country: 'IR' }).outcome, 'deny');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decisionScope: what a decision depends on besides its input (the decision memo reuses allows within one scope)', () => {
  const day = new Date('2026-06-02T09:00:00Z');
  const fresh = snapshot('snap-fresh', [['12927', 'MAHAN AIR']], '2026-06-02T00:00:00Z');

  test('one scope per snapshot, policy pack and UTC day; the same within a day', async () => {
    const engine = await ScreeningEngine.start(config, logger, { snapshot: fresh });
    const scope = engine.decisionScope(undefined, day);
    assert.ok(scope);
    assert.equal(engine.decisionScope(undefined, new Date('2026-06-02T23:59:59.999Z')), scope, 'later the same UTC day');
    assert.equal(engine.decisionScope('us-export-2026', day), scope, 'the default pack named');
    const rows: [string, string | undefined][] = [
      ['next UTC day', engine.decisionScope(undefined, new Date('2026-06-03T00:00:00Z'))],
      ['another pack', engine.decisionScope('ai-diffusion-2025', day)],
    ];
    for (const [why, other] of rows) {
      assert.ok(other, why);
      assert.notEqual(other, scope, why);
    }
    engine.swap(snapshot('snap-fresh-2', [['12927', 'MAHAN AIR']], '2026-06-02T00:00:00Z'));
    assert.notEqual(engine.decisionScope(undefined, day), scope, 'another snapshot');
    assert.throws(() => engine.decisionScope('no-such-pack', day), (err: unknown) => (err as { code?: string }).code === 'KYC_ERR_UNKNOWN_POLICY');
  });

  test('none without lists, and none once the lists are older than KYCGATE_MAX_LIST_AGE_HOURS (that check reads the hour)', async () => {
    const none = await ScreeningEngine.start(config, logger);
    assert.equal(none.decisionScope(undefined, day), undefined);
    const engine = await ScreeningEngine.start(config, logger, { snapshot: fresh });
    assert.ok(engine.decisionScope(undefined, new Date('2026-06-04T23:00:00Z')), '71 h after retrieval');
    assert.equal(engine.decisionScope(undefined, new Date('2026-06-05T01:00:00Z')), undefined, '73 h after retrieval: decisions are held for review');
    assert.equal(engine.screen({ id: 'c', name: 'Blue River Cloud Inc', country: 'US' }, { now: new Date('2026-06-05T01:00:00Z') }).outcome, 'review');
  });

  test('the scope ends exactly where a screening would stop allowing on list age, also after a refresh verified the lists', async () => {
    const engine = await ScreeningEngine.start(config, logger, { snapshot: fresh });
    const customer = { id: 'c', name: 'Blue River Cloud Inc', country: 'US' };
    const agree = (at: string, allowed: boolean, why: string) => {
      const now = new Date(at);
      assert.equal(engine.decisionScope(undefined, now) !== undefined, allowed, `scope: ${why}`);
      assert.equal(engine.screen(customer, { now }).outcome, allowed ? 'allow' : 'review', `screening: ${why}`);
    };
    agree('2026-06-05T00:00:00.000Z', true, 'exactly 72 h after retrieval');
    agree('2026-06-05T00:00:00.001Z', false, '72 h and 1 ms');
    engine.noteListsVerified('snap-fresh', new Date('2026-06-04T12:00:00Z'));
    agree('2026-06-07T12:00:00.000Z', true, '72 h after the refresh that found the lists unchanged');
    agree('2026-06-07T12:00:00.001Z', false, 'and 1 ms more');
  });
});
