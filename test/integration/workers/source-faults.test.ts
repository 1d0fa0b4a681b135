// List source faults against a real local HTTP server: 500, hang, truncated, HTML → refused, breaker opens, old snapshot serves, status + metrics show it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { UnrecoverableError } from 'bullmq';
import { loadConfig } from '../../../src/config.js';
import { isKycError } from '../../../src/errors.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { importFiles, readSeedDir } from '../../../src/runtime/lists-runtime.js';
import { SnapshotStore } from '../../../src/sources/snapshot-store.js';
import { SourceBreakers, registerSourceMetrics } from '../../../src/sources/breaker.js';
import { parseRegistry } from '../../../src/sources/registry.js';
import { readSourceStatus } from '../../../src/sources/source-status.js';
import { processRefresh } from '../../../workers/refresh.js';

const DPL = path.resolve(import.meta.dirname, '../../../../shared/lists/official/bis-dpl-2023-11-30/dpl.txt');
type Mode = 'ok' | '500' | 'hang' | 'cut-connection' | 'half-file' | 'html';
let mode: Mode = 'ok';
let hits = 0;
let server: Server;
let port = 0;
let dataDir = '';
let dplBytes: Buffer;
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const prefix = `{h6src-${randomUUID().slice(0, 8)}}`;
const logger = createLogger('silent');

before(async () => {
  dplBytes = await readFile(DPL);
  dataDir = await mkdtemp(path.join(tmpdir(), 'kycgate-h6-src-'));
  server = createServer((req, res) => {
    hits += 1;
    if (mode === '500') return void res.writeHead(500).end('internal error');
    if (mode === 'hang') return; // never answers
    if (mode === 'html') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('<!DOCTYPE html><html><body>Service maintenance</body></html>');
    if (mode === 'cut-connection') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(dplBytes.length) });
      res.write(dplBytes.subarray(0, 5000));
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    if (mode === 'half-file') {
      const half = dplBytes.subarray(0, dplBytes.lastIndexOf(10, dplBytes.length / 3) + 1);
      return void res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(half.length) }).end(half);
    }
    if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
    res.writeHead(200, { 'content-type': 'text/plain', etag: '"v1"' }).end(dplBytes);
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
  await rm(dataDir, { recursive: true, force: true });
});

test('a failing source is refused each way, opens its breaker, and the previous snapshot keeps serving', async () => {
  const config = loadConfig({ KYCGATE_DATA_DIR: dataDir, KYCGATE_DOWNLOAD: 'true', KYCGATE_DOWNLOAD_TIMEOUT_MS: '500', KYCGATE_QUEUE_PREFIX: prefix, KYCGATE_LOG_LEVEL: 'silent' });
  const first = await importFiles(await readSeedDir(DPL), config, logger);
  assert.ok(first.accepted);
  const serving = first.snapshot.id;
  const registry = parseRegistry({ sources: [{ id: 'dpl', title: 'DPL (local test server)', files: [{ name: 'dpl.txt', url: `http://127.0.0.1:${port}/dpl.txt` }] }] });
  const breakers = new SourceBreakers({ logger, redis, prefix, options: { volumeThreshold: 5, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 } });
  const deps = { config, logger, registry, breakers, redis, prefix, engine: { ready: true, snapshot: first.snapshot, screen: () => { throw new Error('unused'); }, swap: () => {} } };
  const job = { data: { source: 'dpl', trigger: 'manual' as const, requestedAt: new Date().toISOString() } };
  const store = new SnapshotStore(dataDir);

  // table: fault → how the refresh fails (plain error = BullMQ retries with backoff; UnrecoverableError = no retry)
  const table: { mode: Mode; retried: boolean; kind: RegExp }[] = [
    { mode: '500', retried: true, kind: /HTTP 500/ },
    { mode: 'hang', retried: true, kind: /within 500 ms/ },
    { mode: 'cut-connection', retried: true, kind: /bytes/ },
    { mode: 'html', retried: false, kind: /HTML/ },
    { mode: 'half-file', retried: false, kind: /KYC_ERR_LIST_VALIDATION/ },
  ];
  for (const row of table) {
    mode = row.mode;
    const t0 = Date.now();
    const err = await processRefresh(job, deps).then(() => undefined, (e: unknown) => e);
    assert.ok(err, `${row.mode}: refresh must fail`);
    assert.equal(err instanceof UnrecoverableError, !row.retried, `${row.mode}: retried=${row.retried} (${(err as Error).message})`);
    assert.match((err as Error).message, row.kind);
    assert.ok(Date.now() - t0 < 5000, `${row.mode}: bounded in time`);
    assert.equal(await store.currentId(), serving, `${row.mode}: the previous snapshot keeps serving`);
  }
  // five failures in the window: the breaker is open and the next refresh fails fast without calling the source
  assert.equal(breakers.state('dpl'), 'open');
  const before = hits;
  mode = 'ok';
  const open = await processRefresh(job, deps).then(() => undefined, (e: unknown) => e);
  assert.ok(isKycError(open) && open.code === 'KYC_ERR_SOURCE_BREAKER_OPEN', String(open));
  assert.equal(hits, before, 'an open breaker does not call the source');

  // visible to other processes: Redis status (lists status / admin) and Prometheus
  await new Promise((r) => setTimeout(r, 50));
  const status = (await readSourceStatus(redis, prefix)).dpl!;
  assert.equal(status.breaker, 'open');
  assert.ok(status.consecutiveFailures >= 6);
  assert.match(status.lastRefusal?.reason ?? '', /KYC_ERR_SOURCE_BREAKER_OPEN/);
  const reg = new Registry();
  registerSourceMetrics(reg, redis, prefix);
  const text = await reg.metrics();
  assert.match(text, /kycgate_source_breaker_state\{source="dpl"\} 2/);
  assert.match(text, /kycgate_source_last_refusal_timestamp_seconds\{source="dpl"\} [1-9]/);
  assert.match(text, /kycgate_source_last_success_timestamp_seconds\{source="dpl"\} 0\n/, 'never refreshed successfully');
  // and `kycgate lists status` (a separate process) shows the breaker and the refusal
  const env: NodeJS.ProcessEnv = { ...process.env, KYCGATE_DATA_DIR: dataDir, KYCGATE_QUEUE_PREFIX: prefix, REDIS_URL: 'redis://127.0.0.1:6379', KYCGATE_LOG_LEVEL: 'silent' };
  delete env['KYCGATE_SEED_DIR'];
  const cli = (args: string[]) => execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../../../src/bin.mjs'), 'lists', 'status', ...args], { env, encoding: 'utf8' });
  const json = JSON.parse(cli(['--json'])) as { refresh: Record<string, { breaker: string; lastRefusal?: { reason: string } }> | null };
  assert.equal(json.refresh?.dpl?.breaker, 'open');
  assert.match(json.refresh?.dpl?.lastRefusal?.reason ?? '', /KYC_ERR_SOURCE_BREAKER_OPEN/);
  assert.match(cli([]), /dpl\s+breaker open[\s\S]*refused .*KYC_ERR_SOURCE_BREAKER_OPEN/);
  breakers.shutdown();
});

test('a healthy source refreshes; a second refresh is a conditional GET (304 keeps the cached copy)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'kycgate-h6-src-ok-'));
  try {
    const config = loadConfig({ KYCGATE_DATA_DIR: dir, KYCGATE_DOWNLOAD: 'true', KYCGATE_QUEUE_PREFIX: prefix, KYCGATE_LOG_LEVEL: 'silent' });
    const registry = parseRegistry({ sources: [{ id: 'dpl', title: 'DPL', files: [{ name: 'dpl.txt', url: `http://127.0.0.1:${port}/ok/dpl.txt` }] }] });
    const breakers = new SourceBreakers({ logger });
    let snap: unknown;
    const verified: string[] = [];
    const engine = {
      ready: true,
      get snapshot() {
        return snap as never;
      },
      screen: () => {
        throw new Error('unused');
      },
      swap: (s: unknown) => {
        snap = s;
      },
      noteListsVerified: (id: string) => void verified.push(id),
    };
    const deps = { config, logger, registry, breakers, prefix, engine };
    mode = 'ok';
    const r1 = await processRefresh({ data: { source: 'dpl', trigger: 'manual', requestedAt: '' } }, deps);
    assert.equal(r1.status, 'accepted');
    assert.equal((snap as { id: string }).id, r1.snapshotId, 'the worker engine swapped');
    const before = hits;
    const r2 = await processRefresh({ data: { source: 'dpl', trigger: 'manual', requestedAt: '' } }, deps);
    assert.equal(hits, before + 1);
    assert.equal(r2.status, 'unchanged', '304 Not Modified: nothing to import');
    assert.equal(r2.snapshotId, r1.snapshotId);
    assert.deepEqual(verified, [r1.snapshotId, r1.snapshotId], 'each successful refresh tells the engine its lists are current (list-age check)');
    breakers.shutdown();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
