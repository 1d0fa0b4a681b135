// LIST_MATCH: the outcome one name hit leads to under the pack (thresholds, the list's rule, corroboration).
import type { Hit, Outcome, Reason } from '../model/index.js';
import { capAt } from './outcome.js';
import type { PolicyPack } from './schema.js';

/** The pack's rule for a list, or the default outcome for lists it does not name. */
export function listRule(pack: PolicyPack, list: string): { outcome: Outcome; rule: string } {
  return pack.lists[list] ?? { outcome: pack.defaultListOutcome, rule: `${list}: not named by pack ${pack.id}; default outcome` };
}

/** True when the hit alone is strong evidence: score ≥ deny threshold and, if the pack asks, no country disagreement. */
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
