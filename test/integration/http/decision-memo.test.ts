// The decision memo on the real lists, PostgreSQL and Redis: an identical request reuses its allow (recorded, summed), anything else is screened.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import request from 'supertest';
import { kycgate } from '../../../src/index.js';
import { DecisionMemo } from '../../../src/http/middleware/decision-memo.js';
import { DEFAULT_INPUT_LIMITS } from '../../../src/http/middleware/input-limits.js';
import { loadParseCustomer } from '../../../src/http/middleware/parse.js';
import type { ScreeningEnginePort } from '../../../src/http/middleware/ports.js';
import { Screener, type ScreenCall } from '../../../src/http/middleware/screener.js';
import { problemHandler } from '../../../src/http/problem.js';
import type { Customer, Decision } from '../../../src/model/index.js';
import { backgroundAddsFor, drainBackgroundAdds } from '../../../src/http/middleware/background-adds.js';
import { TrainingAggregator, trainingGroupKeys } from '../../../src/runtime/aggregation.js';
import { connectRedis } from '../../../src/runtime/redis.js';
import { REDIS_URL, startHarness, type Harness } from './harness.js';
import { until } from '../until.js';

let h: Harness;
let conn: ReturnType<typeof connectRedis>;
let aggregator: TrainingAggregator;
let parseCustomer: (input: unknown) => Customer;

before(async () => {
  h = await startHarness({ redisUrl: null });
  conn = connectRedis(REDIS_URL, { failFast: true });
  conn.on('error', () => {});
  await once(conn, 'ready');
  aggregator = new TrainingAggregator(conn, h.prefix, 365 * 86_400);
  parseCustomer = await loadParseCustomer();
});

after(async () => {
  await drainBackgroundAdds(aggregator);
  const keys = await conn.keys(`${h.prefix}*`);
  if (keys.length) await conn.del(...keys);
  conn.disconnect();
  await h.close();
});

/** A screener on the harness's real engine that counts validations and screenings (what a reuse skips). */
function countingScreener(opts: { memo?: number; clock?: () => Date } = {}) {
  const counts = { parsed: 0, screened: 0 };
  const engine = h.engine;
  const port: ScreeningEnginePort = {
    get ready() {
      return engine.ready;
    },
    get snapshot() {
      return engine.snapshot;
    },
    screen: (input, o) => engine.screen(input, o),
    screenParsed: (customer, o) => {
      counts.screened += 1;
      return engine.screenParsed(customer, o);
    },
    estimateTrainingOps: (r, p) => engine.estimateTrainingOps(r, p),
    trainingSumMatters: (c, p, n) => engine.trainingSumMatters(c, p, n),
    pack: (p) => engine.pack(p),
    decisionScope: (p, n) => engine.decisionScope(p, n),
  };
  const screener = new Screener({
    engine: port,
    review: h.review,
    recorder: h.recorder,
    aggregator,
    logger: h.logger,
    memo: opts.memo === 0 ? undefined : new DecisionMemo(opts.memo ?? 100),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const call = (extra: Partial<ScreenCall> = {}): ScreenCall => ({
    budgetMs: 5000,
    actor: 'test',
    inlineMaxParties: 50,
    limits: DEFAULT_INPUT_LIMITS,
    parse: (input) => {
      counts.parsed += 1;
      return parseCustomer(input);
    },
    ...extra,
  });
  const decide = async (input: unknown, extra: Partial<ScreenCall> = {}): Promise<Decision> => {
    const r = await screener.screen(input, call(extra));
    assert.equal(r.kind, 'decided', JSON.stringify(r));
    return (r as { decision: Decision }).decision;
  };
  return { counts, decide };
}

/** An unlisted US cloud customer asking for 8 × H100 for 24 h (an allow; a sum far below any threshold). */
const plain = (id: string, purpose = 'inference') => ({ id, name: 'Blue River Cloud Inc', country: 'US', request: { gpuModel: 'H100-SXM', gpuCount: 8, hours: 24, purpose } });

describe('an identical request reuses its allow', () => {
  test('from its second allow on: same evidence, its own screening id and time; no validation or screening; all recorded', async () => {
    let now = new Date('2026-11-30T10:00:00Z');
    const { counts, decide } = countingScreener({ clock: () => now });
    const first = await decide(plain('memo-1'));
    assert.deepEqual(counts, { parsed: 1, screened: 1 });
    const second = await decide(plain('memo-1'));
    assert.deepEqual(counts, { parsed: 2, screened: 2 }, 'the first allow of an input is only noted (doorkeeper)');
    now = new Date('2026-11-30T10:00:05Z');
    const third = await decide(plain('memo-1'));
    assert.deepEqual(counts, { parsed: 2, screened: 2 });
    assert.equal(first.outcome, 'allow');
    assert.equal(new Set([first, second, third].map((d) => d.screeningId)).size, 3);
    assert.equal(third.decidedAt, '2026-11-30T10:00:05.000Z');
    const { screeningId: _a, decidedAt: _b, ...evidence2 } = second;
    const { screeningId: _c, decidedAt: _d, ...evidence3 } = third;
    assert.deepEqual(evidence3, evidence2);
    await h.recorder.flush();
    for (const d of [first, second, third]) assert.equal((await h.review.getScreening(d.screeningId))?.outcome, 'allow', `screening ${d.screeningId} recorded`);
  });

  test('the reused evidence is frozen and shared; each decision object is the caller\'s own', async () => {
    const { decide } = countingScreener();
    await decide(plain('memo-frozen'));
    const first = await decide(plain('memo-frozen'));
    const second = await decide(plain('memo-frozen'));
    assert.notEqual(second, first);
    assert.equal(Object.isFrozen(second), false);
    assert.equal(second.reasons, first.reasons);
    assert.throws(() => (second.reasons as unknown[]).push({}), TypeError);
    assert.throws(() => ((second.lists as { version: string }).version = 'forged'), TypeError);
  });

  test('a remembered training request is still added to its groups\' sums, every time', async () => {
    const { counts, decide } = countingScreener();
    const input = plain('memo-train', 'training');
    const groupKeys = trainingGroupKeys(parseCustomer(input));
    const ops = h.engine.estimateTrainingOps(parseCustomer(input).request!);
    for (let i = 0; i < 4; i++) await decide(input);
    assert.deepEqual(counts, { parsed: 2, screened: 2 });
    // wait for the background batches (not drainBackgroundAdds: it closes them, and later tests need them open)
    const background = backgroundAddsFor(aggregator, h.logger);
    await until('the background additions', () => background.pending === 0, 5000);
    const { windowOps } = await aggregator.peek(groupKeys, new Date());
    assert.ok(Math.abs(windowOps - 4 * ops) <= 1e-9 * ops, `sum ${windowOps} = 4 × ${ops}`);
  });
});

describe('anything else is screened again', () => {
  test('another input, another pack, the next UTC day', async () => {
    let now = new Date('2026-11-30T23:59:00Z');
    const { counts, decide } = countingScreener({ clock: () => now });
    await decide(plain('memo-vary'));
    const rows: [string, () => Promise<Decision>][] = [
      ['hours changed', () => decide({ ...plain('memo-vary'), request: { ...plain('memo-vary').request, hours: 25 } })],
      ['another customer id', () => decide(plain('memo-vary-2'))],
      ['another policy pack', () => decide(plain('memo-vary'), { policy: 'ai-diffusion-2025' })],
      [
        'the next UTC day',
        () => {
          now = new Date('2026-12-01T00:00:01Z');
          return decide(plain('memo-vary'));
        },
      ],
    ];
    for (const [why, screen] of rows) {
      const before = counts.screened;
      assert.equal((await screen()).outcome, 'allow', why);
      assert.equal(counts.screened, before + 1, why);
    }
  });

  test('deny and review are never remembered; nor is an allow its training sum could change', async () => {
    const { counts, decide } = countingScreener();
    // OFAC SDN 12927 "MAHAN AIR"; Tier 3 (CN) headquarters; under ai-diffusion-2025 a Tier 2 (IN) customer's training
    // run is allowed, but its parent's sum over the window could change that, so it is screened with the sum each time
    const rows: [string, unknown, string | undefined, string][] = [
      ['listed', { id: 'memo-deny', name: 'Mahan Air', country: 'IR' }, undefined, 'deny'],
      ['Tier 3 headquarters, inference', { ...plain('memo-cn'), name: 'Lotus Harbor Compute Ltd', country: 'CN' }, undefined, 'review'],
      ['Tier 2 headquarters, training, sum has a say', { ...plain('memo-in', 'training'), name: 'Lotus Harbor Compute Ltd', country: 'IN' }, 'ai-diffusion-2025', 'allow'],
    ];
    for (const [why, input, policy, outcome] of rows) {
      const before = counts.screened;
      const extra = policy ? { policy } : {};
      // three times: the doorkeeper lets a remembered input come back from the third on
      const outcomes = [];
      for (let i = 0; i < 3; i++) outcomes.push((await decide(input, extra)).outcome);
      assert.deepEqual(outcomes, [outcome, outcome, outcome], why);
      assert.equal(counts.screened, before + 3, why);
    }
  });

  test('with the memo off (0), every request is screened', async () => {
    const { counts, decide } = countingScreener({ memo: 0 });
    for (let i = 0; i < 3; i++) await decide(plain('memo-off'));
    assert.deepEqual(counts, { parsed: 3, screened: 3 });
  });

  test('inputs seen once are not remembered: a stream of new customers leaves the memo empty', async () => {
    const memo = new DecisionMemo(100);
    const allow = (id: string): Decision => ({ id, outcome: 'allow', screeningId: id, hits: [], reasons: [], lists: { version: 'v', sources: {} }, policy: 'p', decidedAt: '2026-11-30T00:00:00.000Z' });
    for (let i = 0; i < 50; i++) memo.remember(memo.keyOf({ id: `once-${i}` }, 'scope')!, { id: `once-${i}`, name: 'n' }, allow(`once-${i}`), undefined);
    assert.equal(memo.size, 0);
    const key = memo.keyOf({ id: 'twice' }, 'scope')!;
    memo.remember(key, { id: 'twice', name: 'n' }, allow('twice'), undefined);
    assert.equal(memo.get(key), undefined);
    memo.remember(key, { id: 'twice', name: 'n' }, allow('twice'), undefined);
    assert.equal(memo.get(key)?.decision.id, 'twice');
    assert.equal(memo.keyOf({ id: 'twice' }, undefined), undefined, 'no scope, no key');
  });

  test('an allow remembered under one scope is not reused under another; the input is remembered again there', () => {
    const memo = new DecisionMemo(100);
    const allow = (id: string, day: string): Decision => ({ id, outcome: 'allow', screeningId: id, hits: [], reasons: [], lists: { version: 'v', sources: {} }, policy: 'p', decidedAt: `${day}T00:00:00.000Z` });
    const input = { id: 'c1', name: 'Blue River Cloud Inc' };
    const monday = memo.keyOf(input, 'snap|pack|rules|20605')!;
    const tuesday = memo.keyOf(input, 'snap|pack|rules|20606')!;
    for (let i = 0; i < 2; i++) memo.remember(monday, input, allow('c1', '2026-06-01'), undefined);
    assert.equal(memo.get(monday)?.decision.decidedAt, '2026-06-01T00:00:00.000Z');
    assert.equal(memo.get(tuesday), undefined, 'another scope (the next day, another snapshot or pack) misses');
    memo.remember(tuesday, input, allow('c1', '2026-06-02'), undefined);
    assert.equal(memo.get(tuesday)?.decision.decidedAt, '2026-06-02T00:00:00.000Z', 'the same input was seen before: remembered at once');
    assert.equal(memo.get(monday), undefined, 'the older scope is replaced');
    assert.equal(memo.size, 1);
    assert.equal(memo.keyOf({ big: 'x'.repeat(9000) }, 'scope'), undefined, 'an input over 8 KB as JSON is not remembered');
  });
});

describe('the middleware option', () => {
  const appWith = (decisionMemo?: number) => {
    const app = express();
    app.use(express.json());
    app.post(
      '/v1/instances',
      kycgate.screen({
        customer: (req) => ({ id: req.body.accountId, name: req.body.org, country: req.body.country }),
        engine: h.engine,
        review: h.review,
        recorder: h.recorder,
        logger: h.logger,
        ...(decisionMemo === undefined ? {} : { decisionMemo }),
      }),
      (req, res) => void res.status(201).json({ screeningId: req.kycgate?.screeningId, outcome: req.kycgate?.outcome }),
    );
    app.use(problemHandler(h.logger));
    return app;
  };

  test('repeated calls are answered alike, each with its own screening id (memo on by default, and off)', async () => {
    for (const memo of [undefined, 0]) {
      const app = appWith(memo);
      const body = { accountId: 'memo-http', org: 'Blue River Cloud Inc', country: 'US' };
      const a = await request(app).post('/v1/instances').send(body);
      const b = await request(app).post('/v1/instances').send(body);
      assert.deepEqual([a.status, b.status, a.body.outcome, b.body.outcome], [201, 201, 'allow', 'allow'], String(memo));
      assert.notEqual(a.body.screeningId, b.body.screeningId);
    }
  });

  test('decisionMemo must be a whole number from 0 to 1,000,000', () => {
    for (const bad of [-1, 1.5, 2_000_000, '10']) {
      assert.throws(
        () => kycgate.screen({ customer: () => ({ id: 'x', name: 'y' }), engine: h.engine, review: h.review, decisionMemo: bad as number }),
        (err: unknown) => (err as { code?: string }).code === 'KYC_ERR_OPTIONS_INVALID',
        String(bad),
      );
    }
  });
});
