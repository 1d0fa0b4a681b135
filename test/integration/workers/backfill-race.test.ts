// A rename committing while the delta planner files the name-token index (real PostgreSQL): the customer is never
// filed under its old name as if current, and the delta still selects it under the new one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../../src/config.js';
import type { SnapshotDiff } from '../../../src/lists/diff.js';
import type { Customer, ListEntry } from '../../../src/model/index.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { openDatabase } from '../../../src/store/database.js';
import type { Db } from '../../../src/store/db.js';
import { backfillNameTokens } from '../../../src/store/repos/name-tokens-repo.js';
import { upsertCustomer } from '../../../src/store/repos/screenings-repo.js';
import { selectDeltaFromTokenIndex } from '../../../workers/rescreen-plan.js';

const dbName = `kycgate_t_h6b_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ host: '127.0.0.1', user: 'root', database: 'postgres' });
let db: Db;

before(async () => {
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  db = await openDatabase(loadConfig({ DATABASE_URL: `postgres://root@127.0.0.1:5432/${dbName}`, KYCGATE_LOG_LEVEL: 'silent' }), createLogger('silent'));
});
after(async () => {
  await db?.close();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
});

const entry = (name: string): ListEntry => ({
  list: 'SDN',
  sourceId: `e-${name.length}`,
  name,
  primaryName: name,
  aliases: [],
  entityType: 'organization',
  addresses: [],
  programs: ['RUSSIA-EO14024'],
  ids: [],
  dates: {},
  origin: 'test',
  raw: {},
});

test('a rename committed during the backfill is not filed under the old name; the delta finds the customer under the new one', async () => {
  const old: Customer = { id: 'race-1', name: 'Quietbrook Pottery Studio' };
  const renamed: Customer = { ...old, name: 'Volgatrans Zarqavex Logistics' };
  const others: Customer[] = Array.from({ length: 50 }, (_, i) => ({ id: `race-other-${String(i).padStart(2, '0')}`, name: `Harbor Compute ${i} Ltd` }));
  for (const c of [old, ...others]) await db.transaction((tx) => upsertCustomer(tx, c, `fp-${c.name}`, `s-${c.id}`, new Date()));

  // the rename's transaction holds the customer row while the backfill runs, then commits
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const rename = db.transaction(async (tx) => {
    await upsertCustomer(tx, renamed, 'fp-renamed', 's-rename', new Date());
    locked();
    await gate;
  });
  await isLocked;
  // (a backfill that waited on the writer's row would hold the test: let the rename commit after a while regardless)
  const safety = setTimeout(release, 3000);
  const filed = await backfillNameTokens(db, 10);
  clearTimeout(safety);
  assert.equal(filed, others.length, 'the row under a writer is left for later, the rest is filed');
  release();
  await rename;

  const { rows } = await db.query<{ name_tokens_version: number | null; name: string }>(`SELECT name_tokens_version, data->>'name' AS name FROM customers WHERE id = 'race-1'`);
  assert.deepEqual(rows[0], { name_tokens_version: null, name: renamed.name }, 'not marked filed under a name it no longer has');

  // the delta planner reaches it under its new name (filing it first); the old name reaches nothing
  const toNew: SnapshotDiff = { from: 'a', to: 'b', added: [entry(renamed.name)], removed: [], changed: [] };
  const sel = await selectDeltaFromTokenIndex(db, toNew, new Set());
  assert.deepEqual(sel.affected.map((c) => c.id), ['race-1']);
  const toOld: SnapshotDiff = { from: 'a', to: 'b', added: [entry(old.name)], removed: [], changed: [] };
  assert.deepEqual((await selectDeltaFromTokenIndex(db, toOld, new Set())).affected.map((c) => c.id), []);
});
