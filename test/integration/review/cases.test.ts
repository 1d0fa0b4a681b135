// Cases on real PostgreSQL: dedupe, four-eyes, concurrency (409), suppressions, licences, reopen, crash-in-transaction.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isKycError } from '../../../src/errors.js';
import type { Customer } from '../../../src/model/index.js';
import { ReviewService } from '../../../src/store/services/review-service.js';
import { verifyAudit } from '../../../src/store/services/audit-service.js';
import type { Db } from '../../../src/store/db.js';
import { createKeys, createTestDatabase, decisionFor, hitOn, sdnRows, type Keys, type TestDatabase } from './helpers.js';

// SDN.CSV (current-2026):
// 306,"BANCO NACIONAL DE CUBA","-0- ","CUBA",…,"a.k.a. 'BNC'."
// 36,"AEROCARIBBEAN AIRLINES","-0- ","CUBA",…
const rows = sdnRows('306', '36');
const BNC = rows.get('306')!;
const AERO = rows.get('36')!;

let t: TestDatabase;
let keys: Keys;
let now = new Date('2026-11-01T10:00:00Z');
let svc: ReviewService;
let counter = 0;
const customer = (name: string, extra: Partial<Customer> = {}): Customer => ({ id: `cust-${++counter}`, name, country: 'ES', ...extra });

async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}

const rejects = (code: string) => (err: unknown) => isKycError(err) && err.code === code;

before(async () => {
  assert.ok(BNC && AERO, 'real SDN rows 306 and 36 present');
  t = await createTestDatabase();
  keys = await createKeys(t.db);
  svc = new ReviewService(t.db, () => now);
});
after(async () => {
  await t?.drop();
});

describe('opening cases', () => {
  test('review and deny open one case per customer and entry; allow opens none; screenings are idempotent', async () => {
    const c = customer('Banco Nacional de Cuba SA');
    const d1 = decisionFor(c, [hitOn(BNC, { queryName: c.name, score: 0.97 }), hitOn(AERO, { queryName: c.name, score: 0.86 })]);
    const r1 = await svc.recordScreening(c, d1, 'test');
    assert.deepEqual(r1.cases.map((x) => x.subject).sort(), ['SDN:306', 'SDN:36']);
    const r2 = await svc.recordScreening(c, decisionFor(c, [hitOn(BNC, { queryName: c.name, score: 0.97 })]), 'test');
    assert.equal(r2.cases[0]!.id, r1.cases.find((x) => x.subject === 'SDN:306')!.id, 'same customer + entry → same case');
    const again = await svc.recordScreening(c, d1, 'test');
    assert.deepEqual(again.cases.map((x) => x.id).sort(), r1.cases.map((x) => x.id).sort());
    assert.equal(await count(t.db, 'SELECT count(*) AS n FROM screenings WHERE customer_id = $1', [c.id]), 2);
    const allow = customer('Harmless Widgets Ltd');
    assert.deepEqual((await svc.recordScreening(allow, decisionFor(allow, []), 'test')).cases, []);
    assert.equal((await svc.getScreening(d1.screeningId))?.hits.length, 2, 'full evidence is kept');
  });

  test('non-list reasons open one case per customer and reason code', async () => {
    const c = customer('Example Compute Pte Ltd', { country: 'CN' });
    const reasons = [{ code: 'TIER3_HEADQUARTERS' as const, subject: 'customer', outcome: 'review' as const, detail: 'HQ in CN (D:5)' }];
    const r = await svc.recordScreening(c, decisionFor(c, [], { reasons }), 'svc');
    assert.deepEqual(r.cases.map((x) => x.subject), ['TIER3_HEADQUARTERS']);
    const r2 = await svc.recordScreening(c, decisionFor(c, [], { reasons }), 'svc');
    assert.equal(r2.cases[0]!.id, r.cases[0]!.id);
  });
});

describe('officer decisions', () => {
  test('four-eyes: a deny-level clearance needs a second, different officer', async () => {
    const c = customer('Banco Nacional Cuba');
    const { cases } = await svc.recordScreening(c, decisionFor(c, [hitOn(BNC, { queryName: c.name, score: 0.96 })]), 'test');
    const id = cases[0]!.id;
    const proposed = await svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'different bank: Spanish registry number differs' });
    assert.equal(proposed.status, 'in_review');
    assert.equal(proposed.proposal?.by, keys.officer.principal.id);
    await assert.rejects(svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'me again' }), rejects('KYC_ERR_FOUR_EYES'));
    await assert.rejects(svc.decide(id, keys.service.principal, { decision: 'clear', reason: 'the service' }), rejects('KYC_ERR_FORBIDDEN'));
    const cleared = await svc.decide(id, keys.officer2.principal, { decision: 'clear', reason: 'agree: registry and address differ' });
    assert.equal(cleared.status, 'cleared');
    assert.equal(cleared.decidedBy, keys.officer2.principal.id);
    await assert.rejects(svc.decide(id, keys.officer.principal, { decision: 'confirm', reason: 'too late' }), rejects('KYC_ERR_INVALID_TRANSITION'));
    const detail = await svc.getCase(id);
    assert.deepEqual(detail.events.map((e) => e.action), ['case.opened', 'case.clear_proposed', 'case.cleared']);
  });

  test('a review-level clearance takes one officer; escalated cases need a senior officer', async () => {
    const c = customer('Aero Caribbean Air');
    const { cases } = await svc.recordScreening(c, decisionFor(c, [hitOn(AERO, { queryName: c.name, score: 0.88 })]), 'test');
    const id = cases[0]!.id;
    await svc.decide(id, keys.officer.principal, { decision: 'escalate', reason: 'unsure about the airline' });
    await assert.rejects(svc.decide(id, keys.officer2.principal, { decision: 'clear', reason: 'looks fine' }), rejects('KYC_ERR_FORBIDDEN'));
    const done = await svc.decide(id, keys.senior_officer.principal, { decision: 'confirm', reason: 'same airline, CUBA program' });
    assert.equal(done.status, 'confirmed');
  });

  test('two officers deciding the same case at once: one wins, the other gets 409', async () => {
    const c = customer('Banco Nacional de Cuba');
    const { cases } = await svc.recordScreening(c, decisionFor(c, [hitOn(BNC, { queryName: c.name, score: 0.99 })]), 'test');
    const id = cases[0]!.id;
    for (const withVersion of [false, true]) {
      const c2 = customer(`Banco Nacional de Cuba ${withVersion}`);
      const id2 = withVersion ? (await svc.recordScreening(c2, decisionFor(c2, [hitOn(BNC, { queryName: c2.name, score: 0.99 })]), 'test')).cases[0]!.id : id;
      const results = await Promise.allSettled([
        svc.decide(id2, keys.officer.principal, { decision: 'confirm', reason: 'true match', version: withVersion ? 1 : undefined }),
        // without a version the loser meets the winner's state (confirmed: 409 invalid transition); with one, a 409 conflict
        svc.decide(id2, keys.officer2.principal, { decision: withVersion ? 'escalate' : 'confirm', reason: 'needs a senior look', version: withVersion ? 1 : undefined }),
      ]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(ok.length, 1, `exactly one wins (version: ${withVersion})`);
      assert.equal(failed.length, 1);
      assert.ok(isKycError(failed[0]!.reason) && failed[0]!.reason.status === 409, String(failed[0]!.reason));
      assert.equal(await count(t.db, `SELECT count(*) AS n FROM case_events WHERE case_id = $1 AND actor <> 'system'`, [id2]), 1);
    }
  });

  test('a crash between the decision write and the audit write leaves neither (one transaction)', async () => {
    const c = customer('Aerocaribbean Airlines SA');
    const { cases } = await svc.recordScreening(c, decisionFor(c, [hitOn(AERO, { queryName: c.name, score: 0.9 })]), 'test');
    const id = cases[0]!.id;
    const auditBefore = await count(t.db, 'SELECT count(*) AS n FROM audit_log');
    // a Db whose transactions die on the audit insert, i.e. after the case row was already updated
    const failing: Db = {
      ...t.db,
      kind: t.db.kind,
      query: t.db.query.bind(t.db),
      exec: t.db.exec.bind(t.db),
      close: async () => {},
      transaction: (fn) =>
        t.db.transaction((tx) =>
          fn({
            ...tx,
            kind: tx.kind,
            exec: tx.exec.bind(tx),
            close: tx.close.bind(tx),
            transaction: (inner) => inner(tx),
            async query(sql, params) {
              if (/INSERT INTO audit_log/.test(sql)) throw new Error('simulated crash before the audit write');
              return tx.query(sql, params);
            },
          } as Db),
        ),
    };
    const crashing = new ReviewService(failing, () => now);
    await assert.rejects(crashing.decide(id, keys.officer.principal, { decision: 'clear', reason: 'false positive' }), /simulated crash/);
    const after = await svc.getCase(id);
    assert.equal(after.case.status, 'open');
    assert.equal(after.case.version, 1);
    assert.deepEqual(after.events.map((e) => e.action), ['case.opened']);
    assert.equal(await count(t.db, 'SELECT count(*) AS n FROM audit_log'), auditBefore);
    assert.equal(await count(t.db, 'SELECT count(*) AS n FROM suppressions WHERE case_id = $1', [id]), 0);
  });
});

describe('suppressions', () => {
  test('a cleared pair is suppressed until the list entry changes', async () => {
    const c = customer('Aerocaribbean Travel');
    const hit = hitOn(AERO, { queryName: c.name, score: 0.87 });
    const { cases } = await svc.recordScreening(c, decisionFor(c, [hit]), 'test');
    const id = cases[0]!.id;
    await svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'a travel agency in Madrid, not the airline' });
    const sup = await svc.suppressionsFor(c.id);
    assert.equal(sup.length, 1);
    assert.deepEqual({ list: sup[0]!.list, sourceId: sup[0]!.sourceId, caseId: sup[0]!.caseId }, { list: 'SDN', sourceId: '36', caseId: id });

    // next screening: screening marks the hit suppressed; nothing reopens
    const same = await svc.recordScreening(c, decisionFor(c, [{ ...hit, suppressed: { caseId: id, since: sup[0]!.since } }]), 'test');
    assert.deepEqual(same.cases, []);
    assert.equal((await svc.getCase(id)).case.status, 'cleared');

    // the entry changes (OFAC adds a program): the suppression lifts and the case reopens
    const changed = { ...hit, programs: [...hit.programs, 'SDGT'], suppressed: { caseId: id, since: sup[0]!.since } };
    const r = await svc.recordScreening(c, decisionFor(c, [changed], { outcome: 'allow' }), 'test');
    assert.deepEqual(r.cases.map((x) => [x.id, x.status]), [[id, 'open']]);
    assert.deepEqual(await svc.suppressionsFor(c.id), []);
    const detail = await svc.getCase(id);
    assert.equal(detail.events.at(-1)?.action, 'case.reopened');
    assert.deepEqual(detail.events.at(-1)?.detail, { screeningId: detail.case.screeningId, cause: 'entry_changed' });
  });

  test('…and until the customer changes', async () => {
    const c = customer('Aerocaribbean Tours');
    const hit = hitOn(AERO, { queryName: c.name, score: 0.86 });
    const id = (await svc.recordScreening(c, decisionFor(c, [hit]), 'test')).cases[0]!.id;
    await svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'tour operator, different entity' });
    assert.equal((await svc.suppressionsFor(c.id)).length, 1);
    const moved = { ...c, address: { city: 'Havana', country: 'CU' } };
    const r = await svc.recordScreening(moved, decisionFor(moved, [hit]), 'test');
    assert.deepEqual(r.cases.map((x) => x.status), ['open']);
    assert.deepEqual(await svc.suppressionsFor(c.id), []);
    assert.equal((await svc.getCase(id)).events.at(-1)?.detail && ((await svc.getCase(id)).events.at(-1)!.detail as { cause: string }).cause, 'customer_changed');
  });
  test('suppressions carry the fingerprint and entry hash screening sent, so screening can compare them', async () => {
    const c = customer('Aerocaribbean Logistics');
    const hit = { ...hitOn(AERO, { queryName: c.name, score: 0.86 }), entryHash: 'h3-entry-hash-1' };
    const d = { ...decisionFor(c, [hit]), customerFingerprint: 'h3-fingerprint-1' };
    const id = (await svc.recordScreening(c, d, 'test')).cases[0]!.id;
    await svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'logistics firm, not the airline' });
    const [s] = await svc.suppressionsFor(c.id);
    assert.deepEqual({ entryHash: s?.entryHash, customerFingerprint: s?.customerFingerprint }, { entryHash: 'h3-entry-hash-1', customerFingerprint: 'h3-fingerprint-1' });
    // screening reports the entry with a new hash: lifted, reopened
    const next = { ...decisionFor(c, [{ ...hit, entryHash: 'h3-entry-hash-2' }]), customerFingerprint: 'h3-fingerprint-1' };
    assert.deepEqual((await svc.recordScreening(c, next, 'test')).cases.map((x) => x.status), ['open']);
    assert.deepEqual(await svc.suppressionsFor(c.id), []);
  });
});

describe('licences', () => {
  test('a licence is cited until it expires; then the case reopens on the next read', async () => {
    const c = customer('Banco Nacional de Cuba Madrid');
    const id = (await svc.recordScreening(c, decisionFor(c, [hitOn(BNC, { queryName: c.name, score: 0.97 })]), 'test')).cases[0]!.id;
    const licence = { agency: 'OFAC', number: 'CU-2026-1234', scope: 'remittances under 31 CFR 515.570', expiresAt: '2026-12-01T00:00:00Z' };
    await svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'licensed', licence });
    await svc.decide(id, keys.senior_officer.principal, { decision: 'clear', reason: 'licence checked with OFAC' });
    assert.equal((await svc.getCase(id)).case.status, 'cleared');
    assert.deepEqual(await svc.suppressionsFor(c.id), [], 'a licensed true match is not a false positive');
    const lic = await svc.licencesFor(c.id);
    assert.equal(lic.length, 1);
    assert.deepEqual({ agency: lic[0]!.agency, number: lic[0]!.number, list: lic[0]!.list, sourceId: lic[0]!.sourceId, caseId: lic[0]!.caseId }, { agency: 'OFAC', number: 'CU-2026-1234', list: 'SDN', sourceId: '306', caseId: id });
    now = new Date('2026-12-01T00:00:01Z');
    try {
      assert.deepEqual(await svc.licencesFor(c.id), []);
      const detail = await svc.getCase(id);
      assert.equal(detail.case.status, 'open');
      assert.deepEqual(detail.events.at(-1)?.detail, { cause: 'licence_expired' });
      assert.ok(detail.licences[0]!.lapsedAt);
    } finally {
      now = new Date('2026-11-01T10:00:00Z');
    }
  });
});

test('every change above is in an intact audit chain', async () => {
  const v = await verifyAudit(t.db);
  assert.equal(v.ok, true, JSON.stringify(v.broken));
  assert.ok(v.rows > 20);
  const { rows } = await t.db.query<{ action: string }>('SELECT DISTINCT action FROM audit_log ORDER BY action');
  for (const a of ['case.cleared', 'case.clear_proposed', 'case.opened', 'case.reopened', 'licence.expired', 'licence.recorded', 'screening.recorded', 'suppression.created', 'suppression.lifted']) {
    assert.ok(rows.some((r) => r.action === a), `audit has ${a}`);
  }
});
