// Rescreen worker: screens one chunk of customers against the snapshot in force, records results, exactly once per chunk.
import type { Job } from 'bullmq';
import { isKycError } from '../src/errors.js';
import type { Customer } from '../src/model/index.js';
import { chunkJobId, rescreenScreeningId, type RescreenChunkData, type RescreenChunkResult } from '../src/queue/jobs.js';
import type { RescreenLedger } from '../src/queue/rescreen-ledger.js';
import { readFileChunk } from '../src/sources/customer-export.js';
import { customersInRange } from '../src/store/repos/rescreen-repo.js';
import type { Logger } from '../src/runtime/logger.js';
import type { Db, EngineLike, ScreeningRecorder } from './ports.js';

export interface RescreenDeps {
  engine: EngineLike;
  recorder: ScreeningRecorder;
  ledger: RescreenLedger;
  logger: Logger;
  /** Needed for `db` sources. */
  db?: Db;
  /** Clock. @defaultValue () => new Date() */
  now?: () => Date;
  /**
   * Brings the engine to the snapshot in force (loads and swaps it) when it lags behind, e.g. a chunk
   * planned by another process right after a refresh this process has not followed yet. Resolves with the id of
   * the snapshot in force (undefined when it cannot tell).
   */
  ensureCurrentSnapshot?: () => Promise<string | undefined>;
}

/**
 * The snapshot changed under a chunk (a swap during it), or the worker cannot tell which snapshot is in force: thrown as
 * a plain error, so BullMQ retries the chunk with backoff.
 */
export class SnapshotMismatchError extends Error {
  constructor(chunkId: string, wanted: string, serving: string | undefined) {
    super(`rescreen chunk ${chunkId} needs snapshot ${wanted}, this worker serves ${serving ?? 'none'}: not screened further here; retried`);
    this.name = 'SnapshotMismatchError';
  }
}

/** Actor name on recorded rescreens (audit trail). */
export const RESCREEN_ACTOR = 'worker:rescreen';

/** Customers below this many per mark batch are marked at the end of the batch; recorded ones are marked one by one. */
const MARK_BATCH = 250;

async function loadChunk(data: RescreenChunkData, db: Db | undefined): Promise<{ records: { line?: number; value: unknown }[]; bad: number }> {
  const { source, range } = data;
  if (range.kind === 'inline') return { records: range.customers.map((value) => ({ value })), bad: 0 };
  if (source.kind === 'file' && range.kind === 'bytes') {
    const r = await readFileChunk(source.path, source.format, range);
    return { records: r.records, bad: r.bad.length };
  }
  if (source.kind === 'db' && range.kind === 'ids') {
    if (!db) throw new Error('rescreen chunk of the customers table, but the worker has no database');
    return { records: (await customersInRange(db, range.afterId, range.lastId)).map((value) => ({ value })), bad: 0 };
  }
  throw new Error(`chunk range ${range.kind} does not fit source ${source.kind}`);
}

function isDuplicateScreening(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: string }).code === '23505') return true;
  }
  return false;
}

/**
 * Processes one chunk. Exactly once: a chunk already completed is skipped whole; inside an unfinished
 * chunk (a crashed attempt) customers already marked are skipped; a recorded screening carries a
 * deterministic id (hash of run + snapshot + policy/rules + customer), so a record that landed just
 * before a crash is not stored twice either. Lines that are not valid customers are counted, not fatal.
 *
 * Which snapshot: the one the chunk names when it is in force. The worker first follows the snapshot in force
 * (`ensureCurrentSnapshot`); when that is another one, the chunk's snapshot has been replaced since it was planned,
 * and the chunk is screened on the one in force (`carriedForwardTo`): that is what decisions are made on now, and it
 * holds every list change the chunk was planned for unless a later change took it back. Its customers still count
 * for the chunk's run. Without `ensureCurrentSnapshot`, and whenever a swap lands during the chunk, the chunk stops
 * (SnapshotMismatchError, retried): customers screened before the swap stay done, the retry takes the rest.
 */
export async function processRescreenChunk(job: Pick<Job<RescreenChunkData>, 'data' | 'id' | 'updateProgress'>, deps: RescreenDeps): Promise<RescreenChunkResult> {
  const data = job.data;
  const chunkId = job.id ?? chunkJobId(data.runId, data.snapshotId, data.source, data.range);
  const result: RescreenChunkResult = { screened: 0, skipped: 0, recorded: 0, errors: 0, outcomes: {} };
  if (await deps.ledger.isChunkDone(data.snapshotId, chunkId)) {
    result.skipped = data.range.count;
    return result;
  }
  const inForce = deps.engine.snapshot?.id !== data.snapshotId ? await deps.ensureCurrentSnapshot?.() : data.snapshotId;
  if (!deps.engine.ready) throw new Error('lists not loaded yet; the chunk will be retried');
  // the chunk's own snapshot, or the one in force when the worker serves it now; anything else stops at onSnapshot
  const target = inForce !== undefined && inForce === deps.engine.snapshot?.id ? inForce : data.snapshotId;
  if (target !== data.snapshotId) {
    result.carriedForwardTo = target;
    deps.logger.info({ chunk: chunkId, runId: data.runId, planned: data.snapshotId, inForce: target }, 'rescreen chunk planned on a snapshot no longer in force: screened on the one in force');
  }
  // customers are screened, recorded and marked done only on `target`
  const onSnapshot = () => {
    const serving = deps.engine.snapshot?.id;
    if (serving !== target) {
      deps.logger.warn({ chunk: chunkId, wanted: target, serving }, 'the snapshot changed during a rescreen chunk (or is not the one it names); retried later');
      throw new SnapshotMismatchError(chunkId, target, serving);
    }
  };
  onSnapshot();

  const { records, bad } = await loadChunk(data, deps.db);
  result.errors += bad;
  const done = await deps.ledger.doneCustomers(chunkId);
  const now = deps.now ?? (() => new Date());
  let pending: string[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const ids = pending;
    pending = [];
    await deps.ledger.markCustomers(chunkId, ids);
  };

  let i = 0;
  try {
    for (const { value } of records) {
      i += 1;
      const id = (value as { id?: unknown })?.id;
      if (typeof id === 'string' && done.has(id)) {
        result.skipped += 1;
        continue;
      }
      let decision;
      try {
        onSnapshot(); // synchronous with the screen call below: no swap can come between them
        decision = deps.engine.screen(value, { policy: data.policy, now: now() });
      } catch (err) {
        if (isKycError(err) && (err.code === 'KYC_ERR_INPUT_INVALID' || err.code === 'KYC_ERR_UNKNOWN_GPU')) {
          result.errors += 1;
          continue;
        }
        throw err;
      }
      const customer = value as Customer;
      if (decision.outcome !== 'allow' && (deps.recorder.suppressionsFor || deps.recorder.licencesFor)) {
        const [suppressions, licences] = await Promise.all([deps.recorder.suppressionsFor?.(customer.id) ?? [], deps.recorder.licencesFor?.(customer.id) ?? []]);
        if (suppressions.length || licences.length) {
          onSnapshot();
          decision = deps.engine.screen(value, { policy: data.policy, now: now(), suppressions, licences });
        }
      }
      decision = { ...decision, screeningId: rescreenScreeningId({ runId: data.runId, snapshotId: target }, decision, customer) };
      result.screened += 1;
      result.outcomes[decision.outcome] = (result.outcomes[decision.outcome] ?? 0) + 1;
      if (data.recordAll || decision.outcome !== 'allow') {
        try {
          await deps.recorder.recordScreening(customer, decision, RESCREEN_ACTOR);
        } catch (err) {
          if (!isDuplicateScreening(err)) throw err;
        }
        result.recorded += 1;
        pending.push(customer.id);
        await flush();
      } else {
        pending.push(customer.id);
        if (pending.length >= MARK_BATCH) await flush();
      }
      if (i % 200 === 0) await job.updateProgress(Math.round((i / records.length) * 100));
    }
  } catch (err) {
    // customers screened on the right snapshot before a swap stay done; the rest is left for the retry
    if (err instanceof SnapshotMismatchError) await flush();
    throw err;
  }
  await flush();
  await deps.ledger.completeChunk(data.runId, data.snapshotId, chunkId, result);
  return result;
}
