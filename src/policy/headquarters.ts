// Headquarters test: the tiers of the customer and its ultimate parent on the decision date, and the reasons they raise.
import type { ComputeRequest, Outcome, Reason, RequestPurpose } from '../model/index.js';
import { isIsoCountry } from '../model/countries.js';
import type { PartyTree } from './parties.js';
import type { PolicyPack, RuleData } from './schema.js';
import { countryTier, type Tier, type TierResult } from './tiers.js';

export interface HqParty {
  subject: string;
  name: string;
  result: TierResult;
  /** Set when this is one of several candidate ultimate parents (stakes tie or are missing). */
  candidateOf?: number;
}

export interface HqAssessment {
  /** The parties tested (customer, ultimate parent) whose country is a valid ISO code. */
  parties: HqParty[];
  /** The worst (highest) tier among them; 2 when none is known (not shown to be Tier 1). */
  tier: Tier;
  /** The party that sets `tier`, when known. */
  decisive?: HqParty;
}

/**
 * Tiers of the customer and its ultimate parent (DOMAIN.md §3: "headquartered in, or whose ultimate parent is
 * headquartered in"). When parents tie for the largest stake (or a stake is missing), every candidate ultimate parent
 * is tested and the worst tier decides.
 */
export function assessHeadquarters(tree: PartyTree, pack: PolicyPack, rules: RuleData, now: Date): HqAssessment {
  const candidates = [tree.root, ...tree.ultimateParents];
  const parties: HqParty[] = [];
  for (const node of candidates) {
    if (node.country === undefined || !isIsoCountry(node.country)) continue;
    const candidateOf = node !== tree.root && tree.ultimateParents.length > 1 ? tree.ultimateParents.length : undefined;
    parties.push({ subject: node.subject, name: node.name, result: countryTier(node.country, now, pack, rules), ...(candidateOf ? { candidateOf } : {}) });
  }
  let decisive: HqParty | undefined;
  for (const p of parties) if (!decisive || p.result.tier > decisive.result.tier) decisive = p;
  return { parties, tier: decisive?.result.tier ?? 2, decisive };
}

/** The purpose a request is judged under: as given, else the pack's `unknownPurpose` (training: the upper bound). */
export function effectivePurpose(request: ComputeRequest, pack: PolicyPack): { purpose: RequestPurpose; assumed: boolean } {
  return request.purpose ? { purpose: request.purpose, assumed: false } : { purpose: pack.training.unknownPurpose, assumed: true };
}

const role = (p: HqParty) =>
  p.subject === 'customer'
    ? 'customer'
    : `ultimate parent ${p.subject}${p.candidateOf ? ` (one of ${p.candidateOf} candidate ultimate parents: stakes tie or are missing; every chain is tested, the worst tier decides)` : ''}`;

/** TIER3_HEADQUARTERS (and any other tier the pack's headquarters rules name) for the customer and ultimate parent. */
export function headquartersReasons(hq: HqAssessment, request: ComputeRequest | undefined, pack: PolicyPack): Reason[] {
  const reasons: Reason[] = [];
  for (const party of hq.parties) {
    const key = String(party.result.tier) as '1' | '2' | '3';
    const rule = pack.headquarters.tiers[key];
    if (!rule) continue;
    let outcome: Outcome;
    let why: string;
    if (!request) {
      outcome = rule.noRequest;
      why = `without a compute request → ${outcome}`;
    } else {
      const { purpose, assumed } = effectivePurpose(request, pack);
      outcome = rule.purposes[purpose] ?? rule.noRequest;
      why = `request purpose ${purpose}${assumed ? ' (not given; assumed)' : ''} → ${outcome}`;
    }
    const code = party.result.tier === 3 ? 'TIER3_HEADQUARTERS' : 'TIER2_HEADQUARTERS';
    reasons.push({
      code,
      subject: party.subject,
      outcome,
      detail: `${role(party)} ${JSON.stringify(party.name)} headquartered in ${party.result.country}: Tier ${party.result.tier} — ${party.result.basis}; ${rule.rule}; ${why}`,
      country: party.result.country,
      ...(party.result.treatedAs ? { treatedAs: party.result.treatedAs } : {}),
      tier: party.result.tier,
    });
  }
  return reasons;
}
