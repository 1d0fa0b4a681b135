// Ownership aggregation: listed parties' share of a node, directly and through blocked intermediaries, plus the look-through share.

import type { OwnershipNode } from './parties.js';

/** One path through which listed parties hold part of the customer. */
export interface OwnershipPath {
  /** Subjects from the customer's direct owner up to the listed (or itself blocked) holder. */
  path: string[];
  /** The holder at the end of the path: listed itself, or owned ≥ threshold by listed parties (cascade). */
  holder: string;
  holderCascaded: boolean;
  /** The stakes along the path, direct owner first. */
  stakes: number[];
  /** Their product: the share of the customer held through this path. */
  share: number;
  /**
   * True when the path runs through an intermediary that is not itself owned ≥ threshold by listed parties: the
   * share is only a product of stakes (look-through), not an interest of a blocked person (OFAC FAQ 401).
   */
  multiplied: boolean;
}

export interface OwnershipShare {
  /** Held directly by listed parties or by intermediaries that are themselves blocked (owned ≥ threshold): the 50% rule's share. */
  share: number;
  /** `share` plus stakes multiplied down through intermediaries that are not blocked (look-through; caution only). */
  lookThrough: number;
  /** Every contributing path; those with `multiplied` make up `lookThrough − share`. */
  paths: OwnershipPath[];
}

/** Shares compare with a small tolerance: 0.3 + 0.2 must reach 0.5 despite floating point. */
export const SHARE_EPSILON = 1e-9;

/** True when `share` reaches `threshold` (with SHARE_EPSILON tolerance). */
export function reaches(share: number, threshold: number): boolean {
  return share >= threshold - SHARE_EPSILON;
}

const clamp = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 0 : Math.min(1, Math.max(0, n)));

/**
 * Share of `node` owned by listed parties. An owner counts fully (its stake) when it is listed, or when it is itself
 * owned ≥ `threshold` by listed parties directly or through blocked intermediaries — the OFAC cascade. A stake in an
 * owner that is not blocked only adds stake × that owner's look-through share to `lookThrough`, never to `share`.
 */
export function listedShare(node: OwnershipNode, isListed: (subject: string) => boolean, threshold: number): OwnershipShare {
  const memo = new Map<string, OwnershipShare>();
  const walk = (n: OwnershipNode, seen: Set<string>): OwnershipShare => {
    const cached = memo.get(n.subject);
    if (cached) return cached;
    const paths: OwnershipPath[] = [];
    let share = 0;
    let lookThrough = 0;
    for (const owner of n.owners) {
      if (seen.has(owner.subject)) continue;
      const stake = clamp(owner.ownership);
      if (stake === 0) continue;
      if (isListed(owner.subject)) {
        share += stake;
        lookThrough += stake;
        paths.push({ path: [owner.subject], holder: owner.subject, holderCascaded: false, stakes: [stake], share: stake, multiplied: false });
        continue;
      }
      const inner = walk(owner, new Set([...seen, owner.subject]));
      if (reaches(inner.share, threshold)) {
        // the intermediary is blocked itself: the customer's stake held by it counts fully
        share += stake;
        lookThrough += stake;
        paths.push({ path: [owner.subject], holder: owner.subject, holderCascaded: true, stakes: [stake], share: stake, multiplied: false });
      } else if (inner.lookThrough > 0) {
        lookThrough += stake * inner.lookThrough;
        for (const p of inner.paths) {
          paths.push({
            path: [owner.subject, ...p.path],
            holder: p.holder,
            holderCascaded: p.holderCascaded,
            stakes: [stake, ...p.stakes],
            share: stake * p.share,
            multiplied: true,
          });
        }
      }
    }
    const result = { share: Math.min(1, share), lookThrough: Math.min(1, lookThrough), paths };
    memo.set(n.subject, result);
    return result;
  };
  return walk(node, new Set([node.subject]));
}
