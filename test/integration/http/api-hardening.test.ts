// REST API edge cases: Basic auth + challenges, per-item batch failures, held batches, failed slow-path jobs, the four-eyes 202.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { problemType } from '../../../src/errors.js';
import { createAdminRouter } from '../../../src/http/admin-routes.js';
import { openApiDocument } from '../../../src/http/openapi.js';
import { createApiKey } from '../../../src/store/services/api-keys.js';
import { REDIS_URL, bigTreeCustomer, startHarness, type Harness } from './harness.js';

let h: Harness;
let adminKey: string;
let officerKey: string;

before(async () => {
  h = await startHarness({ redisUrl: REDIS_URL });
  adminKey = (await createApiKey(h.db, { role: 'admin', name: 'h5-admin' }, new Date())).key;
  officerKey = (await createApiKey(h.db, { role: 'officer', name: 'h5-officer' }, new Date())).key;
});
after(async () => {
  await h.close();
});

const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

function assertProblem(res: request.Response, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.body.type, problemType(code as never));
  assert.equal(res.body.code, code);
}

describe('HTTP Basic auth (the API key as password)', () => {
  test('a protected route accepts Basic; 401s carry a WWW-Authenticate challenge', async () => {
    const app = h.app();
    const ok = await request(app).get('/v1/lists').set(basic('anyone', h.serviceKey));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const none = await request(app).get('/v1/lists');
    assertProblem(none, 401, 'KYC_ERR_UNAUTHORIZED');
    assert.equal(none.headers['www-authenticate'], 'Basic realm="kycgate"');
    const wrong = await request(app).get('/v1/lists').set(basic('anyone', 'kyc_not_a_real_key'));
    assertProblem(wrong, 401, 'KYC_ERR_UNAUTHORIZED');
    assert.equal(wrong.headers['www-authenticate'], 'Basic realm="kycgate"');
    // a script (or the review page) with a bad token gets a Bearer challenge: no browser login dialog
    const token = await request(app).get('/v1/lists').set({ Authorization: 'Bearer kyc_not_a_real_key' });
    assert.equal(token.headers['www-authenticate'], 'Bearer realm="kycgate"');
  });

  test('a browser opens /admin/queues with Basic; roles still apply', async () => {
    const admin = createAdminRouter({ config: h.config, logger: h.logger, db: h.db, prefix: h.prefix, url: REDIS_URL });
    try {
      const app = h.app({ adminRouter: admin });
      const page = await request(app).get('/admin/queues').set(basic('admin', adminKey));
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /text\/html/);
      const anonymous = await request(app).get('/admin/queues');
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers['www-authenticate'], 'Basic realm="kycgate"');
      assertProblem(await request(app).get('/admin/queues').set(basic('officer', officerKey)), 403, 'KYC_ERR_FORBIDDEN');
    } finally {
      await admin.close();
    }
  });
});

describe('POST /v1/screen batch, in-process (no Redis)', () => {
  test('an engine error on one item (unknown GPU model) is that item\'s error record; the others are decided', async () => {
    const app = h.app({ queue: undefined });
    const batch = [
      { id: 'e-1', name: 'Quiet Valley Software Inc', country: 'US' },
      { id: 'e-2', name: 'Acme Cloud Ltd', country: 'US', request: { gpuModel: 'NOT-A-GPU', gpuCount: 1, hours: 1 } },
      { id: 'e-3' },
      { id: 'e-4', name: 'Rosneft', country: 'RU' },
    ];
    const res = await request(app).post('/v1/screen').set({ Authorization: `Bearer ${h.serviceKey}` }).send(batch);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.results.map((r: { status: string }) => r.status), ['done', 'error', 'error', 'done']);
    assert.deepEqual(res.body.results[1], { index: 1, status: 'error', id: 'e-2', error: res.body.results[1].error });
    assert.equal(res.body.results[1].error.code, 'KYC_ERR_UNKNOWN_GPU');
    assert.equal(res.body.results[2].error.code, 'KYC_ERR_INPUT_INVALID');
    assert.equal(res.body.results[3].decision.outcome, 'deny');
  });

  test('no item could be screened (lists not loaded) → 503 problem+json with Retry-After, records included', async () => {
    const notReady = { ready: false, snapshot: undefined, screen: () => { throw new Error('unused'); } };
    const app = h.app({ engine: notReady, queue: undefined });
    const res = await request(app).post('/v1/screen').set({ Authorization: `Bearer ${h.serviceKey}` }).send({ customers: [{ id: 'u-1', name: 'Acme Cloud Ltd' }, { id: 'u-2' }] });
    assertProblem(res, 503, 'KYC_ERR_SCREENING_UNAVAILABLE');
    assert.equal(res.headers['retry-after'], '5');
    assert.deepEqual(res.body.results.map((r: { status: string }) => r.status), ['unavailable', 'error']);
  });
});

describe('GET /v1/screenings/:id of a failed slow-path job', () => {
  test('failed on its input (unknown GPU, real worker) → 400 with that code', async () => {
    const app = h.app();
    const customer = { ...bigTreeCustomer('f-1', 60), request: { gpuModel: 'NOT-A-GPU', gpuCount: 1, hours: 1 } };
    const queued = await request(app).post('/v1/screen?wait=300').set({ Authorization: `Bearer ${h.serviceKey}` }).send(customer);
    assert.equal(queued.status, 202, JSON.stringify(queued.body));
    await h.startWorker();
    let res: request.Response | undefined;
    for (let i = 0; i < 100; i++) {
      res = await request(app).get(`/v1/screenings/${queued.body.screeningId}`).set({ Authorization: `Bearer ${h.serviceKey}` });
      if (res.status !== 202) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assertProblem(res!, 400, 'KYC_ERR_UNKNOWN_GPU');
    assert.doesNotMatch(res!.body.detail, /^KYC_ERR_/, 'the worker\'s failedReason is not echoed');
  });

  test('a job read while it finishes carries its outcome: never failed without its reason, never done without its result', async () => {
    const queue = h.queue!;
    const jobs = Array.from({ length: 40 }, (_, i) => ({
      screeningId: randomUUID(),
      customer: { ...bigTreeCustomer(`race-${i}`, 60), ...(i % 2 ? { request: { gpuModel: 'NOT-A-GPU', gpuCount: 1, hours: 1 } } : {}) },
      requestedAt: new Date().toISOString(),
      actor: 'test',
    }));
    await queue.submitMany(jobs, 1000); // no worker yet: enqueued, none finished
    await h.startWorker();
    // poll every job back to back until each is terminal: the reads interleave with the worker finishing them
    const deadline = Date.now() + 30_000;
    const seen = await Promise.all(
      jobs.map(async ({ screeningId }) => {
        while (Date.now() < deadline) {
          const s = await queue.status(screeningId);
          if (s?.state === 'done' || s?.state === 'failed') return s;
        }
        throw new Error(`job ${screeningId} did not finish within 30 s`);
      }),
    );
    seen.forEach((s, i) => {
      if (i % 2) assert.match(s.state === 'failed' ? s.reason : 'done', /^KYC_ERR_UNKNOWN_GPU: /, `job ${i}`);
      else assert.equal(s.state === 'done' ? s.result?.decision?.outcome : s.state, 'allow', `job ${i}`);
    });
  });

  test('failed on infrastructure → 503 with Retry-After, no failedReason text', async () => {
    const reasons: Record<string, string> = {
      'j-infra': 'connect ECONNREFUSED 10.9.8.7:5432 (user kycgate_rw)',
      'j-fake': 'KYC_ERR_NOT_A_CODE: something internal at /srv/kycgate/worker.ts:12',
    };
    const queue = {
      healthy: true,
      submit: async () => ({ status: 'pending' as const }),
      submitMany: async () => [],
      status: async (id: string) => (reasons[id] ? { state: 'failed' as const, reason: reasons[id]! } : undefined),
    };
    const app = h.app({ queue });
    for (const id of Object.keys(reasons)) {
      const res = await request(app).get(`/v1/screenings/${id}`).set({ Authorization: `Bearer ${h.serviceKey}` });
      assertProblem(res, 503, 'KYC_ERR_SCREENING_UNAVAILABLE');
      assert.equal(res.headers['retry-after'], '5');
      assert.doesNotMatch(JSON.stringify(res.body), /ECONNREFUSED|10\.9\.8\.7|kycgate_rw|NOT_A_CODE|\/srv\//);
    }
  });
});

test('POST /v1/cases/:id/decision: clearing a deny-level case records a four-eyes proposal → 202, as documented', async () => {
  const app = h.app({ queue: undefined });
  const screened = await request(app).post('/v1/screen').set({ Authorization: `Bearer ${h.serviceKey}` }).send({ id: 'fe-1', name: 'Rosneft', country: 'RU' });
  assert.equal(screened.body.outcome, 'deny', JSON.stringify(screened.body));
  const caseUrl = /<([^>]+)>; rel="case"/.exec(String(screened.headers.link))?.[1];
  assert.ok(caseUrl, 'the deny opened a case');
  const kase = await request(app).get(caseUrl!).set({ Authorization: `Bearer ${officerKey}` });
  assert.equal(kase.status, 200, JSON.stringify(kase.body));
  const res = await request(app)
    .post(`${caseUrl}/decision`)
    .set({ Authorization: `Bearer ${officerKey}` })
    .send({ decision: 'clear', reason: 'a different company of the same name', version: kase.body.case.version });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.ok(res.body.proposal, 'the case carries the proposal');
  assert.ok(openApiDocument('t').paths['/v1/cases/{id}/decision'].post.responses['202']);
});
