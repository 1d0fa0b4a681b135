// Refresh recovery against a real local HTTP server and real Redis: a snapshot imported by a refresh that died before
// announcing it is announced (published + delta planned) by the next refresh, even on a 304; a downloaded file whose
// import never happened is imported although the server answers 304.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../src/config.js';
import type { Snapshot } from '../../../src/lists/snapshot.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { subscribeSnapshots } from '../../../src/queue/pubsub.js';
import { Registry } from 'prom-client';
import { registerSourceMetrics, SourceBreakers } from '../../../src/sources/breaker.js';
import { downloadFile } from '../../../src/sources/download.js';
import { parseRegistry } from '../../../src/sources/registry.js';
import { SnapshotStore } from '../../../src/sources/snapshot-store.js';
import { processRefresh, type RefreshDeps } from '../../../workers/refresh.js';
import { DPL, dplVersion } from './fixtures/dpl-version.js';

const logger = createLogger('silent');
const prefix = `{h6ann-${randomUUID().slice(0, 8)}}`;
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const sub = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
let server: Server;
let port = 0;
let dataDir = '';
/** What the server serves now, and its ETag. */
let body: Buffer;
let etag = '';
let requests = 0;


before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'kycgate-h6-announce-'));
  server = createServer((req, res) => {
    requests += 1;
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
    res.writeHead(200, { 'content-type': 'text/plain', etag }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  sub.disconnect();
  await rm(dataDir, { recursive: true, force: true });
});

test('a refresh that died after the import is announced by the next one (also on 304); an unimported download is imported on 304', async () => {
  const full = await readFile(DPL);
  const config = loadConfig({ KYCGATE_DATA_DIR: dataDir, KYCGATE_DOWNLOAD: 'true', KYCGATE_QUEUE_PREFIX: prefix, KYCGATE_LOG_LEVEL: 'silent' });
  const url = `http://127.0.0.1:${port}/dpl.txt`;
  const registry = parseRegistry({ sources: [{ id: 'dpl', title: 'DPL (local test server)', files: [{ name: 'dpl.txt', url }] }] });
  const breakers = new SourceBreakers({ logger });
  const store = new SnapshotStore(dataDir);
  const published: string[] = [];
  const subscription = await subscribeSnapshots(sub, prefix, (id) => void published.push(id));
  const deltas: { from?: string; to: string }[] = [];
  let crashAfterImport = false;
  let snap: Snapshot | undefined;
  const deps: RefreshDeps = {
    config,
    logger,
    registry,
    breakers,
    redis,
    prefix,
    engine: { ready: true, get snapshot() { return snap; }, screen: () => { throw new Error('unused'); }, swap: (s: Snapshot) => { snap = s; } },
    onAccepted: async ({ fromSnapshotId, snapshot }) => {
      if (crashAfterImport) {
        crashAfterImport = false;
        throw new Error('simulated crash after the import, before the delta was enqueued');
      }
      deltas.push({ ...(fromSnapshotId ? { from: fromSnapshotId } : {}), to: snapshot.id });
    },
  };
  const refresh = () => processRefresh({ data: { source: 'dpl', trigger: 'manual', requestedAt: '' } }, deps);
  const settle = () => new Promise((r) => setTimeout(r, 100));

  try {
    // v1: first import, announced; nothing to rescreen against (no previous snapshot)
    body = dplVersion(full, []);
    etag = '"v1"';
    const r1 = await refresh();
    assert.equal(r1.status, 'accepted');
    const s1 = r1.snapshotId!;
    assert.equal(await store.announcedId(), s1);
    assert.deepEqual(deltas, [{ to: s1 }]);

    // v2: imported, then the job dies before the delta is planned: current moved, announced did not
    body = dplVersion(full, [5, 6, 7]);
    etag = '"v2"';
    crashAfterImport = true;
    await assert.rejects(refresh(), /simulated crash/);
    const s2 = await store.currentId();
    assert.ok(s2 && s2 !== s1);
    assert.equal(await store.announcedId(), s1, 'not announced: the delta was never planned');

    // the retry meets a 304 and unchanged data, and still announces s2 with the delta from s1
    const before = requests;
    const r2 = await refresh();
    assert.equal(requests, before + 1);
    assert.equal(r2.status, 'accepted', JSON.stringify(r2));
    assert.equal(r2.snapshotId, s2);
    assert.equal(r2.previousSnapshotId, s1);
    assert.deepEqual(deltas.at(-1), { from: s1, to: s2 });
    assert.equal(await store.announcedId(), s2);
    await settle();
    assert.equal(published.at(-1), s2);

    // once announced, a further 304 is plainly unchanged: no second delta; the snapshot in force is re-announced,
    // which subscribers holding it take as "verified current" (list-age check), not as a swap
    const deltasBefore = deltas.length;
    const publishedBefore = published.length;
    const r3 = await refresh();
    assert.equal(r3.status, 'unchanged');
    assert.equal(r3.snapshotId, s2);
    await settle();
    assert.equal(deltas.length, deltasBefore);
    assert.deepEqual(published.slice(publishedBefore), [s2]);
    // an unchanged source counts as refreshed: its last-success gauge is now (what an alert on a stale source reads)
    const metrics = new Registry();
    registerSourceMetrics(metrics, redis, prefix);
    const success = Number(/kycgate_source_last_success_timestamp_seconds\{source="dpl"\} (\S+)/.exec(await metrics.metrics())?.[1]);
    assert.ok(Math.abs(success - Date.now() / 1000) < 10, `last success ${success}`);

    // v3 was downloaded (validators cached) by a refresh that died before importing it: the next 304 still imports it
    body = dplVersion(full, [20, 21]);
    etag = '"v3"';
    const cached = await downloadFile(url, { cacheDir: path.join(dataDir, 'downloads'), cacheName: path.join('dpl', 'dpl.txt') });
    assert.equal(cached.status, 'fresh');
    assert.equal(await store.currentId(), s2, 'downloaded, not imported');
    const r4 = await refresh();
    assert.equal(r4.status, 'accepted', JSON.stringify(r4));
    const s3 = r4.snapshotId!;
    assert.notEqual(s3, s2);
    assert.equal(await store.currentId(), s3);
    assert.deepEqual(deltas.at(-1), { from: s2, to: s3 });
    assert.equal(snap?.id, s3, 'the worker engine swapped');
  } finally {
    await subscription.close();
    breakers.shutdown();
  }
});
