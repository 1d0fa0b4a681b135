// Opens kycgate's database: DATABASE_URL, else the local default (created when missing), else embedded PGlite; runs migrations.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_DATABASE_URL, type Config } from '../config.js';
import { KycError } from '../errors.js';
import type { Logger } from '../runtime/logger.js';
import type { Db } from './db.js';
import { runMigrations } from './migrate.js';
import { connectPg, pgDb } from './pg-db.js';
import { openPglite } from './pglite-db.js';

export type { Db } from './db.js';

/** SQLSTATE of "database does not exist". */
const INVALID_CATALOG_NAME = '3D000';
/** SQLSTATE of "database already exists" (a concurrent creator won). */
const DUPLICATE_DATABASE = '42P04';

export interface OpenDatabaseOptions {
  /**
   * Run pending migrations after connecting.
   * @defaultValue true
   */
  migrate?: boolean;
  /**
   * Connect timeout per attempt, ms.
   * @defaultValue 3000
   */
  connectTimeoutMs?: number;
  /**
   * The URL tried when DATABASE_URL is unset (tests point it elsewhere).
   * @defaultValue `postgres://127.0.0.1:5432/kycgate`
   */
  defaultUrl?: string;
}

function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return [e.code, e.message].filter(Boolean).join(' ') || String(err);
}

/** Quotes an SQL identifier. */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Creates the database named in `url` through the `postgres` maintenance database; a concurrent creation is fine. */
export async function createDatabaseIfMissing(url: string, timeoutMs = 3000): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const pool = await connectPg(admin.toString(), { connectTimeoutMs: timeoutMs, max: 1 });
  try {
    await pool.query(`CREATE DATABASE ${ident(name)}`);
  } catch (err) {
    if (sqlState(err) !== DUPLICATE_DATABASE) throw err;
  } finally {
    await pool.end();
  }
}

async function openPostgres(url: string, timeoutMs: number, createIfMissing: boolean): Promise<Db> {
  try {
    return pgDb(await connectPg(url, { connectTimeoutMs: timeoutMs }), url);
  } catch (err) {
    if (!createIfMissing || sqlState(err) !== INVALID_CATALOG_NAME) throw err;
    await createDatabaseIfMissing(url, timeoutMs);
    return pgDb(await connectPg(url, { connectTimeoutMs: timeoutMs }), url);
  }
}

/**
 * Opens the database and (by default) migrates it.
 * - `DATABASE_URL` set: that server, or `KYC_ERR_STORE_UNAVAILABLE` — never a silent fallback.
 * - unset: `postgres://127.0.0.1:5432/kycgate` (database created when missing); when nothing answers or it
 *   cannot be created, embedded PGlite in `${KYCGATE_DATA_DIR}/pglite` (one process only), logged once.
 */
export async function openDatabase(config: Config, logger: Logger, options: OpenDatabaseOptions = {}): Promise<Db> {
  const timeoutMs = options.connectTimeoutMs ?? 3000;
  let db: Db;
  if (config.DATABASE_URL) {
    try {
      db = await openPostgres(config.DATABASE_URL, timeoutMs, false);
    } catch (err) {
      throw new KycError('KYC_ERR_STORE_UNAVAILABLE', `PostgreSQL at DATABASE_URL is unavailable: ${describe(err)}`, { cause: describe(err) }, { cause: err });
    }
  } else {
    const defaultUrl = options.defaultUrl ?? DEFAULT_DATABASE_URL;
    try {
      db = await openPostgres(defaultUrl, timeoutMs, true);
      logger.info({ database: 'postgres', url: defaultUrl }, 'database: PostgreSQL at the default URL');
    } catch (err) {
      const dir = path.resolve(config.KYCGATE_DATA_DIR, 'pglite');
      logger.warn(
        { database: 'pglite', dir, cause: describe(err) },
        `database: no PostgreSQL at ${defaultUrl} (${describe(err)}); using embedded PGlite in ${dir} — single process only, set DATABASE_URL for production`,
      );
      await mkdir(dir, { recursive: true });
      db = await openPglite(dir, { onLockLost: (err) => logger.error({ dir, err: err.message }, 'lost the lock on the embedded database; another process may be writing to it') });
    }
  }
  if (options.migrate !== false) {
    try {
      const applied = await runMigrations(db);
      if (applied.length > 0) logger.info({ applied }, 'database: migrations applied');
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
  }
  return db;
}
