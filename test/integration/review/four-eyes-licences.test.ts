// Four-eyes on real PostgreSQL with the real screening engine: licences only take effect with the second officer's
// clearance and only for the case's own entry; stale proposals are dropped; a raised level reopens; one audit row
// per screening under concurrent writers; no deadlock between recording and deciding.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config.js';
import { isKycError } from '../../../src/errors.js';
import { buildSnapshot, parseSourceFiles } from '../../../src/lists/index.js';
import type { Customer, Decision } from '../../../src/model/index.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { ScreeningEngine } from '../../../src/runtime/screening-engine.js';
import { verifyAudit } from '../../../src/store/services/audit-service.js';
import { ReviewService } from '../../../src/store/services/review-service.js';
import type { Db } from '../../../src/store/db.js';
import { createKeys, createTestDatabase, decisionFor, hitOn, LISTS_DIR, sdnRows, type Keys, type TestDatabase } from './helpers.js';

const rows = sdnRows('306', '36');
const BNC = rows.get('306')!;
const AERO = rows.get('36')!;

let t: TestDatabase;
let keys: Keys;
let svc: ReviewService;
let engine: ScreeningEngine;
const now = new Date('2026-11-01T10:00:00Z');
const LICENCE = { agency: 'OFAC', number: 'CU-2026-7781', scope: 'remittances under 31 CFR 515.570', expiresAt: '2027-06-01T00:00:00Z' };

const rejects = (code: string) => (err: unknown) => isKycError(err) && err.code === code;

async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}

/** What the middleware / rescreen do: screen with the customer's suppressions and licences from the store. */
async function screen(customer: Customer): Promise<Decision> {
  const [suppressions, licences] = await Promise.all([svc.suppressionsFor(customer.id), svc.licencesFor(customer.id)]);
  return engine.screen(customer, { now, suppressions, licences });
}

before(async () => {
  t = await createTestDatabase();
  keys = await createKeys(t.db);
  svc = new ReviewService(t.db, () => now);
  const sdn = readFileSync(path.join(LISTS_DIR, 'current-2026/SDN.CSV'));
  const parts = parseSourceFiles([{ name: 'SDN.CSV', bytes: new Uint8Array(sdn.buffer, sdn.byteOffset, sdn.byteLength), origin: 'test', retrievedAt: now.toISOString() }]);
  const config = loadConfig({ KYCGATE_LOG_LEVEL: 'silent' });
  engine = await ScreeningEngine.start(config, createLogger('silent'), { snapshot: buildSnapshot(parts, now) });
});
after(async () => {
  await t?.drop();
});

describe('licences and four-eyes', () => {
  test("a first officer's licence on a deny case relaxes nothing; the second officer's clearance makes it cited, for that entry only", async () => {
    const customer: Customer = { id: 'cust-lic-bnc', name: 'Banco Nacional de Cuba' };
    const d1 = await screen(customer);
    assert.equal(d1.outcome, 'deny', JSON.stringify(d1.reasons));
    assert.deepEqual([...new Set(d1.reasons.filter((r) => r.outcome === 'deny').map((r) => r.code))], ['LIST_MATCH']);
    const { cases } = await svc.recordScreening(customer, d1, 'test');
    const id = cases.find((c) => c.subject === 'SDN:306')!.id;
    assert.equal((await svc.getCase(id)).case.level, 'deny');
    const v1 = (await svc.getCase(id)).case.version;

    // a licence wider than the case, or with another decision, or without a decision, is refused
    await assert.rejects(svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'licensed', licence: { ...LICENCE, list: 'SDN', sourceId: '36' } }), rejects('KYC_ERR_INPUT_INVALID'));
    await assert.rejects(svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'licensed', licence: { ...LICENCE, codes: ['TIER3_HEADQUARTERS'] } }), rejects('KYC_ERR_INPUT_INVALID'));
    await assert.rejects(svc.decide(id, keys.officer.principal, { decision: 'confirm', reason: 'licensed', licence: LICENCE }), rejects('KYC_ERR_INPUT_INVALID'));
    await assert.rejects(svc.addLicence(id, keys.officer.principal, LICENCE), rejects('KYC_ERR_FOUR_EYES'));
    assert.equal((await svc.getCase(id)).case.version, v1, 'nothing changed');

    // one officer proposes the clearance with the licence: the next screening is still deny
    const proposed = await svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'OFAC specific licence', licence: LICENCE, version: v1 });
    assert.equal(proposed.status, 'in_review');
    assert.equal(proposed.proposal?.licence?.number, LICENCE.number);
    assert.deepEqual(await svc.licencesFor(customer.id), []);
    assert.equal(await count(t.db, 'SELECT count(*) AS n FROM licences WHERE case_id = $1', [id]), 0, 'a proposed licence is not recorded yet');
    const d2 = await screen(customer);
    assert.equal(d2.outcome, 'deny');
    assert.equal(d2.licences, undefined);
    await svc.recordScreening(customer, d2, 'test');
    assert.ok((await svc.getCase(id)).case.proposal, 'the same data: the proposal stands');

    // the second officer confirms: the licence is recorded, scoped to SDN:306 LIST_MATCH, and cited
    const cleared = await svc.decide(id, keys.officer2.principal, { decision: 'clear', reason: 'licence verified with OFAC' });
    assert.equal(cleared.status, 'cleared');
    const lic = await svc.licencesFor(customer.id);
    assert.equal(lic.length, 1);
    assert.deepEqual({ list: lic[0]!.list, sourceId: lic[0]!.sourceId, codes: lic[0]!.codes, number: lic[0]!.number, caseId: lic[0]!.caseId }, { list: 'SDN', sourceId: '306', codes: ['LIST_MATCH'], number: LICENCE.number, caseId: id });
    const { rows: stored } = await t.db.query<{ created_by: string }>('SELECT created_by FROM licences WHERE case_id = $1', [id]);
    assert.deepEqual(stored.map((r) => r.created_by), [keys.officer.principal.id], 'recorded as the proposing officer entered it');
    assert.deepEqual(await svc.suppressionsFor(customer.id), [], 'a licensed true match is not suppressed');
    const d3 = await screen(customer);
    assert.equal(d3.outcome, 'allow', JSON.stringify(d3.reasons));
    assert.deepEqual(d3.licences?.map((l) => [l.number, l.caseId]), [[LICENCE.number, id]]);
    const licensed = d3.reasons.find((r) => r.code === 'LIST_MATCH' && r.sourceId === '306');
    assert.equal((licensed?.licence as { number?: string } | undefined)?.number, LICENCE.number);

    // the licence covers that entry only: another deny reason of the same customer stays deny
    const withParent: Customer = { ...customer, parents: [{ name: 'Aerocaribbean Airlines', country: 'CU', ownership: 0.6 }] };
    const d4 = await screen(withParent);
    assert.ok(d4.reasons.some((r) => r.code === 'OWNED_BY_LISTED' && r.outcome === 'deny'), JSON.stringify(d4.reasons.map((r) => [r.code, r.outcome])));
    assert.equal(d4.outcome, 'deny');

    const audit = await t.db.query<{ action: string; actor: string }>(`SELECT action, actor FROM audit_log WHERE target = $1 ORDER BY seq`, [`case:${id}`]);
    assert.deepEqual(audit.rows.map((r) => r.action), ['case.opened', 'case.clear_proposed', 'case.cleared', 'licence.recorded']);
    assert.equal(audit.rows.at(-1)!.actor, keys.officer2.principal.id, 'the licence takes effect by the second officer');
  });

  test('a licence on a review-level case relaxes nothing; when the case is raised to deny it reopens (level_raised)', async () => {
    const c: Customer = { id: 'cust-lic-aero', name: 'Aero Caribbean Air' };
    const id = (await svc.recordScreening(c, decisionFor(c, [hitOn(AERO, { queryName: c.name, score: 0.88 })]), 'test')).cases[0]!.id;
    await svc.addLicence(id, keys.officer.principal, { agency: 'OFAC', number: 'CU-2026-0001', expiresAt: '2027-01-01T00:00:00Z' });
    const cleared = await svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'licensed charter operator' });
    assert.equal(cleared.status, 'cleared', 'one officer clears a review-level case');
    assert.deepEqual(await svc.licencesFor(c.id), [], 'one officer cannot authorize a deny');

    const raised = await svc.recordScreening(c, decisionFor(c, [hitOn(AERO, { queryName: c.name, score: 0.97 })]), 'test');
    assert.deepEqual(raised.cases.map((x) => [x.id, x.status]), [[id, 'open']]);
    const detail = await svc.getCase(id);
    assert.equal(detail.case.level, 'deny');
    assert.deepEqual(detail.events.at(-1)?.detail, { screeningId: detail.case.screeningId, cause: 'level_raised' });
    await svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'charter licence covers it' });
    assert.deepEqual(await svc.licencesFor(c.id), []);
    await svc.decide(id, keys.senior_officer.principal, { decision: 'clear', reason: 'agreed' });
    assert.deepEqual((await svc.licencesFor(c.id)).map((l) => l.number), ['CU-2026-0001'], 'two officers cleared the case the licence is on');
  });
});

describe('stale proposals', () => {
  test("a pending clearance is dropped when the customer's data changes; the next clear is a new proposal", async () => {
    const c: Customer = { id: 'cust-stale-1', name: 'Banco Nacional Cuba' };
    const hit = hitOn(BNC, { queryName: c.name, score: 0.96 });
    const id = (await svc.recordScreening(c, decisionFor(c, [hit]), 'test')).cases[0]!.id;
    await svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'different bank (Madrid registry)', licence: LICENCE });
    const moved = { ...c, address: { city: 'Havana', country: 'CU' } };
    await svc.recordScreening(moved, decisionFor(moved, [hit]), 'test');
    const detail = await svc.getCase(id);
    assert.equal(detail.case.proposal, null);
    assert.equal(detail.case.status, 'in_review');
    assert.equal(detail.events.at(-1)?.action, 'case.proposal_dropped');
    assert.deepEqual(detail.events.at(-1)?.detail, { screeningId: detail.case.screeningId, cause: 'customer_changed', proposedBy: keys.officer.principal.id });
    assert.ok(detail.audit.some((a) => a.action === 'case.proposal_dropped'));
    const next = await svc.decide(id, keys.officer2.principal, { decision: 'clear', reason: 'still a different bank' });
    assert.equal(next.status, 'in_review', 'a second officer now only proposes');
    assert.equal(next.proposal?.by, keys.officer2.principal.id);
    assert.equal(next.proposal?.licence, undefined, 'the dropped licence went with its proposal');
    const done = await svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'agreed on the new data' });
    assert.equal(done.status, 'cleared');
    assert.deepEqual(await svc.licencesFor(c.id), []);
  });

  test('…and when the matched list entry changes', async () => {
    const c: Customer = { id: 'cust-stale-2', name: 'Banco Nacional de Cuba Sucursal' };
    const hit = { ...hitOn(BNC, { queryName: c.name, score: 0.97 }), entryHash: 'entry-v1' };
    const id = (await svc.recordScreening(c, decisionFor(c, [hit]), 'test')).cases[0]!.id;
    await svc.decide(id, keys.officer.principal, { decision: 'clear', reason: 'not the bank' });
    await svc.recordScreening(c, decisionFor(c, [hit]), 'test');
    assert.ok((await svc.getCase(id)).case.proposal, 'nothing changed: the proposal stands');
    await svc.recordScreening(c, decisionFor(c, [{ ...hit, entryHash: 'entry-v2', programs: [...hit.programs, 'SDGT'] }]), 'test');
    const detail = await svc.getCase(id);
    assert.equal(detail.case.proposal, null);
    assert.equal((detail.events.at(-1)?.detail as { cause: string }).cause, 'entry_changed');
    const again = await svc.decide(id, keys.officer2.principal, { decision: 'clear', reason: 'still not the bank' });
    assert.equal(again.status, 'in_review');
  });
});

describe('concurrent writers', () => {
  test('the same screening recorded concurrently: one screening.recorded audit row, one case.opened, chain intact', async () => {
    for (const existing of [true, false]) {
      for (let round = 0; round < 4; round++) {
        const c: Customer = { id: `cust-dup-${existing}-${round}`, name: 'Banco Nacional de Cuba' };
        if (existing) await svc.recordScreening(c, decisionFor(c, []), 'test');
        const d = decisionFor(c, [hitOn(BNC, { queryName: c.name, score: 0.97 })]);
        const results = await Promise.all(Array.from({ length: 4 }, () => svc.recordScreening(c, d, 'test')));
        assert.equal(new Set(results.map((r) => r.cases[0]?.id)).size, 1, 'every writer reports the same case');
        assert.equal(await count(t.db, `SELECT count(*) AS n FROM audit_log WHERE action = 'screening.recorded' AND target = $1`, [`screening:${d.screeningId}`]), 1);
        assert.equal(await count(t.db, 'SELECT count(*) AS n FROM screenings WHERE screening_id = $1', [d.screeningId]), 1);
        assert.equal(await count(t.db, `SELECT count(*) AS n FROM case_events WHERE case_id = $1`, [results[0]!.cases[0]!.id]), 1);
        assert.equal(await count(t.db, `SELECT count(*) AS n FROM audit_log WHERE action = 'case.opened' AND target = $1`, [`case:${results[0]!.cases[0]!.id}`]), 1);
      }
    }
    const v = await verifyAudit(t.db);
    assert.equal(v.ok, true, JSON.stringify(v.broken));
  });

  test('recording a screening and deciding one of its cases at once never deadlocks (case rows before the audit lock)', async () => {
    for (let round = 0; round < 15; round++) {
      const c: Customer = { id: `cust-lock-${round}`, name: 'Aerocaribbean Banco' };
      // the existing case is on SDN:36; the next screening opens SDN:306 first (key order) and then touches SDN:36
      const existing = (await svc.recordScreening(c, decisionFor(c, [hitOn(AERO, { queryName: c.name, score: 0.9 })]), 'test')).cases[0]!.id;
      const next = decisionFor(c, [hitOn(BNC, { queryName: c.name, score: 0.9 }), hitOn(AERO, { queryName: c.name, score: 0.91 })]);
      const results = await Promise.allSettled([
        svc.recordScreening(c, next, 'test'),
        svc.decide(existing, keys.officer.principal, { decision: 'escalate', reason: 'needs a senior look' }),
        svc.assign(existing, keys.officer2.principal),
      ]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as { code?: string; message?: string });
      assert.ok(
        failed.every((e) => e.code === 'KYC_ERR_CONFLICT' || e.code === 'KYC_ERR_INVALID_TRANSITION'),
        `only business conflicts, no deadlock (40P01): ${failed.map((e) => `${e.code} ${e.message}`).join('; ')}`,
      );
      assert.equal(results[0]!.status, 'fulfilled');
    }
    const v = await verifyAudit(t.db);
    assert.equal(v.ok, true, JSON.stringify(v.broken));
  });
});
