// The case state machine: open → in_review → cleared | confirmed | escalated, four-eyes clearing, and reopen rules.
import { KycError } from '../errors.js';
import type { Licence } from '../model/index.js';
import { OFFICER_ROLES, SENIOR_ROLES, type Principal } from './roles.js';

export type CaseStatus = 'open' | 'in_review' | 'cleared' | 'confirmed' | 'escalated';
export const CASE_STATUSES: readonly CaseStatus[] = Object.freeze(['open', 'in_review', 'cleared', 'confirmed', 'escalated']);
export type OfficerDecision = 'clear' | 'confirm' | 'escalate';
/** `deny`: the case was raised by a deny-level reason; clearing it needs two different officers. */
export type CaseLevel = 'review' | 'deny';

/** A licence as an officer records it on a case (scoped to the case's own entry or reason code). */
export type CaseLicence = Pick<Licence, 'agency' | 'number' | 'scope' | 'expiresAt' | 'list' | 'sourceId' | 'codes'>;

/** A first officer's clearance of a deny-level case, waiting for a second officer. */
export interface Proposal {
  decision: 'clear';
  by: string;
  byName: string;
  reason: string;
  at: string;
  /**
   * A licence the first officer cited. It is only a proposal: it is recorded (and screening honours it)
   * when a second officer confirms the clearance, and it is dropped with the proposal.
   */
  licence?: CaseLicence;
}

export interface CaseState {
  status: CaseStatus;
  level: CaseLevel;
  proposal: Proposal | null;
}

export interface DecisionOutcome {
  status: CaseStatus;
  proposal: Proposal | null;
  /** True when the decision took effect (false: a four-eyes proposal was recorded). */
  final: boolean;
  /** Case event / audit action name. */
  action: 'case.clear_proposed' | 'case.cleared' | 'case.confirmed' | 'case.escalated';
}

/** Closed states: only the system reopens them (customer or entry changed, licence expired). */
export function isClosed(status: CaseStatus): boolean {
  return status === 'cleared' || status === 'confirmed';
}

/**
 * Applies an officer's decision. Throws `KYC_ERR_FORBIDDEN` (role), `KYC_ERR_INVALID_TRANSITION`
 * (closed case; escalating an escalated one), `KYC_ERR_FOUR_EYES` (same officer confirming their
 * own clearance of a deny-level case), `KYC_ERR_INPUT_INVALID` (no reason).
 */
export function applyDecision(state: CaseState, actor: Principal, decision: OfficerDecision, reason: string, now: Date): DecisionOutcome {
  if (!OFFICER_ROLES.includes(actor.role)) throw new KycError('KYC_ERR_FORBIDDEN', `role ${actor.role} cannot decide cases`);
  if (reason.trim().length === 0) throw new KycError('KYC_ERR_INPUT_INVALID', 'a decision needs a reason');
  if (isClosed(state.status)) {
    throw new KycError('KYC_ERR_INVALID_TRANSITION', `the case is already ${state.status}`, { status: state.status, decision });
  }
  if (state.status === 'escalated') {
    if (decision === 'escalate') throw new KycError('KYC_ERR_INVALID_TRANSITION', 'the case is already escalated', { status: state.status, decision });
    if (!SENIOR_ROLES.includes(actor.role)) throw new KycError('KYC_ERR_FORBIDDEN', 'an escalated case is decided by a senior officer or admin');
  }
  if (decision === 'confirm') return { status: 'confirmed', proposal: null, final: true, action: 'case.confirmed' };
  if (decision === 'escalate') return { status: 'escalated', proposal: null, final: true, action: 'case.escalated' };
  if (state.level === 'review') return { status: 'cleared', proposal: null, final: true, action: 'case.cleared' };
  // four-eyes: a deny-level clearance takes two different officers
  const p = state.proposal;
  if (p && p.decision === 'clear') {
    if (p.by === actor.id) {
      throw new KycError('KYC_ERR_FOUR_EYES', 'you proposed this clearance; a second, different officer must confirm it', { proposedBy: p.byName });
    }
    return { status: 'cleared', proposal: null, final: true, action: 'case.cleared' };
  }
  return {
    status: state.status === 'open' ? 'in_review' : state.status,
    proposal: { decision: 'clear', by: actor.id, byName: actor.name, reason, at: now.toISOString() },
    final: false,
    action: 'case.clear_proposed',
  };
}

/**
 * `level_raised`: a review-level case cleared by one officer is raised at deny level now — the
 * clearance never had the second pair of eyes a deny-level clearance needs.
 */
export type ReopenCause = 'customer_changed' | 'entry_changed' | 'licence_expired' | 'level_raised';

/** What changed between the evidence a case holds and the latest screening (customer data first, then the entry). */
function evidenceChange(
  c: { customerFingerprint: string; entryHash: string | null },
  latest: { customerFingerprint: string; entryHash: string | null },
): 'customer_changed' | 'entry_changed' | undefined {
  if (c.customerFingerprint !== latest.customerFingerprint) return 'customer_changed';
  if (c.entryHash !== null && latest.entryHash !== null && c.entryHash !== latest.entryHash) return 'entry_changed';
  return undefined;
}

/** Why a closed case must reopen given the latest screening, or undefined. Open cases never "reopen". */
export function reopenCause(
  c: { status: CaseStatus; customerFingerprint: string; entryHash: string | null; level?: CaseLevel },
  latest: { customerFingerprint: string; entryHash: string | null; level?: CaseLevel },
): ReopenCause | undefined {
  if (!isClosed(c.status)) return undefined;
  const changed = evidenceChange(c, latest);
  if (changed) return changed;
  if (c.status === 'cleared' && c.level === 'review' && latest.level === 'deny') return 'level_raised';
  return undefined;
}

/**
 * Why a pending clearance proposal no longer holds given the latest screening: the first officer
 * judged other customer data or another version of the list entry. Undefined when there is no
 * proposal, the case is closed, or nothing changed.
 */
export function staleProposalCause(
  c: { status: CaseStatus; proposal: Proposal | null; customerFingerprint: string; entryHash: string | null },
  latest: { customerFingerprint: string; entryHash: string | null },
): 'customer_changed' | 'entry_changed' | undefined {
  if (!c.proposal || isClosed(c.status)) return undefined;
  return evidenceChange(c, latest);
}
