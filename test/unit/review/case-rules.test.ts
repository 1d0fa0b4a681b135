// The case state machine as a table: who may do what from which state, four-eyes, reopen causes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKycError } from '../../../src/errors.js';
import { applyDecision, reopenCause, staleProposalCause, type CaseLevel, type CaseStatus, type OfficerDecision, type Proposal } from '../../../src/review/case-rules.js';
import type { Principal, Role } from '../../../src/review/roles.js';

const now = new Date('2026-11-01T12:00:00Z');
const who = (id: string, role: Role): Principal => ({ id, name: id, role });
const ann = who('ann', 'officer');
const bob = who('bob', 'officer');
const sue = who('sue', 'senior_officer');
const svc = who('mw', 'service');
const proposal = (by: Principal): Proposal => ({ decision: 'clear', by: by.id, byName: by.name, reason: 'fp', at: now.toISOString() });

type Row = [status: CaseStatus, level: CaseLevel, proposedBy: Principal | null, actor: Principal, decision: OfficerDecision, expect: CaseStatus | string];
const TABLE: Row[] = [
  ['open', 'review', null, ann, 'clear', 'cleared'],
  ['open', 'review', null, ann, 'confirm', 'confirmed'],
  ['open', 'review', null, ann, 'escalate', 'escalated'],
  ['in_review', 'review', null, ann, 'clear', 'cleared'],
  ['open', 'deny', null, ann, 'clear', 'in_review+proposal'],
  ['in_review', 'deny', ann, ann, 'clear', 'KYC_ERR_FOUR_EYES'],
  ['in_review', 'deny', ann, bob, 'clear', 'cleared'],
  ['in_review', 'deny', ann, bob, 'confirm', 'confirmed'],
  ['open', 'deny', null, ann, 'confirm', 'confirmed'],
  ['escalated', 'review', null, ann, 'clear', 'KYC_ERR_FORBIDDEN'],
  ['escalated', 'review', null, sue, 'clear', 'cleared'],
  ['escalated', 'deny', null, sue, 'clear', 'escalated+proposal'],
  ['escalated', 'review', null, sue, 'escalate', 'KYC_ERR_INVALID_TRANSITION'],
  ['cleared', 'review', null, sue, 'confirm', 'KYC_ERR_INVALID_TRANSITION'],
  ['confirmed', 'deny', null, ann, 'clear', 'KYC_ERR_INVALID_TRANSITION'],
  ['open', 'review', null, svc, 'clear', 'KYC_ERR_FORBIDDEN'],
];

describe('applyDecision', () => {
  for (const [status, level, proposedBy, actor, decision, expect] of TABLE) {
    test(`${status}/${level}${proposedBy ? ` (proposed by ${proposedBy.id})` : ''}: ${actor.id} ${decision} → ${expect}`, () => {
      const run = () => applyDecision({ status, level, proposal: proposedBy ? proposal(proposedBy) : null }, actor, decision, 'because', now);
      if (expect.startsWith('KYC_ERR_')) {
        assert.throws(run, (e: unknown) => isKycError(e) && e.code === expect);
        return;
      }
      const out = run();
      if (expect.endsWith('+proposal')) {
        assert.equal(out.status, expect.split('+')[0]);
        assert.equal(out.final, false);
        assert.equal(out.proposal?.by, actor.id);
        assert.equal(out.action, 'case.clear_proposed');
      } else {
        assert.equal(out.status, expect);
        assert.equal(out.final, true);
        assert.equal(out.proposal, null);
      }
    });
  }

  test('a decision without a reason is refused', () => {
    assert.throws(() => applyDecision({ status: 'open', level: 'review', proposal: null }, ann, 'clear', '   ', now), /reason/);
  });
});

describe('reopenCause', () => {
  const closed = { status: 'cleared' as CaseStatus, customerFingerprint: 'f1', entryHash: 'e1' };
  test('closed cases reopen when the customer or the entry changed, not otherwise', () => {
    assert.equal(reopenCause(closed, { customerFingerprint: 'f1', entryHash: 'e1' }), undefined);
    assert.equal(reopenCause(closed, { customerFingerprint: 'f2', entryHash: 'e1' }), 'customer_changed');
    assert.equal(reopenCause(closed, { customerFingerprint: 'f1', entryHash: 'e2' }), 'entry_changed');
    assert.equal(reopenCause({ ...closed, status: 'confirmed' }, { customerFingerprint: 'f2', entryHash: 'e1' }), 'customer_changed');
  });
  test('open, in-review and escalated cases never "reopen"', () => {
    for (const status of ['open', 'in_review', 'escalated'] as CaseStatus[]) {
      assert.equal(reopenCause({ ...closed, status }, { customerFingerprint: 'f2', entryHash: 'e2' }), undefined);
    }
  });
});

describe('level rises and stale proposals', () => {
  const base = { customerFingerprint: 'f1', entryHash: 'e1' };
  test('a review-level case one officer cleared reopens when it is raised at deny level (it never had four eyes)', () => {
    assert.equal(reopenCause({ ...base, status: 'cleared', level: 'review' }, { ...base, level: 'deny' }), 'level_raised');
    assert.equal(reopenCause({ ...base, status: 'cleared', level: 'review' }, { ...base, level: 'review' }), undefined);
    assert.equal(reopenCause({ ...base, status: 'cleared', level: 'deny' }, { ...base, level: 'deny' }), undefined, 'a four-eyes clearance stands');
    assert.equal(reopenCause({ ...base, status: 'confirmed', level: 'review' }, { ...base, level: 'deny' }), undefined, 'a confirmed match stays confirmed');
    assert.equal(reopenCause({ ...base, status: 'cleared', level: 'review' }, { customerFingerprint: 'f2', entryHash: 'e1', level: 'deny' }), 'customer_changed', 'a data change names itself first');
  });
  test('a pending clearance is stale once the customer data or the matched entry changed', () => {
    const pending = { ...base, status: 'in_review' as CaseStatus, proposal: proposal(ann) };
    assert.equal(staleProposalCause(pending, base), undefined);
    assert.equal(staleProposalCause(pending, { ...base, customerFingerprint: 'f2' }), 'customer_changed');
    assert.equal(staleProposalCause(pending, { ...base, entryHash: 'e2' }), 'entry_changed');
    assert.equal(staleProposalCause({ ...pending, status: 'escalated' }, { ...base, entryHash: 'e2' }), 'entry_changed');
    assert.equal(staleProposalCause({ ...pending, proposal: null }, { ...base, customerFingerprint: 'f2' }), undefined, 'no proposal, nothing to drop');
    assert.equal(staleProposalCause({ ...pending, status: 'cleared' }, { ...base, customerFingerprint: 'f2' }), undefined, 'closed cases reopen instead');
  });
});
