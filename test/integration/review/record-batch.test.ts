// ReviewService.recordScreenings on real PostgreSQL: one transaction per batch, same rows and audit entries as one by one, chain intact.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyAudit } from '../../../src/store/services/audit-service.js';
import { backfillNameTokens } from '../../../src/store/repos/name-tokens-repo.js';
import { ReviewService } from '../../../src/store/services/review-service.js';
import { readAudit } from '../../../src/store/repos/audit-repo.js';
import { createTestDatabase, decisionFor, hitOn, sdnRows, type TestDatabase } from './helpers.js';

let t: TestDatabase;
const BNC = sdnRows('306').get('306')!;

before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t?.drop();
});

async function auditRows() {
  const rows = [];
  for await (const r of readAudit(t.db)) rows.push(r);
  return rows;
}

describe('recordScreenings', () => {
  test('stores every screening with its own audit row, like recordScreening, and keeps the chain intact', async () => {
    const svc = new ReviewService(t.db);
    const one = { id: 'batch-one', name: 'Northwind Compute Ltd', country: 'GB' };
    // recorded one by one first, then changed in the batch: the batch's audit row names the previous fingerprint
    await svc.recordScreening(one, decisionFor(one, []), 'svc');
    const changed = { ...one, name: 'Northwind Compute Holdings Ltd' };
    const twice = { id: 'batch-twice', name: 'Blue River Labs', country: 'US' };
    const twiceChanged = { ...twice, country: 'DE' };
    const listed = { id: 'batch-listed', name: 'Banco Nacional de Cuba' };
    const items = [
      { customer: changed, decision: decisionFor(changed, []), actor: 'svc' },
      { customer: twice, decision: decisionFor(twice, []), actor: 'svc' },
      { customer: listed, decision: decisionFor(listed, [hitOn(BNC, { queryName: listed.name, score: 0.9 })]), actor: 'svc' },
      { customer: twiceChanged, decision: decisionFor(twiceChanged, []), actor: 'svc' },
    ];
    const beforeRows = (await auditRows()).length;
    assert.deepEqual(await svc.recordScreenings(items), { recorded: 4 });
    // idempotent: a retried batch (and a repeated id inside one) stores nothing twice
    assert.deepEqual(await svc.recordScreenings([...items, items[0]!]), { recorded: 0 });

    const { rows: screenings } = await t.db.query<{ screening_id: string; outcome: string; decision: { screeningId: string } }>(
      'SELECT screening_id, outcome, decision FROM screenings WHERE customer_id LIKE $1',
      ['batch-%'],
    );
    assert.equal(screenings.length, 5);
    for (const it of items) assert.ok(screenings.some((s) => s.screening_id === it.decision.screeningId && s.decision.screeningId === it.decision.screeningId));

    const { rows: customers } = await t.db.query<{ id: string; data: { name: string; country?: string }; last_screening_id: string; name_tokens_version: number | null }>(
      'SELECT id, data, last_screening_id, name_tokens_version FROM customers WHERE id = ANY($1::text[]) ORDER BY id',
      [['batch-one', 'batch-twice']],
    );
    assert.equal(customers[0]!.data.name, 'Northwind Compute Holdings Ltd');
    assert.equal(customers[1]!.data.country, 'DE', 'the later screening of the batch wins');
    assert.equal(customers[1]!.last_screening_id, items[3]!.decision.screeningId);
    // new customers are left for the delta planner to file in bulk (off the request path)
    assert.ok(customers.every((c) => c.name_tokens_version === null), 'new customers are not filed on the write path');
    assert.ok((await backfillNameTokens(t.db)) >= 2);
    const { rows: tokens } = await t.db.query<{ token: string }>('SELECT token FROM customer_name_tokens WHERE customer_id = $1', ['batch-one']);
    assert.ok(tokens.some((r) => r.token === 'holdings'));

    // the listed customer took the full path: its case is open
    const { rows: cases } = await t.db.query<{ status: string }>('SELECT status FROM cases WHERE customer_id = $1', ['batch-listed']);
    assert.deepEqual(cases.map((c) => c.status), ['open']);

    const rows = (await auditRows()).slice(beforeRows);
    const recorded = rows.filter((r) => r.action === 'screening.recorded');
    assert.equal(recorded.length, 4);
    for (const it of items) assert.ok(recorded.some((r) => r.target === `screening:${it.decision.screeningId}`));
    const rowOf = (id: string) => recorded.find((r) => r.target === `screening:${id}`)!;
    assert.ok((rowOf(items[0]!.decision.screeningId).before as { fingerprint?: string } | null)?.fingerprint, 'a changed customer names its previous fingerprint');
    assert.equal(rowOf(items[1]!.decision.screeningId).before, null, 'a new customer has no previous fingerprint');
    assert.ok((rowOf(items[3]!.decision.screeningId).before as { fingerprint?: string } | null)?.fingerprint, 'the second screening of a customer in a batch names the first one’s');
    const after0 = rowOf(items[0]!.decision.screeningId).after as Record<string, unknown>;
    assert.deepEqual(Object.keys(after0).sort(), ['cases', 'customerId', 'decisionSha256', 'fingerprint', 'lists', 'outcome', 'policy', 'policyVersion']);
    assert.ok(rows.some((r) => r.action === 'case.opened'));
    assert.deepEqual(await verifyAudit(t.db), { ok: true, rows: beforeRows + rows.length });
  });

  test('concurrent batches and single writes keep one unbroken chain', async () => {
    const svc = new ReviewService(t.db);
    const batch = (k: number) =>
      Array.from({ length: 40 }, (_, i) => {
        const c = { id: `conc-${i % 25}`, name: `Concurrent Co ${i % 25} ${k}` };
        return { customer: c, decision: decisionFor(c, []), actor: 'svc' };
      });
    const singles = Array.from({ length: 5 }, (_, i) => {
      const c = { id: `conc-${i}`, name: `Banco Nacional de Cuba ${i}` };
      return svc.recordScreening(c, decisionFor(c, [hitOn(BNC, { queryName: c.name, score: 0.9 })]), 'svc');
    });
    const results = await Promise.all([svc.recordScreenings(batch(1)), svc.recordScreenings(batch(2)), ...singles]);
    assert.equal((results[0] as { recorded: number }).recorded + (results[1] as { recorded: number }).recorded, 80);
    const v = await verifyAudit(t.db);
    assert.equal(v.ok, true, JSON.stringify(v.broken));
  });

  test('a filed customer stays filed while its identity is unchanged; a changed identity is unfiled until the next backfill', async () => {
    const svc = new ReviewService(t.db);
    const c = { id: 'filing-1', name: 'Cedar Orbit Analytics GmbH', country: 'DE' };
    const version = async () => (await t.db.query<{ v: number | null }>('SELECT name_tokens_version AS v FROM customers WHERE id = $1', [c.id])).rows[0]!.v;
    const tokens = async () => (await t.db.query<{ token: string }>('SELECT token FROM customer_name_tokens WHERE customer_id = $1 ORDER BY token', [c.id])).rows.map((r) => r.token);
    await svc.recordScreenings([{ customer: c, decision: decisionFor(c, []), actor: 'svc' }]);
    assert.equal(await version(), null);
    await backfillNameTokens(t.db);
    assert.notEqual(await version(), null);
    assert.ok((await tokens()).includes('cedar'));
    await svc.recordScreenings([{ customer: c, decision: decisionFor(c, []), actor: 'svc' }]);
    assert.notEqual(await version(), null, 'same identity: still filed');
    const renamed = { ...c, name: 'Juniper Kestrel Robotics GmbH' };
    await svc.recordScreening(renamed, decisionFor(renamed, []), 'svc');
    assert.equal(await version(), null, 'changed identity (single write): unfiled');
    await backfillNameTokens(t.db);
    const now = await tokens();
    assert.ok(now.includes('juniper') && !now.includes('cedar'), JSON.stringify(now));
  });
});
