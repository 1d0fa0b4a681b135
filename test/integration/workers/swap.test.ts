// Snapshot swaps over real HTTP and the real lists: in-flight requests all succeed on one whole snapshot; swapAsync answers on the old index while it builds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Snapshot } from '../../../src/lists/snapshot.js';
import { snapshotVersion } from '../../../src/lists/snapshot.js';
import { buildIndex, buildIndexAsync } from '../../../src/match/index.js';
import { startHarness, type Harness } from '../http/harness.js';

let h: Harness;
let server: Server;
let base = '';
let a: Snapshot;
let b: Snapshot;

before(async () => {
  // a synchronous swap holds the event loop for the whole build (seconds on a busy machine): a query queued for a pool
  // connection meanwhile would time out on the pool's clock, not because the database failed
  h = await startHarness({ redisUrl: null, dbWaitMs: 20_000 });
  a = h.engine.snapshot!;
  // the same lists minus 50 entries: a different snapshot with a different version
  b = { ...a, id: `${a.id}-minus50`, createdAt: new Date(Date.parse(a.createdAt) + 1000).toISOString(), entries: a.entries.slice(50) };
  server = await new Promise<Server>((resolve) => {
    const s = h.app().listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((r) => server.close(r));
  await h.close();
});

async function screen(i: number): Promise<{ status: number; version?: string; outcome?: string }> {
  const res = await fetch(`${base}/v1/screen`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${h.serviceKey}` },
    body: JSON.stringify({ id: `swap-${i}-${Math.random().toString(36).slice(2, 8)}`, name: i % 3 ? `Northwind Analytics ${i} Ltd` : 'Hangzhou Hikvision Digital Technology Co., Ltd.', country: 'US' }),
  });
  const body = (await res.json()) as { lists?: { version: string }; outcome?: string };
  return { status: res.status, ...(body.lists ? { version: body.lists.version } : {}), ...(body.outcome ? { outcome: body.outcome } : {}) };
}

test('requests in flight during engine.swap all succeed; requests after it see the new snapshot', async () => {
  const va = snapshotVersion(a).version;
  const vb = snapshotVersion(b).version;
  assert.notEqual(va, vb);
  for (const [from, to, vTo] of [[a, b, vb], [b, a, va]] as const) {
    assert.equal(h.engine.snapshot?.id, from.id);
    const inFlight = Array.from({ length: 60 }, (_, i) => screen(i));
    // swap once the first responses are back, with the rest still queued on the sockets
    await Promise.race(inFlight);
    h.engine.swap(to);
    const results = await Promise.all(inFlight);
    const failed = results.filter((r) => r.status !== 200);
    assert.deepEqual(failed, [], 'no request fails during the swap');
    for (const r of results) assert.ok(r.version === va || r.version === vb, `each decision names one whole snapshot: ${r.version}`);
    const afterSwap = await Promise.all(Array.from({ length: 5 }, (_, i) => screen(100 + i)));
    assert.ok(afterSwap.every((r) => r.status === 200 && r.version === vTo), JSON.stringify(afterSwap));
    assert.equal(afterSwap.find((r) => r.outcome)?.outcome !== undefined, true);
  }
});

test('buildIndexAsync gives the same candidates as buildIndex', async () => {
  const entries = a.entries.slice(0, 4000);
  const sync = buildIndex(entries);
  let yields = 0;
  const async = await buildIndexAsync(entries, {}, { sliceEntries: 100, yieldFn: async () => void yields++ });
  assert.ok(yields >= 40, `yielded ${yields} times`);
  assert.equal(async.nameCount, sync.nameCount);
  const names = entries.filter((_, i) => i % 97 === 0).flatMap((e) => [e.name, `${e.name} Trading`]);
  for (const name of names) {
    const s = sync.search({ name }, { minScore: 0.8 }).map((c) => [c.entry.sourceId, c.score]);
    const x = async.search({ name }, { minScore: 0.8 }).map((c) => [c.entry.sourceId, c.score]);
    assert.deepEqual(x, s, name);
  }
});

test('requests made while swapAsync builds are answered on the old snapshot; later ones on the new; the latest swap wins', async () => {
  const va = snapshotVersion(a).version;
  const vb = snapshotVersion(b).version;
  assert.equal(h.engine.snapshot?.id, a.id);
  const swapping = h.engine.swapAsync(b);
  let done = false;
  void swapping.then(() => (done = true));
  // answered while the build is still under way: the event loop is not held for the build
  const during = await screen(1);
  assert.equal(done, false, 'the request was answered before the build finished');
  assert.deepEqual(during, { status: 200, version: va, outcome: 'allow' });
  assert.equal(await swapping, true);
  assert.deepEqual(await screen(2), { status: 200, version: vb, outcome: 'allow' });
  // two swaps requested back to back: the later one is the one that stays
  const first = h.engine.swapAsync(a);
  const second = h.engine.swapAsync(a);
  assert.deepEqual(await Promise.all([first, second]), [false, true]);
  assert.equal(h.engine.snapshot?.id, a.id);
});
