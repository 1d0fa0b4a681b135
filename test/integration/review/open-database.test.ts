// openDatabase: DATABASE_URL or fail loudly; the default URL (database created when missing); else embedded PGlite, logged,
// locked to one process (a second process is refused; a crashed one's lock lapses).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config.js';
import { isKycError } from '../../../src/errors.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { openDatabase } from '../../../src/store/database.js';
import { connectPg } from '../../../src/store/pg-db.js';
import { openPglite } from '../../../src/store/pglite-db.js';
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

const ROOT = path.resolve(import.meta.dirname, '../../..');
const UNREACHABLE = 'postgres://root@127.0.0.1:1/kycgate';

/**
 * Another process opening the embedded database in `dataDir` (as `kycgate serve` does with no PostgreSQL reachable).
 * It prints `opened` (and closes it) or the error's code and message.
 */
function otherProcess(dataDir: string): { output: Promise<string>; exited: Promise<number | null> } {
  const src = (p: string) => JSON.stringify(pathToFileURL(path.join(ROOT, p)).href);
  const script = `
    (async () => {
      const { openDatabase } = await import(${src('src/store/database.ts')});
      const { loadConfig } = await import(${src('src/config.ts')});
      const { createLogger } = await import(${src('src/runtime/logger.ts')});
      const config = loadConfig({ KYCGATE_DATA_DIR: ${JSON.stringify(dataDir)} });
      try {
        const db = await openDatabase(config, createLogger('silent'), { defaultUrl: ${JSON.stringify(UNREACHABLE)}, connectTimeoutMs: 1000 });
        console.log('opened', db.kind);
        await db.close();
      } catch (err) {
        console.log(err.code, err.message);
      }
    })();
  `;
  const p = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const output = new Promise<string>((resolve) => {
    p.stdout.on('data', (d) => {
      out += String(d);
      if (out.includes('\n')) resolve(out.trim());
    });
    p.once('exit', () => resolve(out.trim()));
  });
  const exited = new Promise<number | null>((resolve) => p.once('exit', resolve));
  const killer = setTimeout(() => p.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(killer));
  return { output, exited };
}

test('the embedded database is one process\'s: a second process is refused with a clear error, and opens once the first closed', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kycgate-pglite-lock-'));
  try {
    const db = await openDatabase(loadConfig({ KYCGATE_DATA_DIR: dir }), silent, { defaultUrl: UNREACHABLE, connectTimeoutMs: 1000 });
    assert.equal(db.kind, 'pglite');
    await db.query('CREATE TABLE kept (v text)');
    await db.query("INSERT INTO kept VALUES ('first')");
    const refused = await otherProcess(dir).output;
    assert.match(refused, /^KYC_ERR_STORE_UNAVAILABLE the embedded database in .*pglite is in use by another process .*set DATABASE_URL/);
    // the refused process changed nothing
    assert.deepEqual((await db.query<{ v: string }>('SELECT v FROM kept')).rows, [{ v: 'first' }]);
    await db.close();
    assert.equal(existsSync(path.join(dir, 'pglite.lock')), false, 'close releases the lock');
    const second = otherProcess(dir);
    assert.equal(await second.output, 'opened pglite');
    assert.equal(await second.exited, 0, 'it closed and ended');
    const again = await openDatabase(loadConfig({ KYCGATE_DATA_DIR: dir }), silent, { defaultUrl: UNREACHABLE, connectTimeoutMs: 1000 });
    assert.deepEqual((await again.query<{ v: string }>('SELECT v FROM kept')).rows, [{ v: 'first' }], 'the data outlived both processes');
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the lock of a process that died lapses: after its stale time the directory opens again', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kycgate-pglite-stale-'));
  const src = (p: string) => JSON.stringify(pathToFileURL(path.join(ROOT, p)).href);
  // a process holding the directory with a 2 s stale time (its lock refreshed every second), until it is killed
  const script = `
    (async () => {
      const { openPglite } = await import(${src('src/store/pglite-db.ts')});
      await openPglite(${JSON.stringify(dir)}, { staleMs: 2000 });
      console.log('holding');
      setInterval(() => {}, 1000);
    })();
  `;
  const holder = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => holder.once('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d) => String(d).includes('holding') && resolve());
      holder.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 2500)); // longer than the stale time: only refreshes keep it held
    await assert.rejects(openPglite(dir, { staleMs: 2000 }), (e: unknown) => isKycError(e) && e.code === 'KYC_ERR_STORE_UNAVAILABLE', 'held by a live process');
    holder.kill('SIGKILL');
    await exited;
    await assert.rejects(openPglite(dir, { staleMs: 2000 }), (e: unknown) => isKycError(e) && e.code === 'KYC_ERR_STORE_UNAVAILABLE', 'not yet stale');
    await new Promise((r) => setTimeout(r, 2500));
    const db = await openPglite(dir, { staleMs: 2000 });
    try {
      assert.deepEqual((await db.query<{ n: number }>('SELECT 1::int AS n')).rows, [{ n: 1 }]);
    } finally {
      await db.close();
    }
  } finally {
    holder.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
