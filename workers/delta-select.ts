// Delta rescreen selection: which customers a snapshot diff can affect (names close to an added/changed entry, open cases on removed ones).
import type { SnapshotDiff } from '../src/lists/diff.js';
import { buildIndex, type TokenWeights } from '../src/match/index.js';
import type { MatchIndex } from '../src/match/types.js';
import { customerReached, partyNames, planEntryKeys, type EntryKeyPlan, type KeyPlanOptions } from '../src/match/blocking-keys.js';
import type { Customer, ListEntry } from '../src/model/index.js';

/** Candidate threshold of the delta prefilter: a little under the default review threshold (0.85), so the full screen decides. @defaultValue 0.8 */
export const DELTA_MIN_SCORE = 0.8;

export { partyNames };

/** Entries whose names a customer could newly match: added ones and the new version of changed ones. */
export function deltaEntries(diff: SnapshotDiff): ListEntry[] {
  return [...diff.added, ...diff.changed.map((c) => c.after)];
}

/** Entries whose existing cases need a second look: removed ones and the old version of changed ones. */
export function staleEntries(diff: SnapshotDiff): { list: string; sourceId: string }[] {
  return [...diff.removed, ...diff.changed.map((c) => c.before)].map((e) => ({ list: e.list, sourceId: e.sourceId }));
}

/** What a delta needs from a diff: its entries' key plan and the matcher check over just those entries. */
export interface DeltaPlan {
  /** Keys to look customers up by, and which common tokens are not needed (blocking-keys.ts planEntryKeys). */
  keys: EntryKeyPlan;
  /** Could this customer match an entry of the diff (the matcher, no prefilter)? */
  verify: (c: Customer) => boolean;
  /** Is this customer reached by the plan's keys (the brute-force form of the token index lookup)? */
  reached: (c: Customer) => boolean;
}

/**
 * Builds H2's index over just the diff's entries (with the full snapshot's token weights, so scores
 * equal the full index's) once, and the key plan with the same weights and threshold.
 */
export function createDeltaPlan(
  diff: SnapshotDiff,
  opts: { weights?: TokenWeights; minScore?: number } & Pick<KeyPlanOptions, 'customersWith' | 'minCustomers'> = {},
): DeltaPlan {
  const entries = deltaEntries(diff);
  const minScore = opts.minScore ?? DELTA_MIN_SCORE;
  if (entries.length === 0) return { keys: { names: [], keys: new Set(), keepKeys: new Set(), looseBy: new Map() }, verify: () => false, reached: () => false };
  const index = buildIndex(entries, opts.weights ? { weights: opts.weights } : {});
  const keys = planEntryKeys(entries, {
    weights: opts.weights ?? index.weights,
    minScore,
    ...(opts.customersWith ? { customersWith: opts.customersWith } : {}),
    ...(opts.minCustomers !== undefined ? { minCustomers: opts.minCustomers } : {}),
  });
  return { keys, verify: verifierOf(index, minScore), reached: (c) => customerReached(keys, c) };
}

/** The matcher check; each distinct (type, name) is searched once (parents, owners and common names repeat; country does not change the score). */
function verifierOf(index: MatchIndex, minScore: number): (c: Customer) => boolean {
  const seen = new Map<string, boolean>();
  return (c) => {
    for (const n of partyNames(c)) {
      const key = `${n.type}\u0000${n.name}`;
      let hit = seen.get(key);
      if (hit === undefined) {
        hit = index.search({ name: n.name, type: n.type }, { minScore, limit: 1 }).length > 0;
        if (seen.size < 200_000) seen.set(key, hit);
      }
      if (hit) return true;
    }
    return false;
  };
}

/**
 * The exact test "could this customer match an entry of the diff?": H2's index built over just the
 * diff's entries (with the full snapshot's token weights, so scores equal the full index's), queried
 * with each of the customer's party names. No prefilter: callers hand it candidates.
 */
export function createDeltaVerifier(diff: SnapshotDiff, opts: { weights?: TokenWeights; minScore?: number } = {}): (c: Customer) => boolean {
  const entries = deltaEntries(diff);
  if (entries.length === 0) return () => false;
  return verifierOf(buildIndex(entries, opts.weights ? { weights: opts.weights } : {}), opts.minScore ?? DELTA_MIN_SCORE);
}

/**
 * The scan-path predicate: a customer the diff's key plan does not reach (no shared blocking key,
 * or only exact common tokens an entry name does not need) is skipped; the rest go to the verifier.
 */
export function createDeltaMatcher(diff: SnapshotDiff, opts: { weights?: TokenWeights; minScore?: number } = {}): (c: Customer) => boolean {
  const plan = createDeltaPlan(diff, opts);
  return (c) => plan.reached(c) && plan.verify(c);
}

/** Token weights of a built index, when it exposes them (H2's does). */
export function indexWeights(index: unknown): TokenWeights | undefined {
  const w = (index as { weights?: TokenWeights } | undefined)?.weights;
  return w && typeof w.weightOf === 'function' ? w : undefined;
}

export interface DeltaSelection {
  /** Customers to rescreen, each once. */
  affected: Customer[];
  /** Customers looked at (the whole base). */
  base: number;
  /** Of `affected`: selected because a name is close to an added/changed entry. */
  byMatch: number;
  /** Of `affected`: selected because an open case refers to a removed/changed entry. */
  byOpenCase: number;
}

/**
 * Streams the customer base once and keeps those the diff can affect. `openCaseIds` are customers
 * with unresolved cases on stale entries (from the case store); they are always included.
 */
export async function selectDeltaCustomers(
  diff: SnapshotDiff,
  customers: AsyncIterable<unknown[]>,
  opts: { weights?: TokenWeights; minScore?: number; openCaseIds?: ReadonlySet<string> } = {},
): Promise<DeltaSelection> {
  const matches = createDeltaMatcher(diff, opts);
  const openCase = opts.openCaseIds ?? new Set<string>();
  const affected: Customer[] = [];
  const seen = new Set<string>();
  let base = 0;
  let byMatch = 0;
  let byOpenCase = 0;
  for await (const batch of customers) {
    for (const value of batch) {
      const c = value as Customer;
      if (!c || typeof c.id !== 'string' || typeof c.name !== 'string') continue;
      base += 1;
      if (seen.has(c.id)) continue;
      if (openCase.has(c.id)) {
        seen.add(c.id);
        affected.push(c);
        byOpenCase += 1;
      } else if (matches(c)) {
        seen.add(c.id);
        affected.push(c);
        byMatch += 1;
      }
    }
  }
  return { affected, base, byMatch, byOpenCase };
}
