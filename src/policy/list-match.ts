// LIST_MATCH: the outcome one name hit leads to under the pack (thresholds, the list's rule, corroboration).
import type { Hit, Outcome, Reason } from '../model/index.js';
import { isoDay } from './dates.js';
import { capAt } from './outcome.js';
import type { PolicyPack, RuleData } from './schema.js';
import { treatedAs } from './tiers.js';

export type CountryAgreement = 'match' | 'mismatch' | 'unknown';

/**
 * Whether a party's country agrees with a list entry's address countries on the date `at`, comparing the destinations the EAR
 * treats them as (the equivalence table the tiers use: HK is CN). `unknown` when either side has no country. `via`
 * names the equivalence when it alone made them agree.
 */
export function countryAgreement(party: string | undefined, entryCountries: readonly string[], at: Date, rules: RuleData): { country: CountryAgreement; via?: string } {
  const codes = entryCountries.filter((c) => !!c).map((c) => c.trim().toUpperCase());
  if (!party || codes.length === 0) return { country: 'unknown' };
  const p = party.trim().toUpperCase();
  if (codes.includes(p)) return { country: 'match' };
  const day = isoDay(at);
  const mapped = treatedAs(p, day, rules);
  const hit = codes.find((c) => treatedAs(c, day, rules) === mapped);
  if (hit === undefined) return { country: 'mismatch' };
  const side = (c: string) => (treatedAs(c, day, rules) !== c ? `${c} treated as ${treatedAs(c, day, rules)}` : c);
  return { country: 'match', via: `${side(p)} / ${side(hit)} under the EAR` };
}

/** The pack's rule for a list, or the default outcome for lists it does not name. */
export function listRule(pack: PolicyPack, list: string): { outcome: Outcome; rule: string } {
  return pack.lists[list] ?? { outcome: pack.defaultListOutcome, rule: `${list}: not named by pack ${pack.id}; default outcome` };
}

/**
 * True when the hit alone is strong evidence: score ≥ deny threshold and, if the pack asks, no country disagreement.
 * `features.country` compares through the EAR's equivalences (see countryAgreement; set by the screening).
 */
export function isStrongHit(hit: Hit, pack: PolicyPack): boolean {
  if (hit.score < pack.match.denyThreshold) return false;
  return !(pack.match.denyNeedsCountryAgreement && hit.features.country === 'mismatch');
}

/** The reason a (non-suppressed) hit raises. `related` = the subject is a parent or owner, not the customer itself. */
export function listMatchReason(hit: Hit, pack: PolicyPack, related: boolean): Reason {
  const rule = listRule(pack, hit.list);
  const { reviewThreshold, denyThreshold } = pack.match;
  const strong = isStrongHit(hit, pack);
  let outcome: Outcome = strong ? rule.outcome : capAt(rule.outcome, 'review');
  const notes: string[] = [];
  if (hit.score >= denyThreshold && !strong) {
    notes.push(`country disagrees (party vs entry): held for review, not denied`);
  }
  if (typeof hit.features.countryVia === 'string') notes.push(`country agrees: ${hit.features.countryVia}`);
  if (related) {
    const capped = capAt(outcome, pack.match.relatedPartyMax);
    if (capped !== outcome) notes.push(`${hit.subject} is a related party, not the customer: at most ${capped} by itself (ownership rules decide beyond it)`);
    outcome = capped;
  }
  const threshold = hit.score >= denyThreshold ? `≥ deny threshold ${denyThreshold}` : `≥ review threshold ${reviewThreshold}, < deny threshold ${denyThreshold}`;
  const alias = hit.matchedName !== hit.primaryName ? ` (as ${JSON.stringify(hit.matchedName)})` : '';
  const programs = hit.programs.length ? `; programs ${hit.programs.join(', ')}` : '';
  const detail =
    `${hit.subject} name ${JSON.stringify(hit.queryName)} matches ${hit.list} entry ${hit.sourceId} ${JSON.stringify(hit.primaryName)}${alias} ` +
    `with score ${hit.score.toFixed(3)} ${threshold}${programs}; ${rule.rule} → ${outcome}${notes.length ? `; ${notes.join('; ')}` : ''}`;
  return {
    code: 'LIST_MATCH',
    subject: hit.subject,
    outcome,
    detail,
    list: hit.list,
    sourceId: hit.sourceId,
    score: hit.score,
    entries: [{ list: hit.list, sourceId: hit.sourceId }],
  };
}
