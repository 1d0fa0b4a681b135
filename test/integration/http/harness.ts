// Shared set-up of the HTTP integration suites: real lists (once per file), a real PostgreSQL database, real Redis + BullMQ.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'bullmq';
import pg from 'pg';
import { loadConfig, type Config } from '../../../src/config.js';
import { createApp, type AppDeps } from '../../../src/http/app.js';
import { authenticate, requireRole } from '../../../src/http/auth.js';
import { DecisionRecorder } from '../../../src/http/middleware/decision-recorder.js';
import { createReviewRouter } from '../../../src/http/review-routes.js';
import { ScreeningQueue, createScreenProcessor } from '../../../src/queue/screening-queue.js';
import { createApiKey } from '../../../src/store/services/api-keys.js';
import { ReviewService } from '../../../src/store/services/review-service.js';
import { createLogger, type Logger } from '../../../src/runtime/logger.js';
import { connectRedis } from '../../../src/runtime/redis.js';
import { ScreeningEngine } from '../../../src/runtime/screening-engine.js';
import { openDatabase, type Db } from '../../../src/store/database.js';

export const SEED_DIR = path.resolve(import.meta.dirname, '../../../..', 'shared/lists/current-2026');
/** Snapshot store reused across runs so the lists load in ~3 s instead of ~10 s. */
export const DATA_DIR = path.join(os.tmpdir(), 'kycgate-h5-http-test-data');
export const REDIS_URL = 'redis://127.0.0.1:6379';
const PG_ADMIN = 'postgres://root@127.0.0.1:5432/postgres';

export function testConfig(extra: Record<string, string> = {}): Config {
  return loadConfig({
    KYCGATE_SEED_DIR: SEED_DIR,
    KYCGATE_DATA_DIR: DATA_DIR,
    KYCGATE_LOG_LEVEL: 'silent',
    KYCGATE_RATE_LIMIT_PER_MINUTE: '100000',
    // outcomes, not timing, are under test here (failures.test.ts tests the 50 ms budget): a loaded CI machine
    // must not turn a deny into a 503 hold because two database reads took longer than 50 ms
    KYCGATE_LATENCY_BUDGET_MS: '2000',
    ...extra,
  });
}

/** Creates a uniquely named database; returns its URL and a dropper. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `kycgate_t_h5_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `postgres://root@127.0.0.1:5432/${name}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface Harness {
  config: Config;
  logger: Logger;
  engine: ScreeningEngine;
  db: Db;
  review: ReviewService;
  recorder: DecisionRecorder;
  queue: ScreeningQueue | undefined;
  prefix: string;
  queueName: string;
  /** An API key with role `service`. */
  serviceKey: string;
  startWorker(): Promise<Worker>;
  app(overrides?: Partial<AppDeps>, env?: Record<string, string>): ReturnType<typeof createApp>;
  close(): Promise<void>;
}

/**
 * Builds everything once per test file. `redisUrl: null` = no queue (in-process only). `dbWaitMs`: how long a query
 * may wait for a connection of the pool (default 3000, the product's).
 */
export async function startHarness(opts: { redisUrl?: string | null; dbWaitMs?: number } = {}): Promise<Harness> {
  const logger = createLogger('silent');
  const database = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: database.url });
  const [engine, db] = await Promise.all([
    ScreeningEngine.start(config, logger),
    openDatabase(config, logger, opts.dbWaitMs ? { connectTimeoutMs: opts.dbWaitMs } : {}),
  ]);
  const review = new ReviewService(db);
  const recorder = new DecisionRecorder(review, logger);
  const prefix = `{kyct${randomBytes(4).toString('hex')}}`;
  const queueName = `screen-${randomBytes(4).toString('hex')}`;
  const redisUrl = opts.redisUrl === undefined ? REDIS_URL : opts.redisUrl;
  const queue = redisUrl ? new ScreeningQueue({ url: redisUrl, prefix, name: queueName, logger }) : undefined;
  if (queue) await queue.ready();
  const { key: serviceKey } = await createApiKey(db, { role: 'service', name: 'h5-test' }, new Date());
  const workers: Worker[] = [];
  const workerConns: ReturnType<typeof connectRedis>[] = [];

  const harness: Harness = {
    config,
    logger,
    engine,
    db,
    review,
    recorder,
    queue,
    prefix,
    queueName,
    serviceKey,
    async startWorker() {
      if (!redisUrl) throw new Error('no Redis in this harness');
      const conn = connectRedis(redisUrl);
      conn.on('error', () => {});
      workerConns.push(conn);
      const worker = new Worker(queueName, createScreenProcessor({ engine, review, logger }), { connection: conn, prefix, concurrency: 2 });
      worker.on('error', () => {});
      await worker.waitUntilReady();
      workers.push(worker);
      return worker;
    },
    app(overrides = {}, env = {}) {
      const cfg = Object.keys(env).length ? testConfig({ DATABASE_URL: database.url, ...env }) : config;
      return createApp({
        config: cfg,
        logger,
        engine,
        review,
        recorder,
        queue,
        auth: { authenticate: authenticate(db), requireRole },
        reviewRouter: createReviewRouter({ db, review }),
        demo: true,
        probes: { database: () => db.query('SELECT 1'), ...(queue ? { redis: () => (queue.healthy ? 'up' : 'down') } : {}) },
        ...overrides,
      });
    },
    async close() {
      const bounded = (p: Promise<unknown>) => Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, 3000).unref())]);
      await bounded(Promise.allSettled(workers.map((w) => w.close(true))));
      await bounded(Promise.allSettled(workers.map((w) => w.disconnect())));
      for (const c of workerConns) c.disconnect();
      await recorder.close(3000);
      if (queue) {
        if (queue.healthy) await bounded(queue.queue.obliterate({ force: true }));
        await bounded(queue.close());
        await bounded(deleteKeys(redisUrl!, prefix));
      }
      await db.close();
      await database.drop();
    },
  };
  return harness;
}

/** Deletes every key under our unique prefix (queue leftovers, aggregation windows). */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const conn = connectRedis(url, { failFast: true });
  conn.on('error', () => {});
  try {
    await new Promise((resolve, reject) => {
      conn.once('ready', resolve);
      conn.once('error', reject);
    });
    const keys = await conn.keys(`${prefix}*`);
    if (keys.length) await conn.del(...keys);
  } finally {
    conn.disconnect();
  }
}

/** A customer whose ownership tree has `n` parents (forces the slow path above inlineMaxParties). */
export function bigTreeCustomer(id: string, n: number) {
  return {
    id,
    name: 'Northwind Compute Holdings Ltd',
    country: 'US',
    parents: Array.from({ length: n }, (_, i) => ({ name: `Northwind Investor ${i} LLC`, country: 'US', ownership: 1 / (n + 1) })),
  };
}
