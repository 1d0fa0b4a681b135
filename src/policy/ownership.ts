// Ownership aggregation: the share of a node held by listed parties, multiplied down chains and added across owners.

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
}

export interface OwnershipShare {
  share: number;
  paths: OwnershipPath[];
}

const clamp = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 0 : Math.min(1, Math.max(0, n)));

/**
 * Share of `node` owned by listed parties: Σ over owners of stake × (1 when the owner is listed, or is itself
 * owned ≥ `threshold` by listed parties — the OFAC cascade; else the owner's own listed share).
 */
export function listedShare(node: OwnershipNode, isListed: (subject: string) => boolean, threshold: number): OwnershipShare {
  const memo = new Map<string, OwnershipShare>();
  const walk = (n: OwnershipNode, seen: Set<string>): OwnershipShare => {
    const cached = memo.get(n.subject);
    if (cached) return cached;
    const paths: OwnershipPath[] = [];
    let share = 0;
    for (const owner of n.owners) {
      if (seen.has(owner.subject)) continue;
      const stake = clamp(owner.ownership);
      if (stake === 0) continue;
      if (isListed(owner.subject)) {
        share += stake;
        paths.push({ path: [owner.subject], holder: owner.subject, holderCascaded: false, stakes: [stake], share: stake });
        continue;
      }
      const inner = walk(owner, new Set([...seen, owner.subject]));
      if (inner.share >= threshold) {
        share += stake;
        paths.push({ path: [owner.subject], holder: owner.subject, holderCascaded: true, stakes: [stake], share: stake });
      } else {
        share += stake * inner.share;
        for (const p of inner.paths) {
          paths.push({ path: [owner.subject, ...p.path], holder: p.holder, holderCascaded: p.holderCascaded, stakes: [stake, ...p.stakes], share: stake * p.share });
        }
      }
    }
    const result = { share: Math.min(1, share), paths };
    memo.set(n.subject, result);
    return result;
  };
  return walk(node, new Set([node.subject]));
}
