// Job payloads of the refresh and rescreen queues, and their content-hash job ids (adding the same job twice is a no-op).
import { createHash } from 'node:crypto';
import type { Customer } from '../model/index.js';

/** Why a job runs. */
export type Trigger = 'scheduled' | 'manual' | 'startup' | 'list-change' | 'customer-change' | 'rule-date';

export interface RefreshJobData {
  /** Source id from lists/sources.json, e.g. `ofac-sdn`. */
  source: string;
  trigger: Trigger;
  /** Accept even when counts drop below the configured fraction. */
  force?: boolean;
  requestedAt: string;
}

export interface RefreshJobResult {
  source: string;
  /** `accepted`: a new snapshot serves; `unchanged`: same content (or HTTP 304); `refused`: validation failed. */
  status: 'accepted' | 'unchanged' | 'refused';
  snapshotId?: string;
  previousSnapshotId?: string;
  reason?: string;
  diff?: { added: number; removed: number; changed: number };
}

/** Where the customers of a rescreen come from. */
export type CustomerSource =
  | { kind: 'file'; path: string; format: 'ndjson' | 'csv' }
  | { kind: 'db' }
  | { kind: 'inline' };

/** The slice of a source one chunk job covers. */
export type ChunkRange =
  | { kind: 'bytes'; start: number; end: number; firstLine: number; count: number }
  | { kind: 'ids'; afterId: string | null; lastId: string; count: number }
  | { kind: 'inline'; customers: Customer[]; count: number };

export interface RescreenChunkData {
  runId: string;
  snapshotId: string;
  trigger: Trigger;
  source: CustomerSource;
  range: ChunkRange;
  /** Record every decision (true) or only those that are not `allow` (default). */
  recordAll?: boolean;
  policy?: string;
}

export interface RescreenChunkResult {
  screened: number;
  skipped: number;
  recorded: number;
  errors: number;
  outcomes: Record<string, number>;
  /** The snapshot the chunk was screened on when the one it was planned on was no longer in force. */
  carriedForwardTo?: string;
}

/** A plan job expands into chunk jobs inside a worker (the scheduled full rescreen, a delta after a refresh, a rule date). */
export interface RescreenPlanData {
  mode: 'all' | 'delta';
  trigger: Trigger;
  /** Delta: the snapshot the diff starts from. */
  fromSnapshotId?: string;
  /** The snapshot to rescreen against (default: the engine's current one). */
  toSnapshotId?: string;
  requestedAt: string;
  /** Rule date that triggered it (`rule-date`). */
  ruleDate?: string;
}

/** Lowercase hex sha256 of the JSON of `parts`. */
export function contentHash(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * BullMQ job id of a chunk: hash(run, snapshot, source, range). The run id is itself a hash of the
 * snapshot, the source and the mode, so restarting a rescreen yields the same ids (resumable,
 * idempotent). Custom ids may not contain `:`.
 */
export function chunkJobId(runId: string, snapshotId: string, source: CustomerSource, range: ChunkRange): string {
  const r = range.kind === 'inline' ? { kind: 'inline', ids: range.customers.map((c) => contentHash(c)) } : range;
  return `chunk-${contentHash(runId, snapshotId, source, r).slice(0, 40)}`;
}

/** Run id of a rescreen: hash(snapshot, source, mode). The same rescreen started twice is the same run. */
export function rescreenRunId(snapshotId: string, source: CustomerSource, mode: string): string {
  return `run-${contentHash(snapshotId, source, mode).slice(0, 32)}`;
}

/**
 * The deterministic screening id of one customer's rescreen: hash(run, snapshot, policy pack + version,
 * rule data version, customer). A retried chunk of the same run gets the same id (stored once); a rerun
 * that can decide differently — another run (e.g. a rule-date rescreen on the same snapshot), another
 * pack or rule data — gets a new one, so its decision is recorded and can open a case.
 */
export function rescreenScreeningId(
  run: { runId: string; snapshotId: string },
  rules: { policy?: string; policyVersion?: string; rulesVersion?: string },
  customer: Customer,
): string {
  return `rs-${contentHash(run.runId, run.snapshotId, rules.policy ?? null, rules.policyVersion ?? null, rules.rulesVersion ?? null, customer.id, customer).slice(0, 32)}`;
}
