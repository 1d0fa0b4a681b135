// Which cases a screening decision opens: one per customer and list entry, one per customer and non-list reason.
import type { Decision, Hit, Outcome, Reason } from '../model/index.js';
import type { CaseLevel } from './case-rules.js';
import { hitEntryHash } from './fingerprint.js';

export interface CaseSubject {
  /** Dedupe key: `<customerId>|entry:<list>:<sourceId>` or `<customerId>|reason:<code>`. */
  key: string;
  kind: 'entry' | 'reason';
  /** Human label, e.g. `SDN:12345` or `TIER3_HEADQUARTERS`. */
  label: string;
  level: CaseLevel;
  score: number | null;
  list: string | null;
  sourceId: string | null;
  reasonCode: string | null;
  partySubject: string | null;
  entryHash: string | null;
  hit: Hit | null;
  reason: Reason | null;
}

/** Reason codes that never open a case: operational failures are not a compliance question. */
const NO_CASE_CODES = new Set(['SCREENING_UNAVAILABLE']);

function levelOf(outcome: Outcome | undefined): CaseLevel | undefined {
  return outcome === 'deny' ? 'deny' : outcome === 'review' ? 'review' : undefined;
}

/** The LIST_MATCH reason raised by this hit (same entry when the reason names it, else same party). */
function reasonForHit(hit: Hit, reasons: Reason[]): Reason | undefined {
  const listReasons = reasons.filter((r) => r.code === 'LIST_MATCH');
  return (
    listReasons.find((r) => r.sourceId === hit.sourceId && (r.list === undefined || r.list === hit.list)) ??
    listReasons.find((r) => r.sourceId === undefined && r.subject === hit.subject)
  );
}

/**
 * The case subjects of a decision: nothing for `allow`; for `review`/`deny`, every unsuppressed hit
 * (deduplicated by entry, keeping the best-scoring party) and every other review/deny reason.
 */
export function caseSubjects(customerId: string, decision: Decision): CaseSubject[] {
  if (decision.outcome === 'allow') return [];
  const out = new Map<string, CaseSubject>();
  for (const hit of decision.hits) {
    if (hit.suppressed) continue;
    const reason = reasonForHit(hit, decision.reasons);
    const level = levelOf(reason?.outcome) ?? (reason ? undefined : levelOf(decision.outcome));
    if (!level) continue; // the reason that named this hit was licensed or allowed
    const key = `${customerId}|entry:${hit.list}:${hit.sourceId}`;
    const prev = out.get(key);
    if (prev && (prev.score ?? 0) >= hit.score && !(prev.level === 'review' && level === 'deny')) continue;
    out.set(key, {
      key,
      kind: 'entry',
      label: `${hit.list}:${hit.sourceId}`,
      level: prev?.level === 'deny' ? 'deny' : level,
      score: hit.score,
      list: hit.list,
      sourceId: hit.sourceId,
      reasonCode: 'LIST_MATCH',
      partySubject: hit.subject,
      entryHash: hitEntryHash(hit),
      hit,
      reason: reason ?? null,
    });
  }
  for (const reason of decision.reasons) {
    if (reason.code === 'LIST_MATCH' || NO_CASE_CODES.has(reason.code)) continue;
    const level = levelOf(reason.outcome);
    if (!level) continue;
    const key = `${customerId}|reason:${reason.code}`;
    const prev = out.get(key);
    if (prev && prev.level === 'deny') continue;
    out.set(key, {
      key,
      kind: 'reason',
      label: reason.code,
      level,
      score: null,
      list: null,
      sourceId: null,
      reasonCode: reason.code,
      partySubject: reason.subject ?? null,
      entryHash: null,
      hit: null,
      reason,
    });
  }
  return [...out.values()].sort((a, b) => a.key.localeCompare(b.key));
}
