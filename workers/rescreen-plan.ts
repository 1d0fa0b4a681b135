// Plans rescreens: cuts the customer base (PostgreSQL or an export file) into chunk jobs, or selects a delta from a snapshot diff.
import type { Config } from '../src/config.js';
import type { SnapshotDiff } from '../src/lists/diff.js';
import type { Customer } from '../src/model/index.js';
import type { TokenWeights } from '../src/match/index.js';
import { chunkJobId, rescreenRunId, type ChunkRange, type CustomerSource, type RescreenChunkData, type Trigger } from '../src/queue/jobs.js';
import { addInBatches, type KycQueues } from '../src/queue/queues.js';
import type { RescreenLedger } from '../src/queue/rescreen-ledger.js';
import { iterateExport, planFileChunks } from '../src/sources/customer-export.js';
import { countCustomers, customerIdRanges, customersByIds, customersInRange, customersWithOpenCasesOn } from '../src/store/repos/rescreen-repo.js';
import { backfillNameTokens, customerCountsByToken, customersByNameTokens, tokensByNameKeys, unfiledCustomers } from '../src/store/repos/name-tokens-repo.js';
import { entryNameTokenTexts, tokenReached } from '../src/match/blocking-keys.js';
import type { Logger } from '../src/runtime/logger.js';
import { createDeltaPlan, deltaEntries, indexWeights, selectDeltaCustomers, staleEntries, type DeltaSelection } from './delta-select.js';
import type { Db, EngineLike } from './ports.js';

export interface PlanDeps {
  config: Pick<Config, 'KYCGATE_RESCREEN_CHUNK'>;
  queues: KycQueues;
  ledger: RescreenLedger;
  logger: Logger;
  db?: Db;
  now?: () => Date;
}

export interface PlannedRun {
  runId: string;
  snapshotId: string;
  totalChunks: number;
  totalCustomers: number;
  /** Size of the whole base (delta: what a full rescreen would have screened). */
  baseCustomers: number;
  /** False when the same run existed already (a restart resumes it). */
  created: boolean;
  /** Delta only: why customers were selected. */
  selection?: { byMatch: number; byOpenCase: number; candidates?: number; backfilled?: number };
  /** Milliseconds spent selecting (delta). */
  selectMs?: number;
}

async function enqueueChunks(deps: PlanDeps, runId: string, snapshotId: string, trigger: Trigger, source: CustomerSource, ranges: ChunkRange[], extra: Pick<RescreenChunkData, 'recordAll' | 'policy'>): Promise<void> {
  const jobs = ranges.map((range) => {
    const data: RescreenChunkData = { runId, snapshotId, trigger, source, range, ...extra };
    return { name: 'chunk', data, opts: { jobId: chunkJobId(runId, snapshotId, source, range) } };
  });
  await addInBatches(deps.queues.rescreen, jobs);
}

/** Full rescreen of every customer of `source` against `snapshotId`: one chunk job per KYCGATE_RESCREEN_CHUNK customers. */
export async function planFullRescreen(
  deps: PlanDeps,
  snapshotId: string,
  source: CustomerSource,
  opts: { trigger: Trigger; recordAll?: boolean; policy?: string; chunkSize?: number },
): Promise<PlannedRun> {
  const chunkSize = opts.chunkSize ?? deps.config.KYCGATE_RESCREEN_CHUNK;
  let ranges: ChunkRange[];
  let total: number;
  if (source.kind === 'file') {
    const plan = await planFileChunks(source.path, source.format, chunkSize);
    ranges = plan.chunks.map((c) => ({ kind: 'bytes', ...c }));
    total = plan.total;
  } else if (source.kind === 'db') {
    if (!deps.db) throw new Error('a database is needed to rescreen stored customers');
    const rs = await customerIdRanges(deps.db, chunkSize);
    ranges = rs.map((r) => ({ kind: 'ids', ...r }));
    total = rs.reduce((n, r) => n + r.count, 0);
  } else throw new Error('a full rescreen needs a file or the customers table');
  const runId = rescreenRunId(snapshotId, source, opts.trigger === 'rule-date' ? `all:${(deps.now ?? (() => new Date()))().toISOString().slice(0, 10)}` : 'all');
  const created = await deps.ledger.openRun({
    runId,
    snapshotId,
    mode: 'all',
    trigger: opts.trigger,
    totalChunks: ranges.length,
    totalCustomers: total,
    baseCustomers: total,
    startedAt: (deps.now ?? (() => new Date()))().toISOString(),
  });
  await enqueueChunks(deps, runId, snapshotId, opts.trigger, source, ranges, { ...(opts.recordAll ? { recordAll: true } : {}), ...(opts.policy ? { policy: opts.policy } : {}) });
  deps.logger.info({ runId, snapshotId, chunks: ranges.length, customers: total, created }, 'full rescreen planned');
  return { runId, snapshotId, totalChunks: ranges.length, totalCustomers: total, baseCustomers: total, created };
}

/**
 * Delta selection from the customers table without reading it: customers not yet in the name token
 * index are filed first (and any changed while the selection runs are checked directly); the diff's key plan, with the index's counts of customers per entry word, (blocking-keys.ts planEntryKeys) is looked up, stored
 * tokens it reaches are kept (exact common tokens an entry name does not need are left out), the
 * customers filed under them are loaded in one query and checked with the matcher over the diff's
 * entries; open-case customers are loaded by id.
 */
export async function selectDeltaFromTokenIndex(
  db: Db,
  diff: SnapshotDiff,
  openCaseIds: ReadonlySet<string>,
  opts: { weights?: TokenWeights; minScore?: number; minCustomers?: number } = {},
): Promise<DeltaSelection & { candidates: number; backfilled: number }> {
  const backfilled = await backfillNameTokens(db);
  // which entry words are expensive is a property of the customer base: ask the index how many hold each
  const held = await customerCountsByToken(db, entryNameTokenTexts(deltaEntries(diff)));
  const plan = createDeltaPlan(diff, { ...opts, customersWith: (t) => held.get(t) ?? 0 });
  const tokens = new Set<string>();
  const tried = new Set<string>();
  for (const [, token] of await tokensByNameKeys(db, plan.keys.keys)) {
    if (tried.has(token)) continue;
    tried.add(token);
    if (tokenReached(plan.keys, token)) tokens.add(token);
  }
  const filed = await customersByNameTokens(db, tokens);
  // customers changed since the backfill (or locked by a writer during it) are not filed under their current
  // name yet — the index may reach them under an old name or not at all: check each of them directly
  const seen = new Set(filed.map((c) => c.id));
  const unfiled = (await unfiledCustomers(db)).filter((c) => !seen.has(c.id));
  const candidates = [...filed, ...unfiled].filter((c) => !openCaseIds.has(c.id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const affected = candidates.filter(plan.verify);
  const byMatch = affected.length;
  const open = await customersByIds(db, [...openCaseIds]);
  affected.push(...open);
  return { affected, base: await countCustomers(db), byMatch, byOpenCase: open.length, candidates: candidates.length, backfilled };
}

/** Streams every customer of a source in batches. */
async function* customerBatches(source: CustomerSource, db: Db | undefined): AsyncGenerator<unknown[]> {
  if (source.kind === 'file') {
    for await (const batch of iterateExport(source.path, source.format)) yield batch.map((r) => r.value);
    return;
  }
  if (!db) throw new Error('a database is needed to rescreen stored customers');
  for (const r of await customerIdRanges(db, 5000)) yield await customersInRange(db, r.afterId, r.lastId);
}

/**
 * Delta rescreen after a list change: only customers whose names could match an added or changed
 * entry, plus every customer with an open case on a removed or changed entry. The selected
 * customers travel inline in their chunk jobs.
 */
export async function planDeltaRescreen(
  deps: PlanDeps,
  diff: SnapshotDiff,
  source: CustomerSource,
  opts: { trigger: Trigger; engine?: EngineLike & { index?: unknown }; recordAll?: boolean; policy?: string; minScore?: number; chunkSize?: number },
): Promise<PlannedRun> {
  const t0 = performance.now();
  const openCaseIds = deps.db ? new Set(await customersWithOpenCasesOn(deps.db, staleEntries(diff))) : new Set<string>();
  const weights = indexWeights(opts.engine?.index);
  const matchOpts = { ...(weights ? { weights } : {}), ...(opts.minScore !== undefined ? { minScore: opts.minScore } : {}) };
  const sel: DeltaSelection & { candidates?: number; backfilled?: number } =
    source.kind === 'db' && deps.db
      ? await selectDeltaFromTokenIndex(deps.db, diff, openCaseIds, matchOpts)
      : await selectDeltaCustomers(diff, customerBatches(source, deps.db), { openCaseIds, ...matchOpts });
  const selectMs = performance.now() - t0;
  const chunkSize = opts.chunkSize ?? deps.config.KYCGATE_RESCREEN_CHUNK;
  const ranges: ChunkRange[] = [];
  for (let i = 0; i < sel.affected.length; i += chunkSize) {
    const customers: Customer[] = sel.affected.slice(i, i + chunkSize);
    ranges.push({ kind: 'inline', customers, count: customers.length });
  }
  const inline: CustomerSource = { kind: 'inline' };
  const runId = rescreenRunId(diff.to, source, `delta:${diff.from}`);
  const created = await deps.ledger.openRun({
    runId,
    snapshotId: diff.to,
    mode: 'delta',
    trigger: opts.trigger,
    totalChunks: ranges.length,
    totalCustomers: sel.affected.length,
    baseCustomers: sel.base,
    startedAt: (deps.now ?? (() => new Date()))().toISOString(),
  });
  await enqueueChunks(deps, runId, diff.to, opts.trigger, inline, ranges, { ...(opts.recordAll ? { recordAll: true } : {}), ...(opts.policy ? { policy: opts.policy } : {}) });
  deps.logger.info(
    { runId, from: diff.from, to: diff.to, diffEntries: diff.added.length + diff.changed.length + diff.removed.length, selected: sel.affected.length, base: sel.base, selectMs: Math.round(selectMs) },
    'delta rescreen planned',
  );
  return {
    runId,
    snapshotId: diff.to,
    totalChunks: ranges.length,
    totalCustomers: sel.affected.length,
    baseCustomers: sel.base,
    created,
    selection: { byMatch: sel.byMatch, byOpenCase: sel.byOpenCase, ...(sel.candidates !== undefined ? { candidates: sel.candidates, backfilled: sel.backfilled } : {}) },
    selectMs,
  };
}

/** Number of customers a db source holds (for reports). */
export async function baseSize(db: Db): Promise<number> {
  return countCustomers(db);
}
