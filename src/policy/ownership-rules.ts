// OWNED_BY_LISTED: the pack's 50% rules (OFAC always, BIS Affiliates by date) over the aggregated ownership graph.
import type { Hit, Outcome, Reason } from '../model/index.js';
import { inPeriod, isoDay } from './dates.js';
import { pct } from './format.js';
import { isStrongHit } from './list-match.js';
import { listedShare, type OwnershipShare } from './ownership.js';
import type { PartyTree } from './parties.js';
import type { PolicyPack } from './schema.js';

type Rule = PolicyPack['ownership']['rules'][number];

function describe(share: OwnershipShare, tree: PartyTree, holders: Map<string, Hit>): string {
  return share.paths
    .map((p) => {
      const hit = holders.get(p.holder);
      const node = tree.nodes.get(p.holder);
      const who = hit
        ? `${p.holder} ${JSON.stringify(node?.name ?? hit.queryName)} (${hit.list} ${hit.sourceId}, score ${hit.score.toFixed(3)})`
        : `${p.holder} ${JSON.stringify(node?.name ?? '')} (itself owned ≥ 50% by listed parties)`;
      const chain = p.stakes.length > 1 ? `${p.stakes.map((s) => pct(s)).join(' × ')} = ${pct(p.share)} via ${p.path.slice(0, -1).join(' → ')}` : pct(p.share);
      return `${who} ${chain}`;
    })
    .join(' + ');
}

/**
 * For each ownership rule of the pack: the customer's share held by parties listed on the rule's lists.
 * Strong hits (≥ deny threshold, corroborated) decide; counting also possible hits (≥ review) only reaches `review`.
 */
export function ownershipReasons(tree: PartyTree, hitsBySubject: Map<string, Hit[]>, pack: PolicyPack, now: Date): Reason[] {
  const reasons: Reason[] = [];
  const day = isoDay(now);
  const threshold = pack.ownership.threshold;
  for (const rule of pack.ownership.rules) {
    const inForce = rule.inForce.some((p) => inPeriod(day, p.from, p.to));
    const ruleOutcome: Outcome | null = inForce ? rule.outcome : rule.outcomeWhenNotInForce;
    if (ruleOutcome === null) continue;
    const strong = new Map<string, Hit>();
    const possible = new Map<string, Hit>();
    for (const [subject, hits] of hitsBySubject) {
      if (subject === 'customer' || subject.startsWith('alias:')) continue;
      for (const hit of hits) {
        if (hit.suppressed || !rule.lists.includes(hit.list)) continue;
        if (isStrongHit(hit, pack) && !strong.has(subject)) strong.set(subject, hit);
        if (!possible.has(subject)) possible.set(subject, hit);
      }
    }
    if (possible.size === 0) continue;
    const strongShare = listedShare(tree.root, (s) => strong.has(s), threshold);
    let share = strongShare;
    let holders = strong;
    let outcome: Outcome = ruleOutcome;
    let basis = 'listed parties (hits ≥ deny threshold)';
    if (strongShare.share < threshold) {
      share = listedShare(tree.root, (s) => possible.has(s), threshold);
      holders = possible;
      outcome = 'review';
      basis = 'parties that may be listed (hits ≥ review threshold, not all confirmed)';
    }
    if (share.share < threshold) continue;
    reasons.push(ownedReason(rule, inForce, day, share, threshold, tree, holders, basis, outcome));
  }
  return reasons;
}

function ownedReason(
  rule: Rule,
  inForce: boolean,
  day: string,
  share: OwnershipShare,
  threshold: number,
  tree: PartyTree,
  holders: Map<string, Hit>,
  basis: string,
  outcome: Outcome,
): Reason {
  const state = inForce ? `in force on ${day}` : `not in force on ${day}${rule.whenNotInForce ? ` (${rule.whenNotInForce})` : ''}`;
  const entries = share.paths.map((p) => holders.get(p.holder)).filter((h): h is Hit => h !== undefined).map((h) => ({ list: h.list, sourceId: h.sourceId }));
  return {
    code: 'OWNED_BY_LISTED',
    subject: 'customer',
    outcome,
    detail:
      `${rule.title} (${rule.lists.join(', ')}; ${state}): ${basis} own ${pct(share.share)} of the customer ≥ ${pct(threshold)} — ` +
      `${describe(share, tree, holders)} (stakes multiplied down each chain, added across owners) → ${outcome}`,
    rule: rule.id,
    ruleInForce: inForce,
    share: share.share,
    threshold,
    paths: share.paths,
    entries,
  };
}
