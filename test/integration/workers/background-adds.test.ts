// BackgroundAdds under a real fault (own redis-server, port 6411, AOF, killed and restarted): batched, retried (never given up) until Redis is back, counted once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { BackgroundAdds, type SumAddition } from '../../../src/http/middleware/background-adds.js';
import type { AggregatorPort } from '../../../src/http/middleware/ports.js';
import { MAX_COUNTED_OPS, TrainingAggregator } from '../../../src/runtime/aggregation.js';
import { connectRedis } from '../../../src/runtime/redis.js';
import { startPrivateRedis } from './fixtures/private-redis.js';
import { until } from '../until.js';

const PORT = 6411;
const URL = `redis://127.0.0.1:${PORT}`;
const prefix = `{kyctest${randomUUID().slice(0, 8)}}`;
const WINDOW = 86400;
let dir = '';
let server: ChildProcess | undefined;
/** The aggregator's connection: failFast, as the middleware's producers use (no offline queue). */
let conn: Redis;
/** A second connection, only to read the sums. */
let reader: Redis;
let aggregator: TrainingAggregator;
let peekAgg: TrainingAggregator;

// AOF, fsync always: what landed before a kill is still there after the restart, so a sum can only be wrong by a
// lost or doubled addition, not by the restart itself.
const startServer = async () => {
  server = await startPrivateRedis(PORT, ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--enable-debug-command', 'yes']);
};
const stopServer = async () => {
  const p = server;
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
};

/** Logs the BackgroundAdds writes (warn: retrying; error: retrying after more than 3 attempts). */
const logs: { level: number; msg: string; count?: number; attempts?: number; pending?: number }[] = [];
const logger = pino({ level: 'warn' }, { write: (s: string) => void logs.push(JSON.parse(s)) });

/** The real aggregator, with every addBatch call's batch recorded (its items, then its waited-for last; and how many failed). */
function recorded(agg: TrainingAggregator) {
  const calls: { ids: string[]; failed: number; t: number }[] = [];
  const port: AggregatorPort = {
    add: (...a) => agg.add(...a),
    addBatch: async (items, last) => {
      const res = await agg.addBatch(items, last);
      const results = [...res.added, ...(last ? [res.last] : [])];
      calls.push({ ids: [...items, ...(last ? [last] : [])].map((i) => i.requestId), failed: results.filter((r) => r instanceof Error).length, t: performance.now() });
      return res;
    },
  };
  return { port, calls };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kills the server and waits until the aggregator's connection has noticed: an addition sent in between would be in
 * flight (see the in-flight test below), and these tests are about additions refused while Redis is known down.
 */
async function killServer(): Promise<void> {
  await stopServer();
  await until('the client sees Redis gone', () => conn.status !== 'ready', 3000);
}

/** Each test starts with the server up and the aggregator's connection ready (a failed test may leave it down). */
async function serverUp(): Promise<void> {
  if (!server || server.exitCode !== null || server.signalCode !== null) await startServer();
  await until('the client ready', () => conn.status === 'ready', 5000);
}

const AT = new Date('2026-11-20T00:00:00Z');
/** Ops in whole multiples of U, so every sum is exact in floating point (a doubled or lost addition shows as such). */
const U = 1e9;
const addition = (group: string, ops: number, requestId: string): SumAddition => ({ groupKeys: [`parent:${group}`, `customer:${requestId}`], ops, at: AT, requestId });
const sum = async (group: string) => (await peekAgg.peek([`parent:${group}`], AT)).windowOps;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kycgate-bgadds-'));
  await startServer();
  conn = connectRedis(URL, { failFast: true, name: 'bgadds-test' });
  conn.on('error', () => {});
  reader = new Redis(URL, { maxRetriesPerRequest: null });
  reader.on('error', () => {});
  await new Promise((r) => conn.once('ready', r)); // no offline queue: commands before 'ready' fail
  await Promise.all([conn.ping(), reader.ping()]);
  aggregator = new TrainingAggregator(conn, prefix, WINDOW);
  peekAgg = new TrainingAggregator(reader, prefix, WINDOW);
});

after(async () => {
  conn?.disconnect();
  reader?.disconnect();
  await stopServer();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('with Redis up: additions made within one batchMs go in one addBatch; maxBatch splits them; all land once', async () => {
  await serverUp();
  const table: [string, number, number, number[]][] = [
    // [group, additions, maxBatch, expected batch sizes]
    ['g-one', 25, 500, [25]],
    ['g-split', 20, 8, [8, 8, 4]],
  ];
  for (const [group, n, maxBatch, sizes] of table) {
    const { port, calls } = recorded(aggregator);
    const bg = new BackgroundAdds(port, logger, { batchMs: 30, maxBatch });
    for (let i = 0; i < n; i++) bg.add(addition(group, U, `${group}-${i}`));
    assert.equal(bg.pending, n);
    assert.equal(bg.healthy, true);
    assert.equal(calls.length, 0, 'nothing is sent before batchMs');
    const ms = await until(`${group}: pending 0`, () => bg.pending === 0, 3000);
    assert.ok(ms < 1000, `${group}: acknowledged after ${ms} ms`);
    assert.deepEqual(calls.map((c) => c.ids.length), sizes, group);
    assert.deepEqual(calls.flatMap((c) => c.ids), Array.from({ length: n }, (_, i) => `${group}-${i}`), 'each once, in order');
    assert.equal(await sum(group), n * U, group);
  }
  // INFO commandstats agrees: one script call for the whole batch (no call per addition, no retries, no reads)
  const evals = async () => {
    const info = await reader.info('commandstats');
    return [...info.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
  };
  const before = await evals();
  const bg = new BackgroundAdds(aggregator, logger, { batchMs: 30 });
  for (let i = 0; i < 10; i++) bg.add(addition('g-stats', U, `g-stats-${i}`));
  await until('g-stats: pending 0', () => bg.pending === 0, 3000);
  assert.equal((await evals()) - before, 1);
  assert.equal(await sum('g-stats'), 10 * U);
});

test('Redis killed: additions wait and are retried; after the restart every one is in the sum exactly once', async () => {
  await serverUp();
  const group = 'g-fault';
  const { port, calls } = recorded(aggregator);
  const bg = new BackgroundAdds(port, logger, { batchMs: 10, retryDelaysMs: [200, 400, 800, 1600] });
  // one addition lands before the fault
  bg.add(addition(group, U, 'fault-0'));
  await until('the first addition', () => bg.pending === 0, 2000);
  assert.equal(await sum(group), U);

  await killServer();
  logs.length = 0;
  const during = [addition(group, 2 * U, 'fault-1'), addition(group, 3 * U, 'fault-2'), addition(group, 4 * U, 'fault-3'), addition(group, U, 'fault-0')]; // fault-0 again: a client's repeat
  for (const a of during) bg.add(a);
  await until('a failed attempt', () => calls.some((c) => c.failed > 0), 2000);
  await sleep(250); // the first retry (200 ms) fails too
  assert.equal(bg.pending, during.length, 'nothing acknowledged while Redis is down');
  assert.ok(calls.filter((c) => c.failed > 0).length >= 2, `attempts: ${JSON.stringify(calls)}`);
  assert.ok(logs.some((l) => l.level === 40 && /retrying/.test(l.msg) && l.count === during.length), 'a warning says they are retried');

  await startServer();
  const ms = await until('pending 0 after the restart', () => bg.pending === 0, 5000);
  assert.equal(await sum(group), 10 * U, `sum after ${ms} ms`);
  // every addition made during the outage was acknowledged in exactly one call (retries split them freely)
  const acked = calls.filter((c) => c.failed === 0).flatMap((c) => c.ids);
  assert.deepEqual(acked.sort(), ['fault-0', ...during.map((a) => a.requestId)].sort());
});

test('Redis down for long: never given up — retried at the last delay, unhealthy above maxPending; all land once after the restart', async () => {
  await serverUp();
  const group = 'g-long';
  const { port, calls } = recorded(aggregator);
  const bg = new BackgroundAdds(port, logger, { batchMs: 10, retryDelaysMs: [50, 100], maxPending: 3 });
  bg.add(addition(group, U, 'long-0'));
  await until('the first addition', () => bg.pending === 0, 2000);

  await killServer();
  logs.length = 0;
  const first = calls.length;
  bg.add(addition(group, 2 * U, 'long-1'));
  bg.add(addition(group, 3 * U, 'long-2'));
  assert.deepEqual([bg.pending, bg.healthy], [2, true], 'below maxPending');
  bg.add(addition(group, 4 * U, 'long-3'));
  assert.deepEqual([bg.pending, bg.healthy], [3, false], 'at maxPending: unhealthy (the screener waits for the sum again)');

  // far past the whole schedule (10 + 50 + 100 ms): still pending, still being retried
  await sleep(900);
  const tries = calls.slice(first);
  assert.deepEqual([bg.pending, bg.healthy], [3, false]);
  assert.ok(tries.every((c) => c.failed === c.ids.length), 'every attempt failed whole');
  for (const id of ['long-1', 'long-2', 'long-3']) {
    const times = tries.filter((c) => c.ids.includes(id)).map((c) => c.t);
    assert.ok(times.length >= 5, `${id}: ${times.length} attempts while down`);
    // the gaps: 50 ms, then 100 ms repeating (the last delay), never shorter
    const gaps = times.slice(1).map((t, k) => t - times[k]!);
    assert.ok(gaps[0]! >= 45, `${id}: first retry after ${gaps[0]} ms`);
    assert.ok(gaps.slice(1).every((g) => g >= 95), `${id}: later retries after ${gaps.map(Math.round).join(', ')} ms`);
  }
  // logged at warn for the first three attempts, then at error (with the attempt count), never "given up"
  assert.ok(logs.length >= tries.length - 1, `${logs.length} log lines`);
  assert.ok(logs.every((l) => /retrying/.test(l.msg) && l.count! >= 1 && l.pending === 3), JSON.stringify(logs[0]));
  assert.deepEqual(logs.map((l) => [l.attempts! > 3 ? 50 : 40, l.level]).filter(([want, got]) => want !== got), [], 'warn ≤ 3 attempts < error');

  await startServer();
  await until('pending 0 after the restart', () => bg.pending === 0, 5000);
  assert.equal(bg.healthy, true);
  assert.equal(await sum(group), 10 * U, 'each addition exactly once, with the one before the fault');
  const n = calls.length;
  await sleep(300);
  assert.equal(calls.length, n, 'no further attempts once acknowledged');
});

/**
 * Sends `DEBUG SLEEP` on its own connection so the server holds the next commands unanswered, adds one addition
 * (its pipeline is written and waits for a reply), then kills the server: the addition was in flight.
 */
async function killWithAdditionInFlight(bg: BackgroundAdds, a: SumAddition): Promise<void> {
  const blocker = new Redis(URL, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  blocker.on('error', () => {});
  try {
    await blocker.ping();
    void blocker.call('DEBUG', 'SLEEP', '3').catch(() => {});
    await sleep(50);
    bg.add(a);
    await sleep(100); // batchMs passed: the pipeline is on the wire, unanswered
    await stopServer();
  } finally {
    blocker.disconnect();
  }
}

test('an addition in flight when Redis is killed is sent again after the restart and counted once', async () => {
  await serverUp();
  const group = 'g-inflight';
  const { port, calls } = recorded(aggregator);
  const bg = new BackgroundAdds(port, logger, { batchMs: 10, retryDelaysMs: [200, 400, 800, 1600] });
  bg.add(addition(group, U, 'before'));
  await until('the first addition', () => bg.pending === 0, 2000);
  await killWithAdditionInFlight(bg, addition(group, 2 * U, 'in-flight'));
  assert.equal(bg.pending, 1);
  await sleep(300);
  assert.equal(bg.pending, 1, 'still waiting while Redis is down');
  await startServer();
  await until('pending 0 after the restart', () => bg.pending === 0, 5000);
  assert.equal(await sum(group), 3 * U, 'the in-flight addition once, with the one before');
  // today ioredis holds the written pipeline and re-sends it on reconnect (one call); a retry would be fine too
  assert.deepEqual(calls.filter((c) => c.failed === 0).flatMap((c) => c.ids), ['before', 'in-flight'], 'acknowledged once each');
});

// An item error no retry can fix (the aggregator's RangeError for NaN or negative ops) is dropped, not retried.
test('an addition Redis can never accept (NaN ops) does not stay pending forever', async () => {
  await serverUp();
  const { port, calls } = recorded(aggregator);
  const bg = new BackgroundAdds(port, logger, { batchMs: 10, retryDelaysMs: [20, 40], maxPending: 1 });
  bg.add(addition('g-nan', Number.NaN, 'nan-ops'));
  await sleep(400);
  const attempts = calls.length;
  assert.ok(attempts >= 1);
  assert.equal(bg.pending, 0, `still pending after ${attempts} attempts, all RangeError: ${calls.every((c) => c.failed === 1)}`);
  assert.equal(bg.healthy, true);
});

// An estimate that overflows (hours: 1e300 gives Infinity) is counted as MAX_COUNTED_OPS, never dropped.
test('an addition of Infinity operations lands as MAX_COUNTED_OPS', async () => {
  await serverUp();
  const bg = new BackgroundAdds(aggregator, logger, { batchMs: 10 });
  bg.add(addition('g-inf', Number.POSITIVE_INFINITY, 'inf-ops'));
  await until('the addition landed', () => bg.pending === 0, 2000);
  assert.equal(await sum('g-inf'), MAX_COUNTED_OPS);
});

test('a waited-for addition (addNow) sends the queued ones first, in the same pipeline: its sum includes them', async () => {
  await serverUp();
  const { port, calls } = recorded(aggregator);
  const bg = new BackgroundAdds(port, logger, { batchMs: 60_000 });
  bg.add(addition('g-now', U, 'queued-1'));
  bg.add(addition('g-now', 2 * U, 'queued-2'));
  assert.equal(calls.length, 0, 'nothing sent yet (batchMs far away)');
  const { windowOps } = await bg.addNow(addition('g-now', 4 * U, 'waited'));
  assert.equal(windowOps, 7 * U, 'the waited sum counts the queued additions');
  assert.deepEqual(calls.map((c) => c.ids), [['queued-1', 'queued-2', 'waited']]);
  assert.equal(bg.pending, 0);
});

test('a host aggregator without addBatch: additions go one by one through add; a waited-for sum includes what waits', async () => {
  await serverUp();
  const used: string[] = [];
  const port: AggregatorPort = { add: (...a) => (used.push(a[3] ?? '?'), aggregator.add(...a)) };
  const g = 'g-host';
  const bg = new BackgroundAdds(port, logger, { batchMs: 30 });
  bg.add(addition(g, U, `${g}-1`));
  bg.add(addition(g, 2 * U, `${g}-2`));
  await until('pending 0', () => bg.pending === 0, 3000);
  bg.add(addition(g, 4 * U, `${g}-3`));
  assert.deepEqual(await bg.addNow(addition(g, 8 * U, `${g}-4`)), { windowOps: 15 * U });
  assert.deepEqual(used, [`${g}-1`, `${g}-2`, `${g}-3`, `${g}-4`], 'each once, the waiting one before the waited-for one');
  assert.equal(await sum(g), 15 * U);
});

test('while Redis fails, healthy is false from the first failed round trip; a success makes it true again', async () => {
  await serverUp();
  const bg = new BackgroundAdds(aggregator, logger, { batchMs: 10, retryDelaysMs: [50] });
  await killServer();
  bg.add(addition('g-health', U, 'h-1'));
  assert.equal(bg.healthy, true, 'nothing has failed yet');
  await until('the first failure', () => !bg.healthy, 2000);
  await assert.rejects(bg.addNow(addition('g-health', U, 'h-2')), 'a waited-for addition fails while Redis is down');
  await startServer();
  await until('recovered', () => bg.healthy && bg.pending === 0, 5000);
  assert.equal(await sum('g-health'), U, 'the background addition landed once; the failed waited one was not counted');
});

test('close() sends what waits (retries included) and resolves once nothing is pending', async () => {
  await serverUp();
  const bg = new BackgroundAdds(aggregator, logger, { batchMs: 60_000, retryDelaysMs: [60_000] });
  bg.add(addition('g-close', U, 'c-1'));
  bg.add(addition('g-close', 2 * U, 'c-2'));
  assert.equal(bg.pending, 2);
  await bg.close(3000);
  assert.equal(bg.pending, 0);
  assert.equal(await sum('g-close'), 3 * U);
  assert.equal(bg.healthy, false, 'closed: new requests wait for their sums');
});
