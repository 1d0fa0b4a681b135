// Broken dependencies for real: a Redis we start and kill mid-test, a database pool we close. The middleware holds within budget.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import pg from 'pg';
import request from 'supertest';
import { kycgate } from '../../../src/index.js';
import { DecisionRecorder } from '../../../src/http/middleware/decision-recorder.js';
import { problemHandler } from '../../../src/http/problem.js';
import { ReviewService } from '../../../src/store/services/review-service.js';
import { createReviewRouter } from '../../../src/http/review-routes.js';
import { createApiKey } from '../../../src/store/services/api-keys.js';
import { openDatabase } from '../../../src/store/database.js';
import { pgDb } from '../../../src/store/pg-db.js';
import { bigTreeCustomer, createTestDatabase, startHarness, testConfig, type Harness } from './harness.js';

const BUDGET_MS = 50;
/** Slack for a shared 2-core machine: the answer must come well before any Redis/DB timeout would (seconds). */
const SLACK_MS = 250;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  srv.close();
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  for (let i = 0; i < 100 && !/Ready to accept connections/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(out, /Ready to accept connections/);
  return child;
}

const timed = async (fn: () => Promise<request.Response>) => {
  const t0 = performance.now();
  const res = await fn();
  return { res, ms: performance.now() - t0 };
};

describe('Redis stopped mid-test', () => {
  let h: Harness;
  let redis: ChildProcess;
  let port: number;

  before(async () => {
    port = await freePort();
    redis = await startRedis(port);
    h = await startHarness({ redisUrl: `redis://127.0.0.1:${port}` });
    await h.startWorker();
  });
  after(async () => {
    await h.close();
    if (redis.exitCode === null) redis.kill('SIGKILL');
  });

  const guarded = (onUnavailable: 'hold' | 'allow') => {
    const app = express();
    app.use(express.json());
    app.post(
      '/v1/instances',
      kycgate.screen({
        customer: (req) => ({ id: req.body.accountId, name: req.body.org, country: req.body.country, parents: req.body.parents }),
        request: (req) => (req.body.gpu ? { gpuModel: req.body.gpu, gpuCount: req.body.count, hours: req.body.hours } : undefined),
        budgetMs: BUDGET_MS,
        onUnavailable,
        engine: h.engine,
        review: h.review,
        recorder: h.recorder,
        queue: h.queue,
        logger: h.logger,
      }),
      (req, res) => void res.status(201).json({ decision: req.kycgate }),
    );
    app.use(problemHandler(h.logger));
    return app;
  };

  test('before: allow on the fast path, decision on the slow path', async () => {
    const app = guarded('hold');
    const ok = await request(app).post('/v1/instances').send({ accountId: 'r-1', org: 'Acme Cloud Ltd', country: 'US', gpu: 'H100-SXM', count: 8, hours: 10 });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const slow = await request(app).post('/v1/instances').send({ accountId: 'r-2', org: 'Northwind Compute Holdings Ltd', country: 'US', parents: bigTreeCustomer('r-2', 60).parents });
    assert.ok(slow.status === 201 || slow.status === 202, JSON.stringify(slow.body));
  });

  test('after kill: hold → 503 problem + Retry-After, within the budget', async () => {
    redis.kill('SIGKILL');
    await once(redis, 'exit');
    for (let i = 0; i < 100 && h.queue!.healthy; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.queue!.healthy, false, 'the producer noticed Redis is gone');
    const app = guarded('hold');
    const cases = [
      { accountId: 'r-3', org: 'Acme Cloud Ltd', country: 'US', gpu: 'H100-SXM', count: 8, hours: 10 },
      { accountId: 'r-4', org: 'Northwind Compute Holdings Ltd', country: 'US', parents: bigTreeCustomer('r-4', 60).parents },
    ];
    for (const body of cases) {
      const { res, ms } = await timed(() => request(app).post('/v1/instances').send(body));
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.body.code, 'KYC_ERR_SCREENING_UNAVAILABLE');
      assert.equal(res.headers['retry-after'], '5');
      assert.ok(ms < BUDGET_MS + SLACK_MS, `answered in ${ms.toFixed(1)} ms`);
    }
  });

  test("after kill, onUnavailable: 'allow' → next() with failOpen + SCREENING_UNAVAILABLE; a deny stays a deny", async () => {
    const app = guarded('allow');
    const { res, ms } = await timed(() => request(app).post('/v1/instances').send({ accountId: 'r-5', org: 'Acme Cloud Ltd', country: 'US' }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.decision.failOpen, true);
    assert.equal(res.body.decision.outcome, 'allow');
    assert.ok(res.body.decision.reasons.some((r: { code: string }) => r.code === 'SCREENING_UNAVAILABLE'));
    assert.ok(ms < BUDGET_MS + SLACK_MS, `answered in ${ms.toFixed(1)} ms`);
    const deny = await request(app).post('/v1/instances').send({ accountId: 'r-6', org: 'Rosneft', country: 'RU' });
    assert.equal(deny.status, 403);
    assert.equal(deny.body.code, 'KYC_ERR_SCREENING_DENIED');
  });

  test('Redis back → screening resumes', async () => {
    redis = await startRedis(port);
    for (let i = 0; i < 250 && !h.queue!.healthy; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.queue!.healthy, true, 'reconnected');
    const ok = await request(guarded('hold')).post('/v1/instances').send({ accountId: 'r-7', org: 'Acme Cloud Ltd', country: 'US' });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });
});

describe('database down (its pool closed under the service)', () => {
  test('review and deny → 503 hold (no suppressions, no case); allows hold once a write fails', async () => {
    const h = await startHarness({ redisUrl: null });
    const database = await createTestDatabase();
    const db = await openDatabase(testConfig({ DATABASE_URL: database.url }), h.logger);
    const review = new ReviewService(db);
    const recorder = new DecisionRecorder(review, h.logger, { retryMs: 100_000 });
    const app = h.app({ review, recorder, queue: undefined }, { KYCGATE_LATENCY_BUDGET_MS: String(BUDGET_MS) });
    try {
      await db.close();
      await database.drop();
      const rev = await timed(() => request(app).post('/v1/instances').send({ accountId: 'd-1', org: 'Lotus Harbour Trading Co', country: 'CN' }));
      assert.equal(rev.res.status, 503, JSON.stringify(rev.res.body));
      assert.equal(rev.res.body.code, 'KYC_ERR_SCREENING_UNAVAILABLE');
      assert.ok(rev.ms < BUDGET_MS + SLACK_MS, `answered in ${rev.ms.toFixed(1)} ms`);
      const deny = await request(app).post('/v1/instances').send({ accountId: 'd-2', org: 'Rosneft', country: 'RU' });
      assert.equal(deny.status, 503, 'suppressions cannot be read: held');
      // the first allow is answered (write-behind), its write fails, later ones hold
      await request(app).post('/v1/instances').send({ accountId: 'd-3', org: 'Acme Cloud Ltd', country: 'US' });
      await recorder.flush();
      assert.equal(recorder.healthy, false);
      const held = await request(app).post('/v1/instances').send({ accountId: 'd-4', org: 'Acme Cloud Ltd', country: 'US' });
      assert.equal(held.status, 503, JSON.stringify(held.body));
      const ready = await request(app).get('/readyz');
      assert.equal(ready.status, 200, 'the harness database is still up; readiness reflects its probes');
    } finally {
      await recorder.close(10);
      await h.close();
    }
  });
});

describe('database slow (another session holds a lock on the screenings table)', () => {
  test('review → 202 pending with the screening Location, readable at once, recorded once the lock goes; deny stays 403', async () => {
    const h = await startHarness({ redisUrl: null });
    const locker = new pg.Client({ connectionString: h.config.DATABASE_URL });
    await locker.connect();
    try {
      const app = h.app({ queue: undefined }, { KYCGATE_LATENCY_BUDGET_MS: String(BUDGET_MS) });
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE screenings IN ACCESS EXCLUSIVE MODE');
      const { res, ms } = await timed(() => request(app).post('/v1/instances').send({ accountId: 's-1', org: 'Lotus Harbour Trading Co', country: 'CN' }));
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.equal(res.body.status, 'pending');
      assert.equal(res.headers.location, `/v1/screenings/${res.body.screeningId}`);
      assert.ok(ms < BUDGET_MS + SLACK_MS, `answered in ${ms.toFixed(1)} ms`);
      const poll = await request(app).get(res.headers.location).set({ Authorization: `Bearer ${h.serviceKey}` });
      assert.equal(poll.status, 200, 'the decision is readable while its write waits');
      assert.equal(poll.body.outcome, 'review');
      const deny = await request(app).post('/v1/instances').send({ accountId: 's-2', org: 'Rosneft', country: 'RU' });
      assert.equal(deny.status, 403);
      await locker.query('COMMIT');
      let stored;
      for (let i = 0; i < 100 && !stored; i++) {
        stored = await h.review.getScreening(res.body.screeningId);
        if (!stored) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(stored?.outcome, 'review', 'recorded after the lock was released');
      assert.equal(h.recorder.healthy, true);
    } finally {
      await locker.end();
      await h.close();
    }
  });
});

describe('database unreachable under a REST route (not the screening path)', () => {
  const assertStoreUnavailable = (res: request.Response) => {
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.body.code, 'KYC_ERR_STORE_UNAVAILABLE');
    assert.equal(res.headers['retry-after'], '5');
    assert.doesNotMatch(JSON.stringify(res.body), /ECONNREFUSED|127\.0\.0\.1|pool/, 'no driver details reach the client');
  };

  test('connection refused (ECONNREFUSED) and a closed pool → 503 KYC_ERR_STORE_UNAVAILABLE with Retry-After, not 500', async () => {
    const h = await startHarness({ redisUrl: null });
    const port = await freePort(); // nothing listens there
    const refused = pgDb(new pg.Pool({ connectionString: `postgres://root@127.0.0.1:${port}/none`, connectionTimeoutMillis: 2000 }));
    const database = await createTestDatabase();
    const closed = await openDatabase(testConfig({ DATABASE_URL: database.url }), h.logger);
    try {
      const { key: officerKey } = await createApiKey(h.db, { role: 'officer', name: 'h5-officer-down' }, new Date());
      // keys are checked on the working database; the review data lives on the unreachable one
      const app = h.app({ reviewRouter: createReviewRouter({ db: h.db, review: new ReviewService(refused) }) });
      assertStoreUnavailable(await request(app).get('/v1/cases?status=open').set({ Authorization: `Bearer ${officerKey}` }));

      await closed.close();
      const app2 = h.app({ review: new ReviewService(closed), queue: undefined });
      assertStoreUnavailable(await request(app2).get('/v1/screenings/00000000-0000-0000-0000-000000000000').set({ Authorization: `Bearer ${h.serviceKey}` }));
    } finally {
      await refused.close().catch(() => {});
      await database.drop();
      await h.close();
    }
  });
});
