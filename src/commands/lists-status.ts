// `kycgate lists status [--json]`: sources, dates, counts per list, hashes and age of the snapshot in force.
import { loadConfig } from '../config.js';
import { createLogger } from '../runtime/logger.js';
import { loadCurrentSnapshot } from '../runtime/lists-runtime.js';
import { SnapshotStore } from '../sources/snapshot-store.js';
import { snapshotStatus, type SnapshotStatus } from '../lists/index.js';
import type { Config } from '../config.js';
import type { SourceStatus } from '../sources/source-status.js';

/** Refresh status per source (breaker, last failure, last refusal) from Redis when it answers; undefined without Redis. */
async function sourceRefreshStatus(config: Config): Promise<Record<string, SourceStatus> | undefined> {
  const { probeRedis, redisUrl, connectRedis } = await import('../runtime/redis.js');
  const url = redisUrl(config);
  if (!(await probeRedis(url, 500))) return undefined;
  const { queuePrefix } = await import('../queue/names.js');
  const { readSourceStatus } = await import('../sources/source-status.js');
  const redis = connectRedis(url, { name: 'kycgate-lists-status' });
  redis.on('error', () => {});
  try {
    return await readSourceStatus(redis, queuePrefix(config));
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

function renderRefresh(status: Record<string, SourceStatus> | undefined): string[] {
  if (!status) return ['', 'refresh status: Redis not reachable (download failures and breaker state are kept there)'];
  const rows = Object.values(status).sort((a, b) => a.source.localeCompare(b.source));
  if (rows.length === 0) return ['', 'refresh status: no refresh has run yet'];
  const lines = ['', 'refresh status:'];
  for (const s of rows) {
    lines.push(`  ${s.source.padEnd(10)} breaker ${s.breaker}${s.consecutiveFailures ? `  ${s.consecutiveFailures} consecutive failure(s)` : ''}${s.lastSuccessAt ? `  last success ${s.lastSuccessAt}` : ''}`);
    if (s.lastError) lines.push(`    last failure ${s.lastFailureAt ?? '?'}: ${s.lastError.code}${s.lastError.kind ? ` (${s.lastError.kind})` : ''}: ${s.lastError.message}`);
    if (s.lastRefusal) lines.push(`    refused ${s.lastRefusal.at}: ${s.lastRefusal.reason} — the previous snapshot keeps serving`);
  }
  return lines;
}

function human(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 3 * 86400) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

function render(s: SnapshotStatus, rejection: { at: string; code: string; reason: string } | undefined, refresh: Record<string, SourceStatus> | undefined): string {
  const n = (x: number | undefined) => (x ?? 0).toLocaleString('en-US');
  const lines = [`snapshot ${s.id}  created ${s.createdAt} (${human(s.ageSeconds)} ago)  ${n(s.entries)} entries`, '', 'counts per list:'];
  for (const [list, c] of Object.entries(s.counts).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))) lines.push(`  ${list.padEnd(12)} ${n(c).padStart(7)}`);
  lines.push('', 'sources:');
  for (const src of s.sources) {
    const counts = Object.entries(src.counts).map(([l, c]) => `${l} ${n(c)}`).join(', ');
    lines.push(`  ${src.source}  published ${src.publishedAt ?? 'unknown'}  retrieved ${src.retrievedAt}  age ${human(src.ageSeconds)}  (${counts})`);
    for (const f of src.files) {
      const orphans = f.orphans ? `, ${n(f.orphans)} orphan rows` : '';
      lines.push(`    ${f.name.padEnd(18)} sha256:${f.sha256.slice(0, 16)}  ${n(f.rows)} rows, ${n(f.entries)} entries${orphans}  ${f.origin}`);
    }
  }
  if (rejection) lines.push('', `last refused import (${rejection.at}): ${rejection.code}: ${rejection.reason}`);
  lines.push(...renderRefresh(refresh));
  return `${lines.join('\n')}\n`;
}

/** Prints the status; exit code 1 when no snapshot is loaded. */
export async function run(opts: { json?: boolean }): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.KYCGATE_LOG_LEVEL === 'info' ? 'warn' : config.KYCGATE_LOG_LEVEL);
  const snapshot = await loadCurrentSnapshot(config, logger);
  const rejection = await new SnapshotStore(config.KYCGATE_DATA_DIR).lastRejection();
  const refresh = await sourceRefreshStatus(config);
  if (!snapshot) {
    const msg = 'no list snapshot: set KYCGATE_SEED_DIR to a directory of official list files, or run `kycgate lists import <file|dir>`';
    if (opts.json) process.stdout.write(`${JSON.stringify({ snapshot: null, message: msg, lastRejection: rejection ?? null, refresh: refresh ?? null })}\n`);
    else process.stderr.write(`${msg}\n${renderRefresh(refresh).join('\n')}\n`);
    return 1;
  }
  const status = snapshotStatus(snapshot, new Date());
  if (opts.json) process.stdout.write(`${JSON.stringify({ ...status, lastRejection: rejection ?? null, refresh: refresh ?? null }, null, 2)}\n`);
  else process.stdout.write(render(status, rejection, refresh));
  return 0;
}
