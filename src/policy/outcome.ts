// Outcome ordering: allow < review < deny; a decision takes the most severe outcome among its reasons.
import type { Outcome, Reason } from '../model/index.js';

const RANK: Readonly<Record<Outcome, number>> = Object.freeze({ allow: 0, review: 1, deny: 2 });

export function worse(a: Outcome, b: Outcome): Outcome {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The lesser of two outcomes (a cap). */
export function capAt(outcome: Outcome, cap: Outcome): Outcome {
  return RANK[outcome] <= RANK[cap] ? outcome : cap;
}

/** The decision outcome of a set of reasons: the most severe one, `allow` when there are none. */
export function combine(reasons: readonly Reason[]): Outcome {
  return reasons.reduce<Outcome>((acc, r) => worse(acc, r.outcome), 'allow');
}
