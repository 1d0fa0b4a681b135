// engine.swapAsync over real HTTP and the real lists: requests are answered on the old index while the new one builds; same index as buildIndex.
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
  h = await startHarness({ redisUrl: null });
  a = h.engine.snapshot!;
  b = { ...a, id: `${a.id}-async`, createdAt: new Date(Date.parse(a.createdAt) + 1000).toISOString(), entries: a.entries.slice(50) };
  server = await new Promise<Server>((resolve) => {
    const s = h.app().listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((r) => server.close(r));
  await h.close();
});

async function screen(i: number): Promise<{ status: number; version?: string }> {
  const res = await fetch(`${base}/v1/screen`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${h.serviceKey}` },
    body: JSON.stringify({ id: `async-${i}`, name: `Northwind Analytics ${i} Ltd`, country: 'US' }),
  });
  const body = (await res.json()) as { lists?: { version: string } };
  return { status: res.status, ...(body.lists ? { version: body.lists.version } : {}) };
}

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
  assert.deepEqual(during, { status: 200, version: va });
  assert.equal(await swapping, true);
  assert.deepEqual(await screen(2), { status: 200, version: vb });
  // two swaps requested back to back: the later one is the one that stays
  const first = h.engine.swapAsync(a);
  const second = h.engine.swapAsync(a);
  assert.deepEqual(await Promise.all([first, second]), [false, true]);
  assert.equal(h.engine.snapshot?.id, a.id);
});
