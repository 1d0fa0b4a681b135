// The per-snapshot completion record of rescreens in Redis: which chunks and customers are done, run totals for progress.
import type { Redis } from 'ioredis';
import { prefixedKey } from './names.js';
import type { RescreenChunkResult } from './jobs.js';

/** Completion records outlive any sane rescreen. @defaultValue 14 days */
const TTL_SECONDS = 14 * 24 * 3600;

export interface RunRecord {
  runId: string;
  snapshotId: string;
  mode: string;
  trigger: string;
  totalChunks: number;
  totalCustomers: number;
  /** Customers in the whole base, when known (delta runs report rescreened vs. base). */
  baseCustomers: number;
  doneChunks: number;
  screened: number;
  skipped: number;
  recorded: number;
  errors: number;
  /** Chunks screened on a later snapshot than the run's, because the run's had been replaced (carriedForwardTo). */
  carriedForwardChunks: number;
  startedAt: string;
  outcomes: Record<string, number>;
}

const runKey = (prefix: string, runId: string) => prefixedKey(prefix, 'rescreen', 'run', runId);
const chunksKey = (prefix: string, snapshotId: string) => prefixedKey(prefix, 'rescreen', 'chunks', snapshotId);
const customersKey = (prefix: string, chunkId: string) => prefixedKey(prefix, 'rescreen', 'cust', chunkId);

// KEYS: run, chunksDone, chunkCustomers. ARGV: chunkId, ttl, screened, skipped, recorded, errors, carried forward (0/1),
// then outcome/count pairs.
const COMPLETE_CHUNK = `
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('HINCRBY', KEYS[1], 'doneChunks', 1)
redis.call('HINCRBY', KEYS[1], 'screened', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'skipped', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'recorded', ARGV[5])
redis.call('HINCRBY', KEYS[1], 'errors', ARGV[6])
redis.call('HINCRBY', KEYS[1], 'carriedForwardChunks', ARGV[7])
for i = 8, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], 'outcome:' .. ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[3])
return 1
`;

/** Redis-backed ledger; all keys sit under the queue prefix's hash tag. */
export class RescreenLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Creates the run record unless it exists (a restarted rescreen resumes the same run). Returns true when created. */
  async openRun(meta: Omit<RunRecord, 'doneChunks' | 'screened' | 'skipped' | 'recorded' | 'errors' | 'carriedForwardChunks' | 'outcomes'>): Promise<boolean> {
    const key = runKey(this.prefix, meta.runId);
    const created = await this.redis.hsetnx(key, 'runId', meta.runId);
    if (created === 1) {
      await this.redis
        .multi()
        .hset(key, {
          snapshotId: meta.snapshotId,
          mode: meta.mode,
          trigger: meta.trigger,
          totalChunks: meta.totalChunks,
          totalCustomers: meta.totalCustomers,
          baseCustomers: meta.baseCustomers,
          startedAt: meta.startedAt,
        })
        .expire(key, TTL_SECONDS)
        .exec();
    }
    return created === 1;
  }

  async readRun(runId: string): Promise<RunRecord | undefined> {
    const h = await this.redis.hgetall(runKey(this.prefix, runId));
    if (!h.runId) return undefined;
    const n = (k: string) => Number(h[k] ?? 0);
    const outcomes: Record<string, number> = {};
    for (const [k, v] of Object.entries(h)) if (k.startsWith('outcome:')) outcomes[k.slice(8)] = Number(v);
    return {
      runId: h.runId,
      snapshotId: h.snapshotId ?? '',
      mode: h.mode ?? '',
      trigger: h.trigger ?? '',
      totalChunks: n('totalChunks'),
      totalCustomers: n('totalCustomers'),
      baseCustomers: n('baseCustomers'),
      doneChunks: n('doneChunks'),
      screened: n('screened'),
      skipped: n('skipped'),
      recorded: n('recorded'),
      errors: n('errors'),
      carriedForwardChunks: n('carriedForwardChunks'),
      startedAt: h.startedAt ?? '',
      outcomes,
    };
  }

  async isChunkDone(snapshotId: string, chunkId: string): Promise<boolean> {
    return (await this.redis.sismember(chunksKey(this.prefix, snapshotId), chunkId)) === 1;
  }

  /** Customers of an unfinished chunk already screened (by an attempt that crashed). */
  async doneCustomers(chunkId: string): Promise<Set<string>> {
    return new Set(await this.redis.smembers(customersKey(this.prefix, chunkId)));
  }

  /** Marks customers of a chunk as screened (on its snapshot, or the one in force it was carried to). */
  async markCustomers(chunkId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const key = customersKey(this.prefix, chunkId);
    await this.redis.multi().sadd(key, ...ids).expire(key, TTL_SECONDS).exec();
  }

  /** Atomically marks a chunk done and adds its counts to the run, once; returns false when it was already done. */
  async completeChunk(runId: string, snapshotId: string, chunkId: string, r: RescreenChunkResult): Promise<boolean> {
    const outcomeArgs = Object.entries(r.outcomes).flatMap(([k, v]) => [k, String(v)]);
    const res = await this.redis.eval(
      COMPLETE_CHUNK,
      3,
      runKey(this.prefix, runId),
      chunksKey(this.prefix, snapshotId),
      customersKey(this.prefix, chunkId),
      chunkId,
      String(TTL_SECONDS),
      String(r.screened),
      String(r.skipped),
      String(r.recorded),
      String(r.errors),
      r.carriedForwardTo ? '1' : '0',
      ...outcomeArgs,
    );
    return res === 1;
  }
}
