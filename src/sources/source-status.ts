// Per-source refresh status shared across processes in Redis: breaker state, last failure, last refusal, last success.
import type { Redis } from 'ioredis';

export type BreakerState = 'closed' | 'half-open' | 'open';

/** Numeric encoding used in metrics: 0 closed, 1 half-open, 2 open. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = Object.freeze({ closed: 0, 'half-open': 1, open: 2 });

export interface SourceStatus {
  source: string;
  breaker: BreakerState;
  updatedAt: string;
  lastSuccessAt?: string;
  /** Snapshot id the last accepted refresh produced. */
  snapshotId?: string;
  lastFailureAt?: string;
  /** KycError code and message of the last failure (download or validation). */
  lastError?: { code: string; kind?: string; message: string };
  /** The last refused file set: the previous snapshot kept serving. */
  lastRefusal?: { at: string; reason: string };
  consecutiveFailures: number;
}

const key = (prefix: string) => `${prefix}:sources:status`;

/** Merges `patch` into a source's status. Best effort: status is observability, never a reason to fail a refresh. */
export async function updateSourceStatus(redis: Redis, prefix: string, source: string, patch: Partial<SourceStatus>, now: Date = new Date()): Promise<SourceStatus> {
  const current = await readOne(redis, prefix, source);
  const next: SourceStatus = { ...current, ...patch, source, updatedAt: now.toISOString() };
  await redis.hset(key(prefix), source, JSON.stringify(next));
  return next;
}

async function readOne(redis: Redis, prefix: string, source: string): Promise<SourceStatus> {
  const raw = await redis.hget(key(prefix), source);
  if (raw) return JSON.parse(raw) as SourceStatus;
  return { source, breaker: 'closed', updatedAt: new Date(0).toISOString(), consecutiveFailures: 0 };
}

/** Status of every source that ever refreshed, keyed by source id (for `lists status`, /metrics, /v1/lists). */
export async function readSourceStatus(redis: Redis, prefix: string): Promise<Record<string, SourceStatus>> {
  const all = await redis.hgetall(key(prefix));
  const out: Record<string, SourceStatus> = {};
  for (const [k, v] of Object.entries(all)) out[k] = JSON.parse(v) as SourceStatus;
  return out;
}
