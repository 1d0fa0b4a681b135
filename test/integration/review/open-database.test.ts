// openDatabase: DATABASE_URL or fail loudly; the default URL (database created when missing); else embedded PGlite, logged.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config.js';
import { isKycError } from '../../../src/errors.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { openDatabase } from '../../../src/store/database.js';
import { connectPg } from '../../../src/store/pg-db.js';
import { readMigrations } from '../../../src/store/migrate.js';
import { PG_ADMIN_URL } from './helpers.js';

const silent = createLogger('silent');

test('an explicit DATABASE_URL that does not answer is KYC_ERR_STORE_UNAVAILABLE, never a fallback', async () => {
  const config = loadConfig({ DATABASE_URL: 'postgres://root@127.0.0.1:1/kycgate' });
  await assert.rejects(openDatabase(config, silent, { connectTimeoutMs: 1000 }), (e: unknown) => isKycError(e) && e.code === 'KYC_ERR_STORE_UNAVAILABLE');
});

test('the default URL: the database is created when missing, then migrated', async () => {
  const name = `kycgate_t_${randomBytes(6).toString('hex')}`;
  const db = await openDatabase(loadConfig({}), silent, { defaultUrl: `postgres://root@127.0.0.1:5432/${name}` });
  try {
    assert.equal(db.kind, 'postgres');
    const { rows } = await db.query<{ name: string }>('SELECT name FROM schema_migrations');
    assert.deepEqual(rows.map((r) => r.name).sort(), (await readMigrations()).map((m) => m.name));
  } finally {
    await db.close();
    const admin = await connectPg(PG_ADMIN_URL, { max: 1 });
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});

test('nothing at the default URL: embedded PGlite in KYCGATE_DATA_DIR/pglite, with one clear log line', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kycgate-pglite-'));
  const lines: string[] = [];
  const logger = createLogger('info');
  const spy = { ...logger, warn: (_obj: unknown, msg?: string) => lines.push(String(msg)), info: () => {} } as unknown as typeof logger;
  try {
    const db = await openDatabase(loadConfig({ KYCGATE_DATA_DIR: dir }), spy, { defaultUrl: 'postgres://root@127.0.0.1:1/kycgate', connectTimeoutMs: 1000 });
    assert.equal(db.kind, 'pglite');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /using embedded PGlite in .*pglite — single process only/);
    assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]!.n, (await readMigrations()).length);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
