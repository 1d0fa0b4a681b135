// Review REST API on real PostgreSQL + Express: 401/403 for every endpoint and role, queue filters, decisions, 409s, audit export.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type express from 'express';
import { REVIEW_ROUTE_ROLES } from '../../../src/http/review-routes.js';
import { ReviewService } from '../../../src/store/services/review-service.js';
import type { Role } from '../../../src/review/roles.js';
import { createKeys, createTestDatabase, decisionFor, hitOn, reviewApp, sdnRows, type Keys, type TestDatabase } from './helpers.js';

const rows = sdnRows('306', '36');
const BNC = rows.get('306')!;
const AERO = rows.get('36')!;

let t: TestDatabase;
let keys: Keys;
let app: express.Express;
let caseIds: string[] = [];

before(async () => {
  t = await createTestDatabase();
  keys = await createKeys(t.db);
  const svc = new ReviewService(t.db);
  app = reviewApp(t.db, svc);
  const people: [string, typeof BNC, number][] = [
    ['Banco Nacional de Cuba', BNC, 0.99],
    ['Aerocaribbean', AERO, 0.9],
    ['Banco Nacional Cubano', BNC, 0.88],
    ['Aero Caribbean Airlines Ltd', AERO, 0.93],
  ];
  for (const [i, [name, row, score]] of people.entries()) {
    const c = { id: `cust-h${i}`, name };
    const r = await svc.recordScreening(c, decisionFor(c, [hitOn(row, { queryName: name, score })]), 'svc');
    caseIds.push(r.cases[0]!.id);
  }
});
after(async () => {
  await t?.drop();
});

type Slot = Role | 'none' | 'bogus';
const SLOTS: Slot[] = ['none', 'bogus', 'service', 'officer', 'senior_officer', 'admin'];

/** The stored version of a case (what an officer's page shows). */
async function versionOf(id: string): Promise<number> {
  const { rows } = await t.db.query<{ version: number }>('SELECT version FROM cases WHERE id = $1', [id]);
  return Number(rows[0]!.version);
}

/** Every endpoint with a request that would succeed for an allowed role (bodies valid; `v`: the case's current version). */
const ENDPOINTS: { route: keyof typeof REVIEW_ROUTE_ROLES; call: (a: request.Agent, v: number) => request.Test }[] = [
  { route: 'GET /v1/cases', call: (a) => a.get('/v1/cases') },
  { route: 'GET /v1/cases/:id', call: (a) => a.get(`/v1/cases/${caseIds[3]}`) },
  { route: 'POST /v1/cases/:id/assign', call: (a, v) => a.post(`/v1/cases/${caseIds[3]}/assign`).send({ version: v }) },
  { route: 'POST /v1/cases/:id/decision', call: (a, v) => a.post(`/v1/cases/${caseIds[3]}/decision`).send({ decision: 'escalate', reason: 'auth matrix', version: v }) },
  { route: 'POST /v1/cases/:id/licences', call: (a) => a.post(`/v1/cases/${caseIds[3]}/licences`).send({ agency: 'BIS', number: 'D1234567', expiresAt: '2030-01-01' }) },
  { route: 'GET /v1/audit', call: (a) => a.get('/v1/audit') },
  { route: 'GET /v1/audit/verify', call: (a) => a.get('/v1/audit/verify') },
  { route: 'GET /v1/whoami', call: (a) => a.get('/v1/whoami') },
];

describe('auth: every endpoint × every role', () => {
  for (const e of ENDPOINTS) {
    for (const slot of SLOTS) {
      const allowed = slot !== 'none' && slot !== 'bogus' && (REVIEW_ROUTE_ROLES[e.route] as readonly string[]).includes(slot);
      const expected = slot === 'none' || slot === 'bogus' ? 401 : allowed ? 'ok' : 403;
      test(`${e.route} as ${slot} → ${expected}`, async () => {
        // escalate once per role that may: re-open the decision target each time by using a fresh case
        const req = e.call(request(app) as unknown as request.Agent, await versionOf(caseIds[3]!));
        if (slot === 'bogus') req.set('Authorization', 'Bearer kyc_not-a-real-key-000000000000000');
        else if (slot !== 'none') req.set(slot === 'officer' ? 'X-Api-Key' : 'Authorization', slot === 'officer' ? keys.officer.key : `Bearer ${keys[slot].key}`);
        const res = await req;
        if (expected === 'ok') {
          assert.ok(res.status < 400 || (e.route === 'POST /v1/cases/:id/decision' && res.status === 409), `${res.status} ${res.text}`);
        } else {
          assert.equal(res.status, expected, res.text);
          assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/);
          assert.equal(res.body.code, expected === 401 ? 'KYC_ERR_UNAUTHORIZED' : 'KYC_ERR_FORBIDDEN');
        }
      });
    }
  }

  test('the service role may not decide cases (the middleware identity)', () => {
    assert.ok(!(REVIEW_ROUTE_ROLES['POST /v1/cases/:id/decision'] as readonly string[]).includes('service'));
  });
});

describe('queue and case endpoints', () => {
  const as = (slot: Role | 'officer2') => ({ Authorization: `Bearer ${keys[slot].key}` });

  test('GET /v1/cases filters, sorts by score or age, pages, counts', async () => {
    const byScore = await request(app).get('/v1/cases?status=open&sort=score&pageSize=2').set(as('officer'));
    assert.equal(byScore.status, 200, byScore.text);
    assert.deepEqual(byScore.body.items.map((i: { score: number }) => i.score), [0.99, 0.9]);
    assert.equal(byScore.body.total, 3);
    assert.equal(byScore.body.counts.open, 3);
    const page2 = await request(app).get('/v1/cases?status=open&sort=score&pageSize=2&page=2').set(as('officer'));
    assert.deepEqual(page2.body.items.map((i: { score: number }) => i.score), [0.88]);
    const byAge = await request(app).get('/v1/cases?sort=age').set(as('officer'));
    assert.deepEqual(byAge.body.items.map((i: { id: string }) => i.id), caseIds);
    const sdnAero = await request(app).get('/v1/cases?list=SDN&status=open,escalated').set(as('officer'));
    assert.equal(sdnAero.body.total, 4);
    const bad = await request(app).get('/v1/cases?status=nonsense').set(as('officer'));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'KYC_ERR_INPUT_INVALID');
    const unknownParam = await request(app).get('/v1/cases?colour=red').set(as('officer'));
    assert.equal(unknownParam.status, 400);
  });

  test('assign, then decide with a reason; a missing reason is 400; an unknown case is 404', async () => {
    const id = caseIds[1]!;
    const assigned = await request(app).post(`/v1/cases/${id}/assign`).set(as('officer')).send({ version: await versionOf(id) });
    assert.equal(assigned.status, 200, assigned.text);
    assert.equal(assigned.headers.etag, `"${assigned.body.version}"`);
    assert.equal(assigned.body.status, 'in_review');
    assert.equal(assigned.body.assignee, keys.officer.principal.id);
    const mine = await request(app).get(`/v1/cases?assignee=${keys.officer.principal.id}`).set(as('officer'));
    assert.deepEqual(mine.body.items.map((i: { id: string }) => i.id), [id]);
    const noReason = await request(app).post(`/v1/cases/${id}/decision`).set(as('officer')).send({ decision: 'clear' });
    assert.equal(noReason.status, 400);
    const stale = await request(app).post(`/v1/cases/${id}/decision`).set(as('officer')).send({ decision: 'clear', reason: 'x'.repeat(5), version: 1 });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'KYC_ERR_CONFLICT');
    const ok = await request(app).post(`/v1/cases/${id}/decision`).set(as('officer')).send({ decision: 'clear', reason: 'a travel agency', version: assigned.body.version });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.status, 'cleared');
    const missing = await request(app).get('/v1/cases/case-nope').set(as('officer'));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'KYC_ERR_NOT_FOUND');
  });

  test('four-eyes over HTTP: 202 proposal, 409 KYC_ERR_FOUR_EYES for the same officer, 200 for a second one', async () => {
    const id = caseIds[0]!; // score 0.99 → deny-level
    const first = await request(app).post(`/v1/cases/${id}/decision`).set(as('officer')).send({ decision: 'clear', reason: 'different bank', version: await versionOf(id) });
    assert.equal(first.status, 202, first.text);
    const same = await request(app).post(`/v1/cases/${id}/decision`).set(as('officer')).send({ decision: 'clear', reason: 'still different', version: first.body.version });
    assert.equal(same.status, 409);
    assert.equal(same.body.code, 'KYC_ERR_FOUR_EYES');
    // the second officer sends the version through If-Match instead of the body
    const second = await request(app).post(`/v1/cases/${id}/decision`).set(as('officer2')).set('If-Match', `"${first.body.version}"`).send({ decision: 'clear', reason: 'agreed' });
    assert.equal(second.status, 200, second.text);
    const detail = await request(app).get(`/v1/cases/${id}`).set(as('officer'));
    assert.equal(detail.body.case.status, 'cleared');
    assert.equal(detail.body.suppression.caseId, id);
    assert.equal(detail.body.customer.latest.name, 'Banco Nacional de Cuba');
    assert.equal(detail.body.screening.policy, 'us-export-2026');
  });

  test('two officers posting decisions at once: one 200, one 409', async () => {
    const id = caseIds[2]!;
    const [a, b] = await Promise.all([
      request(app).post(`/v1/cases/${id}/decision`).set(as('officer')).send({ decision: 'confirm', reason: 'true match', version: 1 }),
      request(app).post(`/v1/cases/${id}/decision`).set(as('officer2')).send({ decision: 'escalate', reason: 'unsure', version: 1 }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409]);
  });

  test('decision and assign need the case version (body or If-Match): missing, stale or disagreeing → 409, the case untouched', async () => {
    const c = { id: 'cust-h-version', name: 'Aerocaribbean Version Test' };
    const id = (await new ReviewService(t.db).recordScreening(c, decisionFor(c, [hitOn(AERO, { queryName: c.name, score: 0.9 })]), 'svc')).cases[0]!.id;
    const noVersion = await request(app).post(`/v1/cases/${id}/decision`).set(as('officer')).send({ decision: 'confirm', reason: 'same airline' });
    assert.equal(noVersion.status, 409, noVersion.text);
    assert.equal(noVersion.body.code, 'KYC_ERR_CONFLICT');
    assert.match(noVersion.body.detail, /version you saw is required/);
    const assignNoVersion = await request(app).post(`/v1/cases/${id}/assign`).set(as('officer')).send({});
    assert.equal(assignNoVersion.status, 409);
    assert.equal(assignNoVersion.body.code, 'KYC_ERR_CONFLICT');
    // officer A assigns with If-Match; officer B, still looking at version 1, is refused
    const a = await request(app).post(`/v1/cases/${id}/assign`).set(as('officer')).set('If-Match', '"1"').send({});
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.version, 2);
    const b = await request(app).post(`/v1/cases/${id}/decision`).set(as('officer2')).set('If-Match', 'W/"1"').send({ decision: 'confirm', reason: 'same airline' });
    assert.equal(b.status, 409);
    assert.equal(b.body.code, 'KYC_ERR_CONFLICT');
    const disagree = await request(app).post(`/v1/cases/${id}/decision`).set(as('officer2')).set('If-Match', '"2"').send({ decision: 'confirm', reason: 'same airline', version: 1 });
    assert.equal(disagree.status, 409);
    const junk = await request(app).post(`/v1/cases/${id}/decision`).set(as('officer2')).set('If-Match', '*').send({ decision: 'confirm', reason: 'same airline' });
    assert.equal(junk.status, 409);
    const detail = await request(app).get(`/v1/cases/${id}`).set(as('officer'));
    assert.equal(detail.body.case.status, 'in_review');
    assert.equal(detail.body.case.version, 2);
    const ok = await request(app).post(`/v1/cases/${id}/decision`).set(as('officer2')).set('If-Match', '2').send({ decision: 'confirm', reason: 'same airline' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.status, 'confirmed');
    assert.equal(ok.headers.etag, '"3"');
  });

  test('GET /v1/audit streams NDJSON for a date range (admin)', async () => {
    const res = await request(app).get('/v1/audit').set(as('admin'));
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /application\/x-ndjson/);
    const lines = res.text.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; action: string });
    assert.ok(lines.some((l) => l.action === 'case.cleared'));
    assert.deepEqual(lines.map((l) => l.seq), lines.map((_, i) => i + 1));
    const empty = await request(app).get('/v1/audit?from=2001-01-01&to=2001-01-02').set(as('admin'));
    assert.equal(empty.text, '');
    const verify = await request(app).get('/v1/audit/verify').set(as('admin'));
    assert.equal(verify.body.ok, true);
  });
});
