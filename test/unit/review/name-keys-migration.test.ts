// A change of the name-token key scheme re-files stored customers: migration 003 resets older versions (PGlite).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NAME_KEYS_VERSION } from '../../../src/match/blocking-keys.js';
import type { Db } from '../../../src/store/db.js';
import { readMigrations, runMigrations } from '../../../src/store/migrate.js';
import { openPglite } from '../../../src/store/pglite-db.js';
import { backfillNameTokens } from '../../../src/store/repos/name-tokens-repo.js';

let db: Db;
before(async () => {
  db = await openPglite();
});
after(async () => {
  await db?.close();
});

test('NAME_KEYS_VERSION has a migration that resets customers filed under older schemes', async () => {
  const resets = (await readMigrations()).flatMap((m) => [...m.sql.matchAll(/name_tokens_version = NULL WHERE name_tokens_version < (\d+)/g)].map((x) => Number(x[1])));
  assert.equal(Math.max(...resets), NAME_KEYS_VERSION, 'bumping NAME_KEYS_VERSION needs a migration resetting older name_tokens_version');
});

test('customers indexed under scheme 1 are re-filed by the next backfill after migration 003', async () => {
  const files = await readMigrations();
  const upTo002 = files.filter((f) => f.name < '003');
  await runMigrations(db, upTo002);
  await db.query(
    `INSERT INTO customers (id, data, fingerprint, first_seen, last_screened, last_screening_id, name_tokens_version) VALUES
       ('old-1', '{"id":"old-1","name":"Rosneft Trading SA"}', 'f1', now(), now(), 's1', 1),
       ('cur-1', '{"id":"cur-1","name":"Acme Cloud Ltd"}', 'f2', now(), now(), 's2', ${NAME_KEYS_VERSION})`,
  );
  assert.deepEqual(await runMigrations(db, files), files.filter((f) => f.name >= '003').map((f) => f.name));
  const { rows } = await db.query<{ id: string; v: number | null }>('SELECT id, name_tokens_version AS v FROM customers ORDER BY id');
  assert.deepEqual(rows, [
    { id: 'cur-1', v: NAME_KEYS_VERSION },
    { id: 'old-1', v: null },
  ]);
  assert.equal(await backfillNameTokens(db), 1, 'only the stale customer is re-filed');
  const tokens = await db.query<{ token: string }>("SELECT token FROM customer_name_tokens WHERE customer_id = 'old-1' ORDER BY token");
  assert.ok(tokens.rows.some((r) => r.token === 'rosneft'), JSON.stringify(tokens.rows));
});
