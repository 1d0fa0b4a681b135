// Db adapter over embedded PGlite (PostgreSQL in WASM): quick start and unit tests, ONE process per data directory.
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Db } from './db.js';

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

/** A Db on PGlite; `dataDir` undefined = in memory. */
export async function openPglite(dataDir?: string): Promise<Db> {
  const pg = await PGlite.create(dataDir);
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
    close: () => pg.close(),
  };
}
