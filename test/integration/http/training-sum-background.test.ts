// Training sums on a private Redis paused for real: a request the sum cannot change is added in the background (no wait); one it can change waits and holds (503).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { kycgate } from '../../../src/index.js';
import { problemHandler } from '../../../src/http/problem.js';
import type { ComputeRequest, Customer } from '../../../src/model/index.js';
import { TrainingAggregator, trainingGroupKeys } from '../../../src/runtime/aggregation.js';
import { connectRedis } from '../../../src/runtime/redis.js';
import { startPrivateRedis } from '../workers/fixtures/private-redis.js';
import { startHarness, type Harness } from './harness.js';

const PORT = 6412;
const BUDGET_MS = 300;
const PAUSE_MS = 3000;
const PREFIX = '{kyct-bg}';

let h: Harness;
let server: ChildProcess;
let aggConn: Redis;
let admin: Redis;
let aggregator: TrainingAggregator;
let app: express.Express;

/** 8 × H100 for 10 h: a small training run (~1.4e20 operations), far under any threshold. */
const computeOf = (body: { count?: number; hours?: number }): ComputeRequest => ({ gpuModel: 'H100-SXM', gpuCount: body.count ?? 8, hours: body.hours ?? 10, purpose: 'training' });
/** The customer the middleware screens for a request body (the same extractors the routes use). */
const customerOf = (body: { accountId: string; org: string; country: string }): Customer => ({ id: body.accountId, name: body.org, country: body.country });

before(async () => {
  h = await startHarness({ redisUrl: null });
  server = await startPrivateRedis(PORT);
  aggConn = connectRedis(`redis://127.0.0.1:${PORT}`, { failFast: true });
  aggConn.on('error', () => {});
  await once(aggConn, 'ready');
  admin = new Redis(PORT, '127.0.0.1', { maxRetriesPerRequest: 0 });
  admin.on('error', () => {});
  aggregator = new TrainingAggregator(aggConn, PREFIX, 365 * 86_400);

  app = express();
  app.use(express.json());
  const route = (path: string, policy: string) =>
    app.post(
      path,
      kycgate.screen({
        customer: (req) => customerOf(req.body),
        request: (req) => computeOf(req.body),
        policy,
        budgetMs: BUDGET_MS,
        engine: h.engine,
        review: h.review,
        recorder: h.recorder,
        aggregator,
        logger: h.logger,
      }),
      (req, res) => void res.status(201).json(req.kycgate),
    );
  route('/us-export', 'us-export-2026');
  route('/ai-diffusion', 'ai-diffusion-2025');
  app.use(problemHandler(h.logger));
});

after(async () => {
  await admin?.call('CLIENT', 'UNPAUSE').catch(() => {});
  admin?.disconnect();
  aggConn?.disconnect();
  if (server && server.exitCode === null) {
    server.kill('SIGKILL');
    await once(server, 'exit');
  }
  await h?.close(); // closes the recorder, the database pool, and drops the test database
});

const timed = async (fn: () => Promise<request.Response>) => {
  const t0 = performance.now();
  const res = await fn();
  return { res, ms: performance.now() - t0 };
};

/** Polls the window's sum of a customer's groups until it reaches `ops` (or `ms` pass); returns the last sum seen. */
async function sumReaches(customer: Customer, ops: number, ms: number): Promise<number> {
  let last = -1;
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 50))) {
    last = (await aggregator.peek(trainingGroupKeys(customer), new Date())).windowOps;
    if (last >= ops) break;
  }
  return last;
}

const US = (n: string) => ({ accountId: `us-${n}`, org: `Prairie Lantern Compute ${n} Inc`, country: 'US' });
const BR = (n: string) => ({ accountId: `br-${n}`, org: `Selva Aurora Dados ${n} Ltda`, country: 'BR' });
const CN = (n: string) => ({ accountId: `cn-${n}`, org: `Jade Meridian Computing ${n} Co`, country: 'CN' });

describe('whether the training sum can change the decision (engine)', () => {
  test('US under us-export-2026: no; BR under ai-diffusion-2025 (Tier 2): yes; CN under us-export-2026 (Tier 3): yes', () => {
    const withRequest = (c: Customer) => ({ ...c, request: computeOf({}) });
    assert.equal(h.engine.trainingSumMatters(withRequest(customerOf(US('x'))), 'us-export-2026'), false);
    assert.equal(h.engine.trainingSumMatters(withRequest(customerOf(BR('x'))), 'ai-diffusion-2025'), true);
    assert.equal(h.engine.trainingSumMatters(withRequest(customerOf(CN('x'))), 'us-export-2026'), true);
  });
});

describe('Redis answering', () => {
  test('both kinds are allowed and added to their sums: the waited one before the answer, the background one shortly after', async () => {
    const ops = h.engine.estimateTrainingOps(computeOf({}), 'us-export-2026');
    assert.ok(ops > 1e19 && ops < 1e22, String(ops));

    const br = BR('live');
    const brRes = await request(app).post('/ai-diffusion').send(br);
    assert.equal(brRes.status, 201, JSON.stringify(brRes.body));
    assert.equal(brRes.body.outcome, 'allow');
    // the BR request waited for Redis: its addition is in the sum when the answer arrives
    assert.equal((await aggregator.peek(trainingGroupKeys(customerOf(br)), new Date())).windowOps, h.engine.estimateTrainingOps(computeOf({}), 'ai-diffusion-2025'));

    const us = US('live');
    const usRes = await request(app).post('/us-export').send(us);
    assert.equal(usRes.status, 201, JSON.stringify(usRes.body));
    assert.equal(usRes.body.outcome, 'allow');
    assert.equal(await sumReaches(customerOf(us), ops, 3000), ops, 'the background addition landed');
  });
});

describe('Redis paused (CLIENT PAUSE WRITE): writes, scripts included, get no answer', () => {
  test('US training request → 201 within the budget; BR (ai-diffusion-2025) and CN (us-export-2026) → 503 hold; the US addition lands after the pause', async () => {
    const us = US('paused');
    const usOps = h.engine.estimateTrainingOps(computeOf({}), 'us-export-2026');
    assert.equal(await admin.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'WRITE'), 'OK');
    const pausedAt = Date.now();
    const u = await timed(() => request(app).post('/us-export').send(us));
    assert.equal(u.res.status, 201, JSON.stringify(u.res.body));
    assert.equal(u.res.body.outcome, 'allow');
    assert.ok(u.ms < BUDGET_MS, `the US request waited ${u.ms.toFixed(0)} ms (budget ${BUDGET_MS} ms): it must not wait for Redis`);

    for (const [path, body] of [
      ['/ai-diffusion', BR('paused')],
      ['/us-export', CN('paused')],
    ] as const) {
      const held = await timed(() => request(app).post(path).send(body));
      assert.equal(held.res.status, 503, `${path} ${body.country}: ${JSON.stringify(held.res.body)}`);
      assert.match(String(held.res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(held.res.body.code, 'KYC_ERR_SCREENING_UNAVAILABLE');
      assert.match(held.res.body.detail, /aggregation/i);
      assert.match(String(held.res.headers['retry-after']), /^[1-9]\d*$/);
      assert.ok(held.ms >= BUDGET_MS - 20, `${body.country} answered in ${held.ms.toFixed(0)} ms: it should have waited for the sum up to the budget`);
      assert.ok(held.ms < BUDGET_MS + 700, `${body.country} answered in ${held.ms.toFixed(0)} ms: the hold must come with the budget, not with Redis`);
    }
    assert.ok(Date.now() - pausedAt < PAUSE_MS, 'every request above was answered while Redis was paused');

    // after the pause: the US request's addition (sent in the background) lands without another request
    const sum = await sumReaches(customerOf(us), usOps, PAUSE_MS + 5000);
    assert.equal(sum, usOps, `sum of the US customer's groups ${Date.now() - pausedAt} ms after the pause began`);
    assert.ok(Date.now() - pausedAt >= PAUSE_MS - 100, 'the pause was real: the sum could only be read once Redis answered writes again');
  });
});
