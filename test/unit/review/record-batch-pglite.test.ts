// ReviewService.recordScreenings on embedded PGlite (the quick-start store): multi-row statements work there too, chain intact.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { verifyAudit } from '../../../src/store/services/audit-service.js';
import { ReviewService } from '../../../src/store/services/review-service.js';
import type { Db } from '../../../src/store/db.js';
import { runMigrations } from '../../../src/store/migrate.js';
import { openPglite } from '../../../src/store/pglite-db.js';
import type { Decision } from '../../../src/model/index.js';

let db: Db;
before(async () => {
  db = await openPglite();
  await runMigrations(db);
});
after(async () => {
  await db?.close();
});

const allow = (id: string, screeningId: string): Decision => ({
  id,
  outcome: 'allow',
  screeningId,
  hits: [],
  reasons: [],
  lists: { version: 'snap-test', sources: { SDN: '2026-06-02' } },
  policy: 'us-export-2026',
  decidedAt: '2026-11-20T00:00:00.000Z',
});

test('a batch of allows is stored with one audit row each; a retry stores nothing twice', async () => {
  const svc = new ReviewService(db, () => new Date('2026-11-20T00:00:01Z'));
  const items = Array.from({ length: 30 }, (_, i) => {
    const customer = { id: `pgl-${i % 20}`, name: `Quick "Start" \\ Co ${i}`, country: 'US' };
    return { customer, decision: allow(customer.id, `scr-pgl-${i}`), actor: 'svc' };
  });
  assert.deepEqual(await svc.recordScreenings(items), { recorded: 30 });
  assert.deepEqual(await svc.recordScreenings(items), { recorded: 0 });
  const { rows } = await db.query<{ n: unknown }>('SELECT count(*) AS n FROM screenings');
  assert.equal(Number(rows[0]!.n), 30);
  const { rows: c } = await db.query<{ data: { name: string } }>('SELECT data FROM customers WHERE id = $1', ['pgl-5']);
  assert.equal(c[0]!.data.name, 'Quick "Start" \\ Co 25', 'the later screening of the batch wins; quotes and backslashes survive');
  assert.deepEqual(await verifyAudit(db), { ok: true, rows: 30 });
});
