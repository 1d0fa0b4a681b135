// Migration runner: applies src/store/migrations/*.sql in name order, once each, in one locked transaction.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KycError } from '../errors.js';
import type { Db } from './db.js';

/** Directory of the plain .sql migration files. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Arbitrary constant key of the advisory lock that serializes migration runs across processes. */
const MIGRATION_LOCK = 74_120_001;

export interface MigrationFile {
  name: string;
  sql: string;
  sha256: string;
}

/** Reads the migration files, sorted by name. */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(`${dir}/${name}`, 'utf8');
      return { name, sql, sha256: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies pending migrations; returns the names applied now. A file changed after it was applied is
 * refused (`KYC_ERR_MIGRATION_FAILED`): history is never rewritten — add a new file instead.
 */
export async function runMigrations(db: Db, files?: MigrationFile[]): Promise<string[]> {
  const migrations = files ?? (await readMigrations());
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await tx.query<{ name: string; sha256: string }>('SELECT name, sha256 FROM schema_migrations');
    const applied = new Map(rows.map((r) => [r.name, r.sha256]));
    const done: string[] = [];
    for (const m of migrations) {
      const prev = applied.get(m.name);
      if (prev !== undefined) {
        if (prev !== m.sha256) {
          throw new KycError('KYC_ERR_MIGRATION_FAILED', `migration ${m.name} changed after it was applied (add a new migration file instead)`, {
            migration: m.name,
          });
        }
        continue;
      }
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new KycError('KYC_ERR_MIGRATION_FAILED', `migration ${m.name} failed: ${(err as Error).message}`, { migration: m.name }, { cause: err });
      }
      await tx.query('INSERT INTO schema_migrations (name, sha256) VALUES ($1, $2)', [m.name, m.sha256]);
      done.push(m.name);
    }
    return done;
  });
}
