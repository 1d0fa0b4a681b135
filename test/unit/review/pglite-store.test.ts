// The same SQL migrations and review flow on embedded PGlite (the quick-start database).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createApiKey, principalForKey } from '../../../src/store/services/api-keys.js';
import { verifyAudit } from '../../../src/store/services/audit-service.js';
import { ReviewService } from '../../../src/store/services/review-service.js';
import type { Db } from '../../../src/store/db.js';
import { runMigrations } from '../../../src/store/migrate.js';
import { openPglite } from '../../../src/store/pglite-db.js';

let db: Db;
before(async () => {
  db = await openPglite();
});
after(async () => {
  await db?.close();
});

test('migrations apply on PGlite, once', async () => {
  const files = readdirSync(new URL('../../../src/store/migrations/', import.meta.url)).filter((f) => f.endsWith('.sql')).sort();
  assert.ok(files.length >= 1);
  assert.deepEqual(await runMigrations(db), files);
  assert.deepEqual(await runMigrations(db), []);
  const { rows } = await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
  const tables = new Set(rows.map((r) => r.table_name));
  for (const t of ['api_keys', 'audit_log', 'case_events', 'cases', 'customers', 'licences', 'principals', 'schema_migrations', 'screenings', 'suppressions', 'customer_name_tokens']) {
    assert.ok(tables.has(t), `table ${t} missing on PGlite`);
  }
});

test('record → four-eyes clear → suppression → intact chain; the append-only trigger holds', async () => {
  const svc = new ReviewService(db, () => new Date('2026-11-01T00:00:00Z'));
  const a = await createApiKey(db, { role: 'officer', name: 'ann' }, new Date());
  const b = await createApiKey(db, { role: 'senior_officer', name: 'bea' }, new Date());
  assert.equal((await principalForKey(db, a.key))?.name, 'ann');
  const c = { id: 'c1', name: 'Banco Nacional de Cuba' };
  const hit = { subject: 'customer', list: 'SDN' as const, sourceId: '306', primaryName: 'BANCO NACIONAL DE CUBA', matchedName: 'BANCO NACIONAL DE CUBA', queryName: c.name, score: 0.99, entityType: 'organization' as const, programs: ['CUBA'], features: { tokens: 1 }, pieces: [] };
  const d = { id: 'c1', outcome: 'deny' as const, screeningId: 's1', hits: [hit], reasons: [{ code: 'LIST_MATCH' as const, subject: 'customer', outcome: 'deny' as const, detail: '' }], lists: { version: 'v', sources: {} }, policy: 'p', decidedAt: '2026-11-01T00:00:00Z' };
  const id = (await svc.recordScreening(c, d, 'svc')).cases[0]!.id;
  assert.equal((await svc.decide(id, a.principal, { decision: 'clear', reason: 'other bank' })).status, 'in_review');
  assert.equal((await svc.decide(id, b.principal, { decision: 'clear', reason: 'agreed' })).status, 'cleared');
  assert.equal((await svc.suppressionsFor('c1')).length, 1);
  assert.deepEqual(await verifyAudit(db).then((v) => v.ok), true);
  await assert.rejects(db.query('DELETE FROM audit_log'), /append-only/);
});
