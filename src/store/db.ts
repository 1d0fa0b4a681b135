// The database port: the one small interface every repository speaks SQL through (pg or PGlite behind it).

/** A PostgreSQL connection (pool) or an open transaction on one. */
export interface Db {
  /** Runs one parameterized statement ($1, $2, …). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /**
   * Runs `fn` inside BEGIN … COMMIT (ROLLBACK when it throws). Nested calls join the outer transaction. On PostgreSQL
   * a transaction aborted as a deadlock's victim runs again, `fn` from the start (up to 3 tries): `fn` touches only
   * the database and its own locals.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Runs a multi-statement SQL script without parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  readonly kind: 'postgres' | 'pglite';
  /** The PostgreSQL URL it was opened on (absent for PGlite, which one process alone may open). */
  readonly url?: string;
}
