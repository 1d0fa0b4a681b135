// Db adapter over a node-postgres Pool: pooled queries, transactions on one dedicated client.
import { userInfo } from 'node:os';
import pg from 'pg';
import type { Db } from './db.js';

/** Wraps one checked-out client that is inside a transaction. */
function clientDb(client: pg.PoolClient): Db {
  const db: Db = {
    kind: 'postgres',
    async query<T>(sql: string, params?: unknown[]) {
      const res = await client.query(sql, params as unknown[]);
      return { rows: res.rows as T[] };
    },
    transaction: (fn) => fn(db),
    async exec(sql) {
      await client.query(sql);
    },
    async close() {
      /* the pool owns the client */
    },
  };
  return db;
}

/** SQLSTATE of a transaction PostgreSQL aborted to break a deadlock. */
const DEADLOCK_DETECTED = '40P01';
/** Tries of a transaction that keeps being chosen as a deadlock's victim. */
const DEADLOCK_ATTEMPTS = 3;

/** One transaction on one pooled client: BEGIN, fn, COMMIT (ROLLBACK when fn or COMMIT throws). */
async function transactionOnce<T>(pool: pg.Pool, fn: (tx: Db) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(clientDb(client));
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * A Db on a pg Pool. `pool.end()` runs on close. `url`, when given, lets another thread open its own pool there. A
 * transaction chosen as a deadlock's victim runs again (`fn` from the start, up to 3 tries).
 */
export function pgDb(pool: pg.Pool, url?: string): Db {
  return {
    kind: 'postgres',
    ...(url ? { url } : {}),
    async query<T>(sql: string, params?: unknown[]) {
      const res = await pool.query(sql, params as unknown[]);
      return { rows: res.rows as T[] };
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await transactionOnce(pool, fn);
        } catch (err) {
          // PostgreSQL rolled the deadlock's victim back whole: run it again, as its manual advises
          if ((err as { code?: unknown }).code !== DEADLOCK_DETECTED || attempt >= DEADLOCK_ATTEMPTS) throw err;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
        }
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    close: () => pool.end(),
  };
}

/** A pool on `url` that connects on its first query. */
export function createPgPool(url: string, opts: { connectTimeoutMs?: number; max?: number } = {}): pg.Pool {
  // A URL without a user name means the OS user (as psql does); pg would otherwise need $USER, which services often lack.
  const parsed = new URL(url);
  if (!parsed.username) parsed.username = encodeURIComponent(userInfo().username);
  const pool = new pg.Pool({ connectionString: parsed.toString(), connectionTimeoutMillis: opts.connectTimeoutMs ?? 3000, max: opts.max ?? 10 });
  pool.on('error', () => {
    /* idle client errors surface on the next query */
  });
  return pool;
}

/** Opens a pool on `url` and checks that it answers. Throws the driver's error when it does not. */
export async function connectPg(url: string, opts: { connectTimeoutMs?: number; max?: number } = {}): Promise<pg.Pool> {
  const pool = createPgPool(url, opts);
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}
