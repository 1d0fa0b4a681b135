// Db adapter over embedded PGlite (PostgreSQL in WASM): quick start and unit tests, ONE process per data directory (locked).
import { PGlite, type Transaction } from '@electric-sql/pglite';
import lockfile from 'proper-lockfile';
import { KycError } from '../errors.js';
import type { Db } from './db.js';

/** How the data directory's lock is kept. */
export interface PgliteLockOptions {
  /** A lock not refreshed for this long counts as left by a dead process and is taken over, ms. @defaultValue 20000 */
  staleMs?: number;
  /** Called when the lock was lost while open (its refresh failed, or another process took it over as stale). */
  onLockLost?: (err: Error) => void;
}

/**
 * Locks `dataDir` for this process (`<dataDir>.lock`, refreshed in the background): PGlite serves one process, and a
 * second one on the same directory loses committed writes without a word. Throws KYC_ERR_STORE_UNAVAILABLE when
 * another live process holds it.
 */
async function lockDataDir(dataDir: string, opts: PgliteLockOptions): Promise<() => Promise<void>> {
  const staleMs = opts.staleMs ?? 20_000;
  try {
    return await lockfile.lock(dataDir, {
      stale: staleMs,
      realpath: false,
      retries: 0,
      onCompromised: opts.onLockLost ?? ((err) => process.emitWarning(`kycgate: lost the lock on the embedded database ${dataDir}: ${err.message}`)),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    throw new KycError(
      'KYC_ERR_STORE_UNAVAILABLE',
      `the embedded database in ${dataDir} is in use by another process (lock ${dataDir}.lock; a crashed process's lock lapses after ${staleMs / 1000} s). Embedded PGlite serves one process: stop the other one, or set DATABASE_URL to a PostgreSQL every process can share`,
      { dataDir },
      { cause: err },
    );
  }
}

function txDb(tx: Transaction): Db {
  const db: Db = {
    kind: 'pglite',
    async query<T>(sql: string, params?: unknown[]) {
      const res = await tx.query<T>(sql, params);
      return { rows: res.rows };
    },
    transaction: (fn) => fn(db),
    async exec(sql) {
      await tx.exec(sql);
    },
    async close() {},
  };
  return db;
}

/** A Db on PGlite; `dataDir` undefined = in memory. A data directory is locked to this process until `close`. */
export async function openPglite(dataDir?: string, lock: PgliteLockOptions = {}): Promise<Db> {
  const release = dataDir === undefined ? undefined : await lockDataDir(dataDir, lock);
  let pg: PGlite;
  try {
    pg = await PGlite.create(dataDir);
  } catch (err) {
    await release?.().catch(() => {});
    throw err;
  }
  return {
    kind: 'pglite',
    async query<T>(sql: string, params?: unknown[]) {
      const res = await pg.query<T>(sql, params);
      return { rows: res.rows };
    },
    transaction: (fn) => pg.transaction((tx) => fn(txDb(tx))),
    async exec(sql) {
      await pg.exec(sql);
    },
    async close() {
      try {
        await pg.close();
      } finally {
        await release?.().catch(() => {});
      }
    },
  };
}
