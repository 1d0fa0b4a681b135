// Rescreen chunks on real Redis (ledger) + real PostgreSQL (ReviewService): a rerun on the same snapshot (rule date)
// records a new decision and opens a case for a new deny; a chunk is screened on the snapshot it names, or on the one
// in force when its own was replaced (carried forward), never on a stale one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Snapshot } from '../../../src/lists/snapshot.js';
import type { Customer, Decision, Reason } from '../../../src/model/index.js';
import { chunkJobId, rescreenScreeningId, type RescreenChunkData } from '../../../src/queue/jobs.js';
import { RescreenLedger } from '../../../src/queue/rescreen-ledger.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { ReviewService } from '../../../src/store/services/review-service.js';
import { processRescreenChunk, SnapshotMismatchError } from '../../../workers/rescreen.js';
import type { EngineLike } from '../../../workers/ports.js';
import { createTestDatabase, decisionFor, type TestDatabase } from '../review/helpers.js';

const logger = createLogger('silent');
const prefix = `{h6snap-${randomUUID().slice(0, 8)}}`;
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const ledger = new RescreenLedger(redis, prefix);
let t: TestDatabase;
let svc: ReviewService;

const snapshot = (id: string) => ({ id, createdAt: '2026-11-01T00:00:00Z', sources: [], entries: [], counts: {} }) as Snapshot;

/** A stand-in engine: decides by `rule(customer)`, serves one snapshot, counts screenings, can swap during a screen. */
function fakeEngine(start: string, rule: (c: Customer) => Reason[]) {
  let snap = snapshot(start);
  const e = {
    screened: [] as string[],
    onScreen: undefined as (() => void) | undefined,
    ready: true,
    get snapshot() {
      return snap;
    },
    screen(input: unknown): Decision {
      const c = input as Customer;
      e.screened.push(`${c.id}@${snap.id}`);
      const d = decisionFor(c, [], { reasons: rule(c) });
      e.onScreen?.();
      return { ...d, rulesVersion: 'rules-1' };
    },
    swap(s: Snapshot) {
      snap = s;
    },
  };
  return e satisfies EngineLike;
}

const customers: Customer[] = [
  { id: 'rs-a', name: 'Example Compute A Pte Ltd', country: 'SG' },
  { id: 'rs-b', name: 'Example Compute B Pte Ltd', country: 'SG' },
  { id: 'rs-c', name: 'Example Compute C Pte Ltd', country: 'SG' },
];

function chunk(runId: string, snapshotId: string, list = customers): RescreenChunkData & { id: string } {
  const data: RescreenChunkData = { runId, snapshotId, trigger: 'rule-date', source: { kind: 'inline' }, range: { kind: 'inline', customers: list, count: list.length } };
  return { ...data, id: chunkJobId(runId, snapshotId, data.source, data.range) };
}

const job = (c: RescreenChunkData & { id: string }) => ({ data: c, id: c.id, updateProgress: async () => {} });

/** An announcement that lands while the first customer is screened: the engine swaps to `to`. */
function swapOnFirstScreen(engine: ReturnType<typeof fakeEngine>, to: string): void {
  let n = 0;
  engine.onScreen = () => {
    n += 1;
    if (n === 1) engine.swap(snapshot(to));
  };
}

before(async () => {
  t = await createTestDatabase();
  svc = new ReviewService(t.db);
});
after(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await t?.drop();
});

test('rescreen screening ids: same run → same id; another run, pack or rule data → another id', () => {
  const c = customers[0]!;
  const rules = { policy: 'us-export-2026', policyVersion: '2026.1', rulesVersion: 'r1' };
  const id = rescreenScreeningId({ runId: 'run-1', snapshotId: 's1' }, rules, c);
  assert.equal(rescreenScreeningId({ runId: 'run-1', snapshotId: 's1' }, rules, c), id);
  assert.notEqual(rescreenScreeningId({ runId: 'run-2', snapshotId: 's1' }, rules, c), id);
  assert.notEqual(rescreenScreeningId({ runId: 'run-1', snapshotId: 's1' }, { ...rules, rulesVersion: 'r2' }, c), id);
  assert.notEqual(rescreenScreeningId({ runId: 'run-1', snapshotId: 's1' }, { ...rules, policy: 'ai-diffusion-2025' }, c), id);
  assert.notEqual(rescreenScreeningId({ runId: 'run-1', snapshotId: 's1' }, rules, { ...c, name: 'Renamed Pte Ltd' }), id);
});

test('a rule-date rescreen on the same snapshot records a new decision and opens a case for a new deny', async () => {
  let ruleDay = false;
  const engine = fakeEngine('snap-1', (c) =>
    c.id === 'rs-a'
      ? [{ code: 'TIER2_HEADQUARTERS', subject: 'customer', outcome: 'review', detail: 'HQ tier 2' }, ...(ruleDay ? [{ code: 'OWNED_BY_LISTED' as const, subject: 'customer', outcome: 'deny' as const, detail: 'Affiliates rule in force' }] : [])]
      : [],
  );
  const deps = { engine, recorder: svc, ledger, logger };
  const first = await processRescreenChunk(job(chunk('run-all', 'snap-1')), deps);
  assert.equal(first.recorded, 1);
  ruleDay = true;
  const second = await processRescreenChunk(job(chunk('run-all-2026-11-10', 'snap-1')), deps);
  assert.equal(second.recorded, 1, 'the rerun on the same snapshot is recorded');
  const { rows } = await t.db.query<{ outcome: string }>(`SELECT outcome FROM screenings WHERE customer_id = 'rs-a' ORDER BY recorded_at, outcome`);
  assert.deepEqual(rows.map((r) => r.outcome).sort(), ['deny', 'review']);
  const cases = await t.db.query<{ reason_code: string; level: string }>(`SELECT reason_code, level FROM cases WHERE customer_id = 'rs-a' ORDER BY reason_code`);
  assert.deepEqual(cases.rows.map((r) => [r.reason_code, r.level]), [['OWNED_BY_LISTED', 'deny'], ['TIER2_HEADQUARTERS', 'review']]);
  // a retried chunk of the same run stores nothing twice
  const again = await processRescreenChunk(job(chunk('run-all-2026-11-10', 'snap-1')), deps);
  assert.equal(again.skipped, customers.length);
  assert.equal(Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM screenings WHERE customer_id = 'rs-a'`)).rows[0]!.n), 2);
});

test('a chunk for a snapshot the worker does not serve is not screened or marked; it runs once the snapshot is loaded', async () => {
  const engine = fakeEngine('snap-old', () => []);
  const c = chunk('run-delta', 'snap-new');
  const deps = { engine, recorder: svc, ledger, logger };
  await assert.rejects(processRescreenChunk(job(c), deps), SnapshotMismatchError);
  assert.deepEqual(engine.screened, []);
  assert.equal((await ledger.doneCustomers(c.id)).size, 0);
  assert.equal(await ledger.isChunkDone('snap-new', c.id), false);

  // the worker loads the snapshot in force (the announcement it had not followed yet): the chunk runs
  const loaded = await processRescreenChunk(job(c), { ...deps, ensureCurrentSnapshot: async () => (engine.swap(snapshot('snap-new')), 'snap-new') });
  assert.equal(loaded.screened, customers.length);
  assert.equal(loaded.carriedForwardTo, undefined);
  assert.ok((engine.screened as string[]).every((s) => s.endsWith('@snap-new')));
  assert.equal(await ledger.isChunkDone('snap-new', c.id), true);
});

test('a swap in the middle of a chunk stops it: customers screened after the swap are neither recorded nor marked', async () => {
  const engine = fakeEngine('snap-x', () => []);
  const c = chunk('run-swap', 'snap-x');
  swapOnFirstScreen(engine, 'snap-y');
  await assert.rejects(processRescreenChunk(job(c), { engine, recorder: svc, ledger, logger }), SnapshotMismatchError);
  assert.deepEqual(engine.screened, ['rs-a@snap-x'], 'nothing screened on the other snapshot');
  const done = await ledger.doneCustomers(c.id);
  assert.ok(!done.has('rs-b') && !done.has('rs-c'));
  assert.equal(await ledger.isChunkDone('snap-x', c.id), false);
});

test('a chunk planned on a snapshot no longer in force is screened on the one in force and completes its run', async () => {
  // a delta chunk planned for snap-2; snap-3 replaced it before a worker took the chunk
  const engine = fakeEngine('snap-3', (c) => (c.id === 'rs-b' ? [{ code: 'TIER2_HEADQUARTERS', subject: 'customer', outcome: 'review', detail: 'HQ tier 2' }] : []));
  const c = chunk('run-carry', 'snap-2');
  const followed: string[] = [];
  const deps = { engine, recorder: svc, ledger, logger, ensureCurrentSnapshot: async () => (followed.push('follow'), engine.snapshot.id) };
  const r = await processRescreenChunk(job(c), deps);
  assert.deepEqual(followed, ['follow'], 'the worker checked which snapshot is in force');
  assert.equal(r.carriedForwardTo, 'snap-3');
  assert.equal(r.screened, customers.length);
  assert.deepEqual(engine.screened, ['rs-a@snap-3', 'rs-b@snap-3', 'rs-c@snap-3']);
  // the review is recorded with the id a retry on snap-3 would give it, and its decision names snap-3's lists
  const { rows } = await t.db.query<{ screening_id: string }>(`SELECT screening_id FROM screenings WHERE customer_id = 'rs-b' AND actor = 'worker:rescreen'`);
  const b = customers[1]!;
  const expected = rescreenScreeningId({ runId: 'run-carry', snapshotId: 'snap-3' }, { ...decisionFor(b, []), rulesVersion: 'rules-1' }, b);
  assert.ok(rows.some((row) => row.screening_id === expected), 'screening id hashed with the snapshot it was screened on');
  assert.equal(await ledger.isChunkDone('snap-2', c.id), true, 'the chunk counts as done for the run it was planned in');
  const again = await processRescreenChunk(job(c), deps);
  assert.equal(again.skipped, customers.length, 'a second delivery does nothing');
  assert.equal(engine.screened.length, customers.length);
});

test('a worker that cannot tell the snapshot in force does not carry a chunk to the stale one it serves', async () => {
  const engine = fakeEngine('snap-stale', () => []);
  const c = chunk('run-unknown', 'snap-named');
  await assert.rejects(processRescreenChunk(job(c), { engine, recorder: svc, ledger, logger, ensureCurrentSnapshot: async () => undefined }), SnapshotMismatchError);
  // following reported a snapshot the engine did not end up serving (its load or swap failed): no carry either
  await assert.rejects(processRescreenChunk(job(c), { engine, recorder: svc, ledger, logger, ensureCurrentSnapshot: async () => 'snap-other' }), SnapshotMismatchError);
  assert.deepEqual(engine.screened, []);
  assert.equal(await ledger.isChunkDone('snap-named', c.id), false);
});

test('after a swap stopped a chunk, its retry screens the rest on the snapshot now in force', async () => {
  const engine = fakeEngine('snap-p', () => []);
  const c = chunk('run-swap-retry', 'snap-p');
  swapOnFirstScreen(engine, 'snap-q');
  const deps = { engine, recorder: svc, ledger, logger, ensureCurrentSnapshot: async () => engine.snapshot.id };
  await assert.rejects(processRescreenChunk(job(c), deps), SnapshotMismatchError);
  const retry = await processRescreenChunk(job(c), deps);
  assert.equal(retry.carriedForwardTo, 'snap-q');
  assert.equal(retry.skipped, 1, 'the customer screened on snap-p before the swap stays done');
  assert.deepEqual(engine.screened, ['rs-a@snap-p', 'rs-b@snap-q', 'rs-c@snap-q']);
  assert.equal(await ledger.isChunkDone('snap-p', c.id), true);
});
