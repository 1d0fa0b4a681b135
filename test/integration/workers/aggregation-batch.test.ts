// TrainingAggregator.addBatch against real Redis: one round trip giving the same sums as add() one by one, a request id once, errors per slot.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { MAX_COUNTED_OPS, TrainingAggregator } from '../../../src/runtime/aggregation.js';

const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const run = randomUUID().slice(0, 8);
/** A fresh hash-tagged prefix per use, so tests do not see each other's sums. */
let n = 0;
const fresh = () => `{kyctest${run}-${n++}}`;
after(async () => {
  const keys = await redis.keys(`{kyctest${run}-*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

type Item = { groupKeys: string[]; ops: number; at: Date; requestId: string };
const T0 = Date.parse('2026-11-20T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);

test('addBatch: bad ops is a RangeError in its slot, Infinity counts as MAX_COUNTED_OPS, no groups needs no Redis; the others land', async () => {
  const agg = new TrainingAggregator(redis, fresh(), 86400);
  const g = ['parent:mixed'];
  const items: Item[] = [
    { groupKeys: g, ops: 1e24, at: at(0), requestId: 'ok-1' },
    { groupKeys: g, ops: -1, at: at(0), requestId: 'neg' },
    { groupKeys: g, ops: Number.NaN, at: at(0), requestId: 'nan' },
    { groupKeys: g, ops: Number.POSITIVE_INFINITY, at: at(0), requestId: 'inf' },
    { groupKeys: [], ops: 7e23, at: at(0), requestId: 'no-groups' },
    { groupKeys: g, ops: 2e24, at: at(0), requestId: 'ok-2' },
  ];
  const res = await agg.addBatch(items);
  assert.equal(res.added.length, items.length);
  for (const i of [0, 3, 4, 5]) assert.equal(res.added[i], true, `slot ${i}: ${String(res.added[i])}`);
  for (const i of [1, 2]) {
    assert.ok(res.added[i] instanceof RangeError, `slot ${i}: ${String(res.added[i])}`);
    assert.match((res.added[i] as Error).message, /ops must be a number ≥ 0/);
  }
  // an overflowing estimate is counted as MAX_COUNTED_OPS (far above any threshold), never dropped; the bad ones are not added
  const { windowOps } = await agg.peek(g, at(1));
  const want = 1e24 + MAX_COUNTED_OPS + 2e24;
  assert.ok(Math.abs(windowOps - want) / want < 1e-12, `${windowOps} vs ${want}`);
  assert.ok(windowOps < 1.001 * MAX_COUNTED_OPS);
  // the bad ids were not marked as counted: sent again with valid ops, they count
  // (in a group of its own: beside 1e40, 1e24 is below the float resolution; the request marker is per id, not per group)
  assert.deepEqual(await agg.addBatch([], { groupKeys: ['parent:mixed-again'], ops: 1e24, at: at(2), requestId: 'neg' }), { added: [], last: { windowOps: 1e24 } });
});

// The background path: sums not read, one script call for all, optionally followed by one waited-for sum.

test('addBatch then a waited-for last: the same sums as add() one by one (linked groups, repeats, expiry at the window edge)', async () => {
  const WINDOW = 3600;
  const batched = new TrainingAggregator(redis, fresh(), WINDOW);
  const single = new TrainingAggregator(redis, fresh(), WINDOW);
  const items: Item[] = [
    { groupKeys: ['parent:p1', 'customer:a'], ops: 1e25, at: at(0), requestId: 'r1' },
    { groupKeys: ['parent:p1', 'customer:b', 'ip:10.0.0.1'], ops: 2e25, at: at(10), requestId: 'r2' },
    { groupKeys: ['parent:p2', 'customer:c', 'ip:10.0.0.1'], ops: 3e25, at: at(20), requestId: 'r3' },
    { groupKeys: ['parent:p1', 'customer:a'], ops: 1e25, at: at(40), requestId: 'r1' }, // the same request again
    { groupKeys: ['parent:p1', 'customer:a'], ops: 5e24, at: at(3605), requestId: 'r5' }, // r1 (t=0) has left the window
    { groupKeys: ['customer:e'], ops: 1.5e23, at: at(3610), requestId: 'with|pipe' },
  ];
  const last: Item = { groupKeys: ['parent:p1', 'customer:b', 'ip:10.0.0.1'], ops: 0, at: at(3615), requestId: 'r6' }; // r2 (t=10) expired too
  const res = await batched.addBatch(items, last);
  assert.deepEqual(res.added, items.map(() => true));
  let own: { windowOps: number } | undefined;
  for (const it of [...items, last]) own = await single.add(it.groupKeys, it.ops, it.at, it.requestId);
  assert.deepEqual(res.last, own);
  assert.deepEqual(res.last, { windowOps: 5e24 + 3e25 }, 'r5 (p1) + r3 (via the IP); r1 and r2 expired; r6 adds 0');
  for (const keys of [['parent:p1'], ['parent:p2'], ['ip:10.0.0.1'], ['customer:e'], ['parent:p1', 'parent:p2']]) {
    assert.deepEqual(await batched.peek(keys, at(3615)), await single.peek(keys, at(3615)), keys.join('+'));
  }
});

test('addBatch counts a request id once: within the batch, against last, and against add()', async () => {
  const agg = new TrainingAggregator(redis, fresh(), 86400);
  const g = ['parent:once'];
  const res = await agg.addBatch(
    [
      { groupKeys: g, ops: 1e24, at: at(0), requestId: 'dup' },
      { groupKeys: g, ops: 1e24, at: at(1), requestId: 'dup' },
      { groupKeys: g, ops: 2e24, at: at(2), requestId: 'other' },
    ],
    { groupKeys: g, ops: 2e24, at: at(3), requestId: 'other' },
  );
  assert.deepEqual(res, { added: [true, true, true], last: { windowOps: 3e24 } });
  assert.deepEqual(await agg.add(g, 1e24, at(4), 'dup'), { windowOps: 3e24 });
  assert.deepEqual((await agg.addBatch([{ groupKeys: g, ops: 5e24, at: at(5), requestId: 'new' }])).added, [true]);
  assert.deepEqual(await agg.peek(g, at(5)), { windowOps: 8e24 });
});

test('addBatch: one item’s Redis error is that item’s; the items around it land; invalid ops never reach Redis', async () => {
  const prefix = fresh();
  const agg = new TrainingAggregator(redis, prefix, 86400);
  const hash32 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);
  await redis.set(`${prefix}:agg:g:${hash32('parent:poisoned')}`, 'x');
  const res = await agg.addBatch([
    { groupKeys: ['parent:fine'], ops: 1e24, at: at(0), requestId: 'a' },
    { groupKeys: ['parent:poisoned'], ops: 1e24, at: at(0), requestId: 'b' },
    { groupKeys: ['parent:fine'], ops: Number.NaN, at: at(0), requestId: 'n' },
    { groupKeys: ['parent:fine'], ops: 2e24, at: at(0), requestId: 'c' },
  ]);
  assert.equal(res.added[0], true);
  assert.ok(res.added[1] instanceof Error && /WRONGTYPE/.test(res.added[1].message), String(res.added[1]));
  assert.ok(res.added[2] instanceof RangeError, String(res.added[2]));
  assert.equal(res.added[3], true);
  assert.deepEqual(await agg.peek(['parent:fine'], at(0)), { windowOps: 3e24 });
});

test('addBatch without Redis work resolves without it; a failed round trip is every sent item’s error', async () => {
  const dead = new Redis({ port: 1, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  dead.on('error', () => {});
  try {
    const agg = new TrainingAggregator(dead, fresh(), 60);
    const res = await agg.addBatch(
      [
        { groupKeys: [], ops: 5, at: at(0), requestId: 'x' },
        { groupKeys: ['g'], ops: -5, at: at(0), requestId: 'y' },
      ],
      { groupKeys: [], ops: 7, at: at(0), requestId: 'l' },
    );
    assert.equal(res.added[0], true);
    assert.ok(res.added[1] instanceof RangeError);
    assert.deepEqual(res.last, { windowOps: 7 });
    const failed = await agg.addBatch([{ groupKeys: ['g'], ops: 5, at: at(0), requestId: 'z' }, { groupKeys: [], ops: 1, at: at(0), requestId: 'w' }], { groupKeys: ['g'], ops: 1, at: at(0), requestId: 'v' });
    assert.ok(failed.added[0] instanceof Error && !(failed.added[0] instanceof RangeError), String(failed.added[0]));
    assert.equal(failed.added[1], true, 'an item with no groups needs no Redis');
    assert.ok(failed.last instanceof Error, String(failed.last));
  } finally {
    dead.disconnect();
  }
});

test('addBatch: 50 items and a last reach the socket in one write, as two script calls', async () => {
  const agg = new TrainingAggregator(redis, fresh(), 86400);
  const items: Item[] = Array.from({ length: 50 }, (_, i) => ({ groupKeys: ['parent:pipe', `customer:${i}`], ops: 1e22, at: at(i), requestId: `p${i}` }));
  const writes: string[] = [];
  const stream = (redis as unknown as { stream: { write: (...a: unknown[]) => boolean } }).stream;
  const write = stream.write.bind(stream);
  stream.write = (...a: unknown[]) => {
    writes.push(String(a[0]));
    return write(...a);
  };
  let res;
  try {
    res = await agg.addBatch(items, { groupKeys: ['parent:pipe'], ops: 1e22, at: at(50), requestId: 'last' });
  } finally {
    stream.write = write;
  }
  assert.equal(res.added.filter((x) => x === true).length, 50);
  assert.deepEqual(res.last, { windowOps: 51 * 1e22 });
  assert.equal(writes.length, 1, `socket writes: ${writes.length}`);
  assert.equal(writes[0]!.match(/evalsha|eval\r/gi)?.length, 2, 'one script call for the 50, one for the last');
});
