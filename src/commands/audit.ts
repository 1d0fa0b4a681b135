// `kycgate audit verify` (walk the hash chain, name the first broken row) and `kycgate audit export` (NDJSON).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { loadConfig } from '../config.js';
import { KycError } from '../errors.js';
import { verifyAudit } from '../store/services/audit-service.js';
import { createLogger } from '../runtime/logger.js';
import { openDatabase } from '../store/database.js';
import { readAudit } from '../store/repos/audit-repo.js';

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config, createLogger(config.KYCGATE_LOG_LEVEL));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Exit 0 when the chain is intact, 1 naming the first broken row. */
export async function verify(): Promise<number> {
  return withDb(async (db) => {
    const result = await verifyAudit(db);
    if (result.ok) {
      process.stdout.write(`audit chain OK: ${result.rows} rows verified\n`);
      return 0;
    }
    const b = result.broken!;
    process.stdout.write(`audit chain BROKEN at row ${b.seq} (${b.problem}): ${b.detail}\n`);
    return 1;
  });
}

function parseDate(name: string, value: unknown): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(String(value));
  if (Number.isNaN(d.getTime())) throw new KycError('KYC_ERR_INPUT_INVALID', `--${name}: not an ISO 8601 date or timestamp: ${String(value)}`);
  return d;
}

/** Audit rows with `from <= at < to` as NDJSON, in chain order. */
export async function exportRows(opts: { from?: string; to?: string; output?: string }): Promise<number> {
  const from = parseDate('from', opts.from);
  const to = parseDate('to', opts.to);
  return withDb(async (db) => {
    const out: Writable = opts.output ? createWriteStream(opts.output) : process.stdout;
    let n = 0;
    for await (const row of readAudit(db, { from, to })) {
      if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
      n += 1;
    }
    if (opts.output) {
      out.end();
      await once(out, 'finish');
    }
    process.stderr.write(`exported ${n} audit rows\n`);
    return 0;
  });
}
