// Test helpers of the review suites: a throw-away PostgreSQL database, keys per role, real SDN rows as hits, a small app.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { parse } from 'csv-parse/sync';
import { createReviewRouter } from '../../../src/http/review-routes.js';
import { notFoundHandler, problemHandler } from '../../../src/http/problem.js';
import type { Customer, Decision, Hit, Outcome, Reason } from '../../../src/model/index.js';
import { createApiKey } from '../../../src/store/services/api-keys.js';
import { ReviewService } from '../../../src/store/services/review-service.js';
import type { Principal, Role } from '../../../src/review/roles.js';
import { createLogger } from '../../../src/runtime/logger.js';
import type { Db } from '../../../src/store/db.js';
import { runMigrations } from '../../../src/store/migrate.js';
import { connectPg, pgDb } from '../../../src/store/pg-db.js';

export const PG_ADMIN_URL = 'postgres://root@127.0.0.1:5432/postgres';

export interface TestDatabase {
  db: Db;
  url: string;
  name: string;
  /** Runs SQL as the superuser on this database (behind the API's back). */
  superuser(sql: string, params?: unknown[]): Promise<unknown[]>;
  drop(): Promise<void>;
}

/** Creates `kycgate_t_<random>`, migrates it, and returns a Db on it; `drop()` closes and removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `kycgate_t_${randomBytes(6).toString('hex')}`;
  const admin = await connectPg(PG_ADMIN_URL, { max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = `postgres://root@127.0.0.1:5432/${name}`;
  const db = pgDb(await connectPg(url, { max: 8 }));
  await runMigrations(db);
  return {
    db,
    url,
    name,
    async superuser(sql, params) {
      const pool = await connectPg(url, { max: 1 });
      try {
        return (await pool.query(sql, params)).rows;
      } finally {
        await pool.end();
      }
    },
    async drop() {
      await db.close().catch(() => {});
      const a = await connectPg(PG_ADMIN_URL, { max: 1 });
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export const LISTS_DIR = path.resolve(import.meta.dirname, '../../../../shared/lists');

/** Real OFAC SDN rows (current-2026/SDN.CSV), by ent_num. */
export function sdnRows(...entNums: string[]): Map<string, { entNum: string; name: string; type: string; programs: string[] }> {
  const text = readFileSync(path.join(LISTS_DIR, 'current-2026/SDN.CSV'), 'latin1').replace(/\x1a/g, '');
  const rows = parse(text, { relax_column_count: true, skip_empty_lines: true, relax_quotes: true }) as string[][];
  const out = new Map<string, { entNum: string; name: string; type: string; programs: string[] }>();
  for (const r of rows) {
    const [entNum = '', name = '', type = '', programs = ''] = r;
    if (!entNums.includes(entNum.trim())) continue;
    out.set(entNum.trim(), {
      entNum: entNum.trim(),
      name,
      type: type.trim() === '-0-' ? 'organization' : type.trim(),
      programs: programs.split('] [').map((p) => p.replace(/[[\]]/g, '').trim()),
    });
  }
  return out;
}

/** A hit on a real SDN row, as screening would report it. */
export function hitOn(row: { entNum: string; name: string; programs: string[] }, opts: { queryName: string; score: number; subject?: string }): Hit {
  const words = opts.queryName.toUpperCase().split(/\s+/);
  return {
    subject: opts.subject ?? 'customer',
    list: 'SDN',
    sourceId: row.entNum,
    primaryName: row.name,
    matchedName: row.name,
    queryName: opts.queryName,
    score: opts.score,
    entityType: 'organization',
    programs: row.programs,
    features: { tokens: opts.score, country: 'unknown' },
    pieces: row.name
      .split(/\s+/)
      .map((w) => ({ kind: 'token', query: words.includes(w) ? w.toLowerCase() : '', entry: w.toLowerCase(), similarity: words.includes(w) ? 1 : 0, weight: 1 / row.name.split(/\s+/).length })),
  };
}

let seq = 0;
/** A decision as H3's screening produces it (LIST_MATCH reasons per hit at the hit's level). */
export function decisionFor(customer: Customer, hits: Hit[], opts: { outcome?: Outcome; reasons?: Reason[]; screeningId?: string } = {}): Decision {
  const level = (h: Hit): Outcome => (h.score >= 0.95 ? 'deny' : 'review');
  const reasons: Reason[] = [
    ...hits.filter((h) => !h.suppressed).map((h) => ({ code: 'LIST_MATCH' as const, subject: h.subject, outcome: level(h), detail: `${h.list} ${h.sourceId} ${h.score}`, list: h.list, sourceId: h.sourceId })),
    ...(opts.reasons ?? []),
  ];
  const outcome = opts.outcome ?? (reasons.some((r) => r.outcome === 'deny') ? 'deny' : reasons.some((r) => r.outcome === 'review') ? 'review' : 'allow');
  seq += 1;
  return {
    id: customer.id,
    outcome,
    screeningId: opts.screeningId ?? `scr-${randomBytes(6).toString('hex')}-${seq}`,
    hits,
    reasons,
    lists: { version: 'snap-test', sources: { SDN: '2026-06-02' } },
    policy: 'us-export-2026',
    policyVersion: '2026.1',
    decidedAt: new Date().toISOString(),
  };
}

export type Keys = Record<Role | 'officer2', { key: string; principal: Principal }>;

/** One key per role, plus a second officer for four-eyes. */
export async function createKeys(db: Db): Promise<Keys> {
  const out: Partial<Keys> = {};
  for (const [slot, role] of [['officer', 'officer'], ['officer2', 'officer'], ['senior_officer', 'senior_officer'], ['admin', 'admin'], ['service', 'service']] as const) {
    const k = await createApiKey(db, { role, name: `${slot}-${randomBytes(3).toString('hex')}` }, new Date());
    out[slot] = { key: k.key, principal: k.principal };
  }
  return out as Keys;
}

/** The review router on a bare Express app with the project's problem+json handler. */
export function reviewApp(db: Db, review = new ReviewService(db)): express.Express {
  const app = express();
  app.use(createReviewRouter({ db, review }));
  app.use(notFoundHandler());
  app.use(problemHandler(createLogger('silent')));
  return app;
}
