// Rescreen under faults, real processes: Redis (own server, port 6392, AOF) killed and restarted, a worker SIGKILLed mid-chunk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../src/config.js';
import { startPrivateRedis } from './fixtures/private-redis.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { importFiles, readSeedDir } from '../../../src/runtime/lists-runtime.js';
import { openQueues } from '../../../src/queue/queues.js';
import { RescreenLedger } from '../../../src/queue/rescreen-ledger.js';
import { planFullRescreen } from '../../../workers/rescreen-plan.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SEED = path.resolve(ROOT, '../shared/lists/current-2026');
const PORT = 6392;
const N = 240;
const CHUNK = 20;
const dbName = `kycgate_t_h6_${randomUUID().slice(0, 8)}`;
const prefix = `{h6f-${randomUUID().slice(0, 6)}}`;
let dir = '';
let redisProc: ChildProcess | undefined;
const children: ChildProcess[] = [];
const admin = new pg.Client({ host: '127.0.0.1', user: 'root', database: 'postgres' });

const startRedis = () => startPrivateRedis(PORT, ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction']);

const env = () => ({
  ...process.env,
  REDIS_URL: `redis://127.0.0.1:${PORT}`,
  DATABASE_URL: `postgres://root@127.0.0.1:5432/${dbName}`,
  KYCGATE_QUEUE_PREFIX: prefix,
  KYCGATE_DATA_DIR: path.join(dir, 'data'),
  KYCGATE_SEED_DIR: SEED,
  KYCGATE_LOG_LEVEL: 'warn',
});

function startWorker(slowMs: number): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/rescreen-worker.ts'), String(slowMs)], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(p);
  return new Promise((resolve, reject) => {
    p.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(p));
    p.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kycgate-h6-faults-'));
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const db = new pg.Client({ host: '127.0.0.1', user: 'root', database: dbName });
  await db.connect();
  await db.query('CREATE TABLE h6_calls (customer_id text NOT NULL, pid int NOT NULL, at timestamptz NOT NULL DEFAULT now())');
  await db.end();
  redisProc = await startRedis();
});

let cleanup: (() => Promise<void>) | undefined;

after(async () => {
  await cleanup?.();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  redisProc?.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

test('Redis killed and restarted + a worker SIGKILLed mid-chunk: every customer recorded exactly once, no job lost', async () => {
  // customers: realistic names, a few of them list names (open cases)
  const listNames = ['Rosneft Oil Company', 'Huawei Technologies Co., Ltd.', 'Islamic Revolutionary Guard Corps'];
  const lines = Array.from({ length: N }, (_, i) =>
    JSON.stringify(i % 40 === 0 ? { id: `cust-${String(i).padStart(4, '0')}`, name: listNames[(i / 40) % 3]!, country: 'RU' } : { id: `cust-${String(i).padStart(4, '0')}`, name: `Example Compute ${i} Pte. Ltd.`, country: 'SG' }),
  );
  const file = path.join(dir, 'customers.ndjson');
  await writeFile(file, lines.join('\n') + '\n');

  const config = loadConfig({ ...env(), KYCGATE_RESCREEN_CHUNK: String(CHUNK) } as Record<string, string>);
  const logger = createLogger('silent');
  const { snapshot } = await importFiles(await readSeedDir(SEED), config, logger);

  const conn = new Redis(PORT, '127.0.0.1', { maxRetriesPerRequest: null });
  conn.on('error', () => {});
  const queues = openQueues(conn, prefix);
  const ledger = new RescreenLedger(conn, prefix);
  cleanup = async () => {
    await queues.close();
    conn.disconnect();
  };
  const plan = await planFullRescreen({ config, queues, ledger, logger }, snapshot.id, { kind: 'file', path: file, format: 'ndjson' }, { trigger: 'manual', recordAll: true });
  assert.equal(plan.totalChunks, N / CHUNK);

  // two workers, slowed to ~15 ms per customer so faults land mid-chunk
  const [a] = await Promise.all([startWorker(15), startWorker(15)]);
  await new Promise((r) => setTimeout(r, 1500));
  a!.kill('SIGKILL'); // mid-chunk: its lock expires, the stalled chunk goes back to wait
  await new Promise((r) => setTimeout(r, 800));
  redisProc!.kill('SIGKILL'); // Redis dies with jobs active
  await new Promise((r) => setTimeout(r, 1500));
  redisProc = await startRedis(); // same dir: AOF (fsync always) brings every job back
  await startWorker(15);

  const t0 = Date.now();
  let rec;
  for (;;) {
    rec = await ledger.readRun(plan.runId);
    if ((rec?.doneChunks ?? 0) >= plan.totalChunks || Date.now() - t0 > 120_000) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.equal(rec?.doneChunks, plan.totalChunks, 'every chunk completed (no job lost)');
  const counts = await queues.rescreen.getJobCounts('failed', 'wait', 'active', 'completed');
  assert.equal(counts.failed, 0);

  const db = new pg.Client({ host: '127.0.0.1', user: 'root', database: dbName });
  await db.connect();
  try {
    const screenings = await db.query<{ customer_id: string; n: string }>(`SELECT customer_id, count(*) AS n FROM screenings WHERE actor = 'worker:rescreen' GROUP BY customer_id`);
    assert.equal(screenings.rows.length, N, 'every customer screened (none skipped)');
    assert.ok(screenings.rows.every((r) => Number(r.n) === 1), 'one recorded screening per customer and snapshot');
    const calls = await db.query<{ customer_id: string; n: string }>('SELECT customer_id, count(*) AS n FROM h6_calls GROUP BY customer_id HAVING count(*) > 1');
    // the recorder was called twice only for a customer whose write landed in the instant between the
    // database commit and the Redis mark of a killed worker; the deterministic screening id kept the record single
    assert.ok(calls.rows.length <= 2, `at most the in-flight customer of each crash was re-attempted (${calls.rows.length})`);
    const cases = await db.query<{ n: string }>(`SELECT count(DISTINCT customer_id) AS n FROM cases WHERE status = 'open'`);
    assert.ok(Number(cases.rows[0]!.n) >= N / 40, 'list hits opened review cases');
    process.stderr.write(`[h6 faults] ${JSON.stringify({ chunks: rec?.doneChunks, screened: rec?.screened, skipped: rec?.skipped, reattempted: calls.rows.length, seconds: (Date.now() - t0) / 1000 })}\n`);
  } finally {
    await db.end();
  }
});
