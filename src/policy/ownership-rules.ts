// OWNED_BY_LISTED: the pack's 50% rules (OFAC always, BIS Affiliates by date) over the aggregated ownership graph.
import type { Hit, Outcome, Reason } from '../model/index.js';
import { inPeriod, isoDay } from './dates.js';
import { pct } from './format.js';
import { isStrongHit } from './list-match.js';
import { capAt } from './outcome.js';
import { listedShare, reaches, type OwnershipPath, type OwnershipShare } from './ownership.js';
import type { PartyTree } from './parties.js';
import type { PolicyPack } from './schema.js';

type Rule = PolicyPack['ownership']['rules'][number];

function describePath(p: OwnershipPath, tree: PartyTree, holders: Map<string, Hit>, threshold: number): string {
  const hit = holders.get(p.holder);
  const node = tree.nodes.get(p.holder);
  const who = hit
    ? `${p.holder} ${JSON.stringify(node?.name ?? hit.queryName)} (${hit.list} ${hit.sourceId}, score ${hit.score.toFixed(3)})`
    : `${p.holder} ${JSON.stringify(node?.name ?? '')} (itself owned ≥ ${pct(threshold)} by listed parties)`;
  const chain = p.stakes.length > 1 ? `${p.stakes.map((s) => pct(s)).join(' × ')} = ${pct(p.share)} via ${p.path.slice(0, -1).join(' → ')}` : pct(p.share);
  return `${who} ${chain}`;
}

const describe = (paths: OwnershipPath[], tree: PartyTree, holders: Map<string, Hit>, threshold: number): string =>
  paths.map((p) => describePath(p, tree, holders, threshold)).join(' + ');

/** The intermediaries a multiplied path runs through (not themselves owned ≥ threshold by listed parties). */
function intermediaries(paths: OwnershipPath[]): string[] {
  return [...new Set(paths.filter((p) => p.multiplied).flatMap((p) => p.path.slice(0, -1)))];
}

type Basis = 'strong' | 'possible';
const BASIS_TEXT: Record<Basis, string> = {
  strong: 'listed parties (hits ≥ deny threshold)',
  possible: 'parties that may be listed (hits ≥ review threshold, not all confirmed)',
};

/**
 * For each ownership rule of the pack: the customer's share held by parties listed on the rule's lists.
 * - held ≥ threshold directly or through intermediaries that are themselves blocked (the cascade), by strong hits
 *   (≥ deny threshold, corroborated): the rule's outcome;
 * - the same counting also possible hits (≥ review threshold): review;
 * - ≥ threshold only when stakes are multiplied down through intermediaries that are not majority-owned by listed
 *   parties: such intermediaries are not blocked and pass nothing on (OFAC FAQ 401), so the rule does not block the
 *   customer — but DOMAIN.md §6 asks for caution below 50%: review.
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
    const ctx = { rule, inForce, day, threshold, tree };
    const strongShare = listedShare(tree.root, (s) => strong.has(s), threshold);
    if (reaches(strongShare.share, threshold)) {
      reasons.push(ownedReason(ctx, strongShare, strong, 'strong', ruleOutcome));
      continue;
    }
    const possibleShare = listedShare(tree.root, (s) => possible.has(s), threshold);
    if (reaches(possibleShare.share, threshold)) {
      reasons.push(ownedReason(ctx, possibleShare, possible, 'possible', capAt(ruleOutcome, 'review')));
      continue;
    }
    if (reaches(strongShare.lookThrough, threshold)) reasons.push(cautionReason(ctx, strongShare, strong, 'strong', capAt(ruleOutcome, 'review')));
    else if (reaches(possibleShare.lookThrough, threshold)) reasons.push(cautionReason(ctx, possibleShare, possible, 'possible', capAt(ruleOutcome, 'review')));
  }
  return reasons;
}

interface RuleContext {
  rule: Rule;
  inForce: boolean;
  day: string;
  threshold: number;
  tree: PartyTree;
}

function stateText({ rule, inForce, day }: RuleContext): string {
  return inForce ? `in force on ${day}` : `not in force on ${day}${rule.whenNotInForce ? ` (${rule.whenNotInForce})` : ''}`;
}

function common(ctx: RuleContext, share: OwnershipShare, paths: OwnershipPath[], holders: Map<string, Hit>, outcome: Outcome) {
  const entries = paths.map((p) => holders.get(p.holder)).filter((h): h is Hit => h !== undefined).map((h) => ({ list: h.list, sourceId: h.sourceId }));
  return {
    code: 'OWNED_BY_LISTED' as const,
    subject: 'customer',
    outcome,
    rule: ctx.rule.id,
    ruleInForce: ctx.inForce,
    lists: ctx.rule.lists,
    share: share.share,
    lookThrough: share.lookThrough,
    threshold: ctx.threshold,
    paths,
    entries,
  };
}

/** The rule's share reaches the threshold: directly or through intermediaries that are blocked themselves. */
function ownedReason(ctx: RuleContext, share: OwnershipShare, holders: Map<string, Hit>, basis: Basis, outcome: Outcome): Reason {
  const { rule, threshold, tree } = ctx;
  const counted = share.paths.filter((p) => !p.multiplied);
  const extra = share.lookThrough - share.share;
  const notCounted =
    extra > 0 ? `; a further ${pct(extra)} held only through intermediaries not majority-owned by listed parties (${intermediaries(share.paths).join(', ')}) is not counted` : '';
  return {
    ...common(ctx, share, counted, holders, outcome),
    detail:
      `${rule.title} (${rule.lists.join(', ')}; ${stateText(ctx)}): ${BASIS_TEXT[basis]} own ${pct(share.share)} of the customer ≥ ${pct(threshold)} — ` +
      `${describe(counted, tree, holders, threshold)} (directly or through intermediaries they own ≥ ${pct(threshold)}, added across owners)${notCounted} → ${outcome}`,
  };
}

/** Only the look-through share (stakes multiplied through intermediaries that are not blocked) reaches the threshold. */
function cautionReason(ctx: RuleContext, share: OwnershipShare, holders: Map<string, Hit>, basis: Basis, outcome: Outcome): Reason {
  const { rule, threshold, tree } = ctx;
  const via = intermediaries(share.paths);
  return {
    ...common(ctx, share, share.paths, holders, outcome),
    caution: true,
    detail:
      `${rule.title} (${rule.lists.join(', ')}; ${stateText(ctx)}): ${BASIS_TEXT[basis]} own ${pct(share.share)} of the customer directly or through intermediaries ` +
      `they own ≥ ${pct(threshold)}, below ${pct(threshold)}; only with stakes multiplied down through intermediaries not majority-owned by listed parties ` +
      `(${via.join(', ')}) does it reach ${pct(share.lookThrough)} — ${describe(share.paths, tree, holders, threshold)}. Such intermediaries are not blocked and ` +
      `pass no interest on (the 50% rule cascades only through entities owned ≥ 50% by listed parties; OFAC FAQ 401), so the rule does not block the ` +
      `customer; caution for indirect interests below 50% → ${outcome}`,
  };
}
