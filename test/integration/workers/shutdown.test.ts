// Worker shutdown with Redis gone (own redis-server, killed): close() returns within its time bound, so the caller
// goes on to close its PostgreSQL pool.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/config.js';
import { startPrivateRedis } from './fixtures/private-redis.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { connectPg, pgDb } from '../../../src/store/pg-db.js';
import { startWorkers } from '../../../workers/index.js';

const PORT = 6394;
let dir = '';
let redisProc: ChildProcess | undefined;

const startRedis = () => startPrivateRedis(PORT, ['--appendonly', 'no']);

after(async () => {
  if (redisProc && redisProc.exitCode === null && redisProc.signalCode === null) redisProc.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('close() with Redis down is bounded in time; the database pool is closed after it', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kycgate-h6-shutdown-'));
  redisProc = await startRedis();
  const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${PORT}`, KYCGATE_QUEUE_PREFIX: `{h6sd-${randomUUID().slice(0, 6)}}`, KYCGATE_DATA_DIR: dir, KYCGATE_LOG_LEVEL: 'silent' });
  const db = pgDb(await connectPg('postgres://root@127.0.0.1:5432/postgres', { max: 1 }));
  const engine = { ready: false, snapshot: undefined, screen: () => { throw new Error('unused'); }, swap: () => {} };
  const workers = await startWorkers({ config, logger: createLogger('silent'), engine, db, queues: ['rescreen', 'refresh'], schedule: false, closeTimeoutMs: 500 });
  await workers.queues.rescreen.getJobCounts('wait');
  redisProc.kill('SIGKILL');
  await new Promise((r) => redisProc!.once('exit', r));
  const t0 = Date.now();
  await workers.close();
  const ms = Date.now() - t0;
  assert.ok(ms < 6000, `close() returned after ${ms} ms`);
  await db.close();
  await assert.rejects(db.query('SELECT 1')); // the pool is closed
});
