// The review workflow over the store: record screenings into cases, officer decisions, suppressions, licences, audit.
import { createHash, randomUUID } from 'node:crypto';
import { KycError } from '../../errors.js';
import type { Customer, Decision, Licence, ReasonCode, Suppression } from '../../model/index.js';
import type { Db } from '../db.js';
import { appendAuditMany, auditFor, type AuditEntry } from '../repos/audit-repo.js';
import {
  caseEvents,
  getCase,
  getCaseByKey,
  insertCase,
  insertCaseEvent,
  listCases,
  updateCase,
  type CaseFilter,
  type CaseRow,
} from '../repos/cases-repo.js';
import { principalNames, findPrincipalByName } from '../repos/principals-repo.js';
import { customersNeedingReview, insertScreenings, lockCustomers, storedScreeningIds, upsertCustomers } from '../repos/screening-batch-repo.js';
import { getCustomer, getScreening, insertScreening, upsertCustomer } from '../repos/screenings-repo.js';
import {
  activeSuppressions,
  effectiveLicencesOf,
  expiredUnlapsed,
  insertLicence,
  insertSuppression,
  licencesOf,
  liftSuppression,
  markLapsed,
  type LicenceRow,
} from '../repos/suppressions-repo.js';
import { canonicalJson } from '../../review/canonical-json.js';
import { applyDecision, isClosed, reopenCause, staleProposalCause, type CaseLicence, type CaseStatus, type OfficerDecision, type ReopenCause } from '../../review/case-rules.js';
import { caseSubjects, type CaseSubject } from '../../review/case-subjects.js';
import { customerFingerprint, hitEntryHash } from '../../review/fingerprint.js';
import { OFFICER_ROLES, type Principal } from '../../review/roles.js';

export type { CaseFilter, CaseRow } from '../repos/cases-repo.js';

/** A licence as an officer records it on a case. */
export type LicenceInput = CaseLicence;

export interface DecideInput {
  decision: OfficerDecision;
  reason: string;
  /**
   * Only with `clear`. Limited to the case's own entry (entry cases) or reason code (reason cases). On a
   * deny-level case it takes effect with the second officer's clearance, never with a first proposal.
   */
  licence?: LicenceInput;
  /** The case version the officer saw; a different stored version is a 409 `KYC_ERR_CONFLICT`. */
  version?: number;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Subjects of both lists, first list winning on equal keys, in key order. */
function mergeSubjects(a: CaseSubject[], b: CaseSubject[]): CaseSubject[] {
  const byKey = new Map(b.map((x) => [x.key, x]));
  for (const x of a) byKey.set(x.key, x);
  return [...byKey.values()].sort((x, y) => x.key.localeCompare(y.key));
}

/** The `screening.recorded` audit entry of one stored screening. */
function screeningAudit(actor: string, customer: Customer, decision: Decision, fp: string, previousFingerprint: string | undefined, caseIds: string[]): AuditEntry {
  return {
    actor,
    action: 'screening.recorded',
    target: `screening:${decision.screeningId}`,
    before: previousFingerprint ? { fingerprint: previousFingerprint } : null,
    after: {
      customerId: customer.id,
      outcome: decision.outcome,
      lists: decision.lists.version,
      policy: decision.policy,
      policyVersion: decision.policyVersion ?? null,
      fingerprint: fp,
      decisionSha256: sha256(canonicalJson(decision)),
      cases: caseIds,
    },
  };
}

/** The system actor name used for automatic case changes. */
export const SYSTEM_ACTOR = 'system';

export class ReviewService {
  constructor(
    readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Stores the customer's latest data, the decision with its evidence, opens / refreshes / reopens the
   * cases it raises, and appends an audit row — all in one transaction. Idempotent per screeningId: a
   * screening already stored (also by a concurrent writer) writes nothing, no audit row, no case event.
   */
  async recordScreening(customer: Customer, decision: Decision, actor: string): Promise<{ cases: { id: string; subject: string; status: string }[] }> {
    return this.db.transaction(async (tx) => {
      const now = this.clock();
      const audit: AuditEntry[] = [];
      const { cases } = await this.recordIn(tx, customer, decision, actor, now, audit);
      // the audit lock is taken last (after every case row), the order decide/assign take them in too
      await appendAuditMany(tx, audit, now);
      return { cases };
    });
  }

  /**
   * Records many screenings in ONE transaction (the write-behind path of allows). Plain ones — no case
   * subjects, no active suppression, no lapsing licence — go in multi-row statements; the rest take
   * `recordScreening`'s full path, in order. Every stored screening gets its own `screening.recorded`
   * audit row (same content as `recordScreening` writes). Idempotent per screeningId (stored or repeated
   * ids are skipped). Returns how many were stored.
   */
  async recordScreenings(items: readonly { customer: Customer; decision: Decision; actor: string }[]): Promise<{ recorded: number }> {
    if (items.length === 0) return { recorded: 0 };
    return this.db.transaction(async (tx) => {
      const now = this.clock();
      const stored = await storedScreeningIds(tx, [...new Set(items.map((it) => it.decision.screeningId))]);
      const todo: (typeof items)[number][] = [];
      for (const it of items) {
        if (stored.has(it.decision.screeningId)) continue;
        stored.add(it.decision.screeningId);
        todo.push(it);
      }
      if (todo.length === 0) return { recorded: 0 };
      const customerIds = [...new Set(todo.map((it) => it.customer.id))];
      const previous = await lockCustomers(tx, customerIds);
      // a customer with any non-plain screening in the batch takes the full path for all of them (order kept)
      const full = await customersNeedingReview(tx, customerIds, now);
      for (const it of todo) if (caseSubjects(it.customer.id, it.decision).length > 0) full.add(it.customer.id);
      // every audit row of the batch is appended once, at the end: case rows are all locked before the audit lock
      const audit: AuditEntry[] = [];
      let recorded = 0;
      for (const it of todo) {
        if (!full.has(it.customer.id)) continue;
        if ((await this.recordIn(tx, it.customer, it.decision, it.actor, now, audit)).stored) recorded += 1;
      }
      const plain = todo
        .filter((it) => !full.has(it.customer.id))
        .map((it) => ({ ...it, fingerprint: it.decision.customerFingerprint ?? customerFingerprint(it.customer) }));
      if (plain.length > 0) {
        // per screening, the fingerprint the customer had before it (the previous screening of the batch, else the stored one)
        const latest = new Map<string, (typeof plain)[number]>();
        const before: (string | undefined)[] = [];
        for (const it of plain) {
          before.push(latest.get(it.customer.id)?.fingerprint ?? previous.get(it.customer.id));
          latest.set(it.customer.id, it);
        }
        await upsertCustomers(tx, [...latest.values()].map((it) => ({ customer: it.customer, fingerprint: it.fingerprint, screeningId: it.decision.screeningId })), now);
        const inserted = await insertScreenings(tx, plain, now);
        plain.forEach((it, i) => {
          if (!inserted.has(it.decision.screeningId)) return; // a concurrent writer stored it first
          const prev = before[i];
          audit.push(screeningAudit(it.actor, it.customer, it.decision, it.fingerprint, prev && prev !== it.fingerprint ? prev : undefined, []));
          recorded += 1;
        });
      }
      await appendAuditMany(tx, audit, now);
      return { recorded };
    });
  }

  /**
   * The full recording path inside `tx`. Audit entries are pushed onto `audit` (the caller appends them
   * after every row lock is taken). Lock order: customer row → case rows → licence rows; the audit lock last.
   */
  private async recordIn(
    tx: Db,
    customer: Customer,
    decision: Decision,
    actor: string,
    now: Date,
    audit: AuditEntry[],
  ): Promise<{ cases: { id: string; subject: string; status: string }[]; stored: boolean }> {
    // screening's own fingerprint when it sent one (suppressions are compared on it), else ours
    const fp = decision.customerFingerprint ?? customerFingerprint(customer);
    const subjects = caseSubjects(customer.id, decision);
    const existingCases = async () => {
      const existing = await Promise.all(subjects.map((s) => getCaseByKey(tx, s.key)));
      return { cases: existing.flatMap((c, i) => (c ? [{ id: c.id, subject: subjects[i]!.label, status: c.status }] : [])), stored: false };
    };
    if ((await storedScreeningIds(tx, [decision.screeningId])).size > 0) return existingCases();
    const { previousFingerprint } = await upsertCustomer(tx, customer, fp, decision.screeningId, now);
    // a concurrent writer of the same screening committed while we waited for the customer row: it wrote the rest
    if (!(await insertScreening(tx, { customer, decision, fingerprint: fp, actor }, now))) return existingCases();

    // suppressions whose customer or entry side changed are lifted; such a hit then counts again
    const lifts: { s: Awaited<ReturnType<typeof activeSuppressions>>[number]; cause: 'customer_changed' | 'entry_changed' }[] = [];
    const lifted = new Set<string>();
    for (const s of await activeSuppressions(tx, customer.id)) {
      const hit = decision.hits.find((h) => h.list === s.list && h.sourceId === s.sourceId);
      const cause = s.customerFingerprint !== fp ? 'customer_changed' : hit && hitEntryHash(hit) !== s.entryHash ? 'entry_changed' : undefined;
      if (!cause) continue;
      lifts.push({ s, cause });
      lifted.add(`${s.list}:${s.sourceId}`);
    }
    const relisted = decision.hits.filter((h) => h.suppressed && lifted.has(`${h.list}:${h.sourceId}`)).map((h) => ({ ...h, suppressed: undefined }));
    const all = relisted.length === 0 ? subjects : mergeSubjects(subjects, caseSubjects(customer.id, { ...decision, outcome: decision.outcome === 'allow' ? 'review' : decision.outcome, hits: relisted, reasons: [] }));

    const cases: { id: string; subject: string; status: string }[] = [];
    for (const subject of all) {
      const c = await this.upsertCase(tx, subject, customer.id, decision.screeningId, fp, now, audit);
      cases.push({ id: c.id, subject: subject.label, status: c.status });
    }
    for (const { s, cause } of lifts) {
      await liftSuppression(tx, s.id, cause, now);
      audit.push({ actor: SYSTEM_ACTOR, action: 'suppression.lifted', target: `case:${s.caseId}`, before: s, after: { cause } });
    }
    await this.lapseLicences(tx, now, audit, customer.id);
    audit.push(screeningAudit(actor, customer, decision, fp, previousFingerprint && previousFingerprint !== fp ? previousFingerprint : undefined, cases.map((c) => c.id)));
    return { cases, stored: true };
  }

  private async upsertCase(tx: Db, s: CaseSubject, customerId: string, screeningId: string, fp: string, now: Date, audit: AuditEntry[]): Promise<CaseRow> {
    const at = now.toISOString();
    let existing = await getCaseByKey(tx, s.key, { forUpdate: true });
    if (!existing) {
      const row: CaseRow = {
        id: `case-${randomUUID()}`,
        caseKey: s.key,
        customerId,
        kind: s.kind,
        list: s.list,
        sourceId: s.sourceId,
        reasonCode: s.reasonCode,
        subject: s.partySubject,
        level: s.level,
        status: 'open',
        score: s.score,
        assignee: null,
        screeningId,
        customerFingerprint: fp,
        entryHash: s.entryHash,
        hit: s.hit,
        reason: s.reason,
        proposal: null,
        decidedBy: null,
        decidedAt: null,
        decisionReason: null,
        openedAt: at,
        updatedAt: at,
        version: 1,
      };
      if (await insertCase(tx, row)) {
        await insertCaseEvent(tx, { caseId: row.id, at, actor: SYSTEM_ACTOR, action: 'case.opened', fromStatus: null, toStatus: 'open', detail: { screeningId, level: s.level } });
        audit.push({ actor: SYSTEM_ACTOR, action: 'case.opened', target: `case:${row.id}`, after: { key: s.key, level: s.level, screeningId } });
        return row;
      }
      existing = (await getCaseByKey(tx, s.key, { forUpdate: true }))!;
    }
    const latest = { customerFingerprint: fp, entryHash: s.entryHash, level: s.level };
    const cause = reopenCause(existing, latest);
    if (isClosed(existing.status) && !cause) return existing; // decided and nothing changed: stays decided
    // a pending clearance judged other customer data or another version of the entry: it no longer holds
    const stale = cause ? undefined : staleProposalCause(existing, latest);
    const next: CaseRow = {
      ...existing,
      screeningId,
      score: s.score,
      hit: s.hit,
      reason: s.reason,
      subject: s.partySubject,
      customerFingerprint: fp,
      entryHash: s.entryHash,
      level: existing.level === 'deny' || s.level === 'deny' ? 'deny' : 'review',
      updatedAt: at,
    };
    if (cause) Object.assign(next, { status: 'open', proposal: null, decidedBy: null, decidedAt: null, decisionReason: null });
    if (stale) next.proposal = null;
    await updateCase(tx, next);
    const action = cause ? 'case.reopened' : stale ? 'case.proposal_dropped' : 'case.rescreened';
    const detail = stale ? { screeningId, cause: stale, proposedBy: existing.proposal?.by } : { screeningId, cause };
    await insertCaseEvent(tx, { caseId: existing.id, at, actor: SYSTEM_ACTOR, action, fromStatus: existing.status, toStatus: next.status, detail });
    if (cause) {
      audit.push({ actor: SYSTEM_ACTOR, action, target: `case:${existing.id}`, before: { status: existing.status, level: existing.level }, after: { status: 'open', level: next.level, cause, screeningId } });
    } else if (stale) {
      audit.push({ actor: SYSTEM_ACTOR, action, target: `case:${existing.id}`, before: { proposal: existing.proposal }, after: { proposal: null, cause: stale, screeningId } });
    }
    return { ...next, version: existing.version + 1 };
  }

  /** Marks expired licences lapsed and reopens their closed cases (cause `licence_expired`). */
  private async lapseLicences(tx: Db, now: Date, audit: AuditEntry[], customerId?: string): Promise<void> {
    for (const l of await expiredUnlapsed(tx, now, customerId)) {
      await markLapsed(tx, l.id, now);
      audit.push({ actor: SYSTEM_ACTOR, action: 'licence.expired', target: `case:${l.caseId}`, before: l });
      const c = await getCase(tx, l.caseId, { forUpdate: true });
      if (!c || !isClosed(c.status)) continue;
      const stillValid = (await licencesOf(tx, { caseId: c.id })).some((x) => x.id !== l.id && x.lapsedAt === null && Date.parse(x.expiresAt) > now.getTime());
      if (stillValid) continue;
      await this.reopen(tx, c, 'licence_expired', now, audit);
    }
  }

  private async reopen(tx: Db, c: CaseRow, cause: ReopenCause, now: Date, audit: AuditEntry[]): Promise<void> {
    const at = now.toISOString();
    await updateCase(tx, { ...c, status: 'open', proposal: null, decidedBy: null, decidedAt: null, decisionReason: null, updatedAt: at });
    await insertCaseEvent(tx, { caseId: c.id, at, actor: SYSTEM_ACTOR, action: 'case.reopened', fromStatus: c.status, toStatus: 'open', detail: { cause } });
    audit.push({ actor: SYSTEM_ACTOR, action: 'case.reopened', target: `case:${c.id}`, before: { status: c.status }, after: { status: 'open', cause } });
  }

  /** Runs the licence-expiry sweep (all customers, or one). Called on reads; workers may call it on a schedule. */
  async sweepLicences(customerId?: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const now = this.clock();
      const audit: AuditEntry[] = [];
      await this.lapseLicences(tx, now, audit, customerId);
      await appendAuditMany(tx, audit, now);
    });
  }

  async getScreening(screeningId: string): Promise<Decision | undefined> {
    return (await getScreening(this.db, screeningId))?.decision;
  }

  /** Active false-positive suppressions of the customer, for screening to honour (and to show in evidence). */
  async suppressionsFor(customerId: string): Promise<Suppression[]> {
    return (await activeSuppressions(this.db, customerId)).map((s) => ({
      customerId: s.customerId,
      list: s.list,
      sourceId: s.sourceId,
      caseId: s.caseId,
      since: s.since,
      entryHash: s.entryHash,
      customerFingerprint: s.customerFingerprint,
    }));
  }

  /**
   * Licences of the customer that screening honours now: in force (not expired, not lapsed) and on a
   * deny-level case two officers cleared. A licence proposed, or recorded on a case not (or no longer)
   * cleared that way, relaxes nothing.
   */
  async licencesFor(customerId: string): Promise<Licence[]> {
    return (await effectiveLicencesOf(this.db, customerId, this.clock())).map(({ id: _id, createdBy: _by, createdAt: _at, lapsedAt: _lapsed, ...l }) => l);
  }

  /** Appends one audit row in its own transaction (list changes, policy switches, …). */
  async audit(entry: AuditEntry): Promise<void> {
    await this.db.transaction((tx) => appendAuditMany(tx, [entry], this.clock()).then(() => undefined));
  }

  async listCases(filter: CaseFilter) {
    await this.sweepLicences();
    return listCases(this.db, filter);
  }

  /** Everything an officer needs to decide a case. `KYC_ERR_NOT_FOUND` when there is no such case. */
  async getCase(id: string) {
    const first = await getCase(this.db, id);
    if (!first) throw new KycError('KYC_ERR_NOT_FOUND', `no case ${id}`);
    await this.sweepLicences(first.customerId);
    const c = (await getCase(this.db, id))!;
    const [customer, screening, events, licences, suppressions, audit] = await Promise.all([
      getCustomer(this.db, c.customerId),
      getScreening(this.db, c.screeningId),
      caseEvents(this.db, id),
      licencesOf(this.db, { caseId: id }),
      activeSuppressions(this.db, c.customerId),
      auditFor(this.db, `case:${id}`),
    ]);
    const names = await principalNames(this.db, [...new Set([c.assignee, c.decidedBy, ...events.map((e) => e.actor)].filter((x): x is string => !!x))]);
    const d = screening?.decision;
    return {
      case: { ...c, assigneeName: c.assignee ? (names.get(c.assignee) ?? c.assignee) : null, decidedByName: c.decidedBy ? (names.get(c.decidedBy) ?? c.decidedBy) : null },
      customer: { latest: customer?.data, asScreened: screening?.customer, lastScreened: customer?.lastScreened },
      screening: d
        ? { screeningId: d.screeningId, outcome: d.outcome, decidedAt: d.decidedAt, lists: d.lists, policy: d.policy, policyVersion: d.policyVersion, reasons: d.reasons, hits: d.hits.length }
        : undefined,
      events: events.map((e) => ({ ...e, actorName: names.get(e.actor) ?? e.actor })),
      licences,
      suppression: suppressions.find((s) => s.caseId === id) ?? null,
      audit,
    };
  }

  private async lockForChange(tx: Db, id: string, version: number | undefined): Promise<CaseRow> {
    const c = await getCase(tx, id, { forUpdate: true });
    if (!c) throw new KycError('KYC_ERR_NOT_FOUND', `no case ${id}`);
    if (version !== undefined && version !== c.version) {
      throw new KycError('KYC_ERR_CONFLICT', `case ${id} changed (version ${c.version}, you saw ${version}); reload and try again`, { version: c.version });
    }
    return c;
  }

  /** Assigns the case (default: to the caller); an open case moves to in_review. */
  async assign(id: string, actor: Principal, opts: { assignee?: string; version?: number } = {}): Promise<CaseRow> {
    return this.db.transaction(async (tx) => {
      const now = this.clock();
      const c = await this.lockForChange(tx, id, opts.version);
      if (isClosed(c.status)) throw new KycError('KYC_ERR_INVALID_TRANSITION', `the case is already ${c.status}`, { status: c.status });
      let assignee = actor.id;
      if (opts.assignee && opts.assignee !== actor.id && opts.assignee !== actor.name) {
        const p = await findPrincipalByName(tx, opts.assignee);
        const byId = p ? undefined : (await tx.query<{ id: string }>('SELECT id FROM principals WHERE id = $1', [opts.assignee])).rows[0];
        assignee = p?.id ?? byId?.id ?? '';
        if (!assignee) throw new KycError('KYC_ERR_INPUT_INVALID', `no officer named ${opts.assignee}`);
      }
      const status: CaseStatus = c.status === 'open' ? 'in_review' : c.status;
      const next = { ...c, assignee, status, updatedAt: now.toISOString() };
      if (!(await updateCase(tx, next))) throw new KycError('KYC_ERR_CONFLICT', `case ${id} changed; reload and try again`);
      await insertCaseEvent(tx, { caseId: id, at: now.toISOString(), actor: actor.id, action: 'case.assigned', fromStatus: c.status, toStatus: status, detail: { assignee } });
      await appendAuditMany(tx, [{ actor: actor.id, action: 'case.assigned', target: `case:${id}`, before: { assignee: c.assignee, status: c.status }, after: { assignee, status } }], now);
      return { ...next, version: c.version + 1 };
    });
  }

  /**
   * An officer's decision. Clear / confirm / escalate with a reason; clearing a deny-level case takes two
   * different officers; a clear of a list-entry case without a licence suppresses the pair. A licence goes
   * with a clear: on a deny-level case the first officer's licence waits in the proposal and is recorded
   * with the second officer's clearance. One transaction; the audit rows are appended last.
   */
  async decide(id: string, actor: Principal, input: DecideInput): Promise<CaseRow> {
    return this.db.transaction(async (tx) => {
      const now = this.clock();
      const at = now.toISOString();
      const c = await this.lockForChange(tx, id, input.version);
      const out = applyDecision(c, actor, input.decision, input.reason, now);
      if (input.licence && input.decision !== 'clear') {
        throw new KycError('KYC_ERR_INPUT_INVALID', 'a licence is recorded with a clear decision (a licensed match is cleared, citing the licence)', { decision: input.decision });
      }
      const scoped = input.licence ? scopeLicence(c, input.licence) : undefined;
      const proposal = out.proposal && scoped ? { ...out.proposal, licence: scoped } : out.proposal;
      const next: CaseRow = { ...c, status: out.status, proposal, updatedAt: at, assignee: c.assignee ?? actor.id };
      if (out.final) Object.assign(next, { decidedBy: actor.id, decidedAt: at, decisionReason: input.reason });
      if (!(await updateCase(tx, next))) throw new KycError('KYC_ERR_CONFLICT', `case ${id} changed; reload and try again`);
      const audit: AuditEntry[] = [];
      // the licence takes effect only with the clearance that closes the case (the second officer's on a deny-level case)
      let licence: LicenceRow | undefined;
      if (out.final && out.status === 'cleared') {
        const fromProposal = scoped ? undefined : c.proposal?.licence;
        const toRecord = scoped ?? fromProposal;
        if (toRecord) licence = await this.insertLicence(tx, c, actor, fromProposal ? c.proposal!.by : actor.id, toRecord, now, audit);
      }
      const detail = {
        decision: input.decision,
        reason: input.reason,
        licence: licence?.id,
        proposal: out.final ? undefined : true,
        proposedLicence: !out.final && scoped ? scoped : undefined,
        proposedBy: out.final && c.proposal ? c.proposal.by : undefined,
      };
      await insertCaseEvent(tx, { caseId: id, at, actor: actor.id, action: out.action, fromStatus: c.status, toStatus: out.status, detail });
      audit.unshift({ actor: actor.id, action: out.action, target: `case:${id}`, before: { status: c.status, version: c.version }, after: { status: out.status, ...detail } });
      const licensed = licence !== undefined || (await licencesOf(tx, { caseId: id })).some((l) => l.lapsedAt === null && Date.parse(l.expiresAt) > now.getTime());
      // a cleared false positive suppresses the pair; a licensed true match does not (the licence is cited instead)
      if (out.final && out.status === 'cleared' && c.kind === 'entry' && !licensed && c.list && c.sourceId && c.entryHash) {
        const old = (await activeSuppressions(tx, c.customerId)).find((s) => s.list === c.list && s.sourceId === c.sourceId);
        if (old) await liftSuppression(tx, old.id, 'superseded', now);
        const s = {
          id: `sup-${randomUUID()}`,
          caseId: id,
          customerId: c.customerId,
          list: c.list as Suppression['list'],
          sourceId: c.sourceId,
          customerFingerprint: c.customerFingerprint,
          entryHash: c.entryHash,
          since: at,
          createdBy: actor.id,
        };
        await insertSuppression(tx, s);
        audit.push({ actor: actor.id, action: 'suppression.created', target: `case:${id}`, after: s });
      }
      await appendAuditMany(tx, audit, now);
      return { ...next, version: c.version + 1 };
    });
  }

  private async insertLicence(tx: Db, c: CaseRow, actor: Principal, createdBy: string, input: LicenceInput, now: Date, audit: AuditEntry[]): Promise<LicenceRow> {
    const l: LicenceRow = {
      id: `lic-${randomUUID()}`,
      caseId: c.id,
      customerId: c.customerId,
      agency: input.agency,
      number: input.number,
      expiresAt: new Date(input.expiresAt).toISOString(),
      createdBy,
      createdAt: now.toISOString(),
      lapsedAt: null,
    };
    if (input.scope) l.scope = input.scope;
    if (input.list) l.list = input.list;
    if (input.sourceId) l.sourceId = input.sourceId;
    if (input.codes) l.codes = input.codes;
    await insertLicence(tx, l);
    audit.push({ actor: actor.id, action: 'licence.recorded', target: `case:${c.id}`, after: l });
    return l;
  }

  /**
   * Records a licence on a case without deciding it (review-level cases; it is cited once the case is
   * deny-level and cleared by two officers). On a deny-level case a licence is refused here
   * (`KYC_ERR_FOUR_EYES`): it goes with the clear decision, so it takes effect only with the second officer's.
   */
  async addLicence(id: string, actor: Principal, input: LicenceInput): Promise<LicenceRow> {
    return this.db.transaction(async (tx) => {
      const now = this.clock();
      const c = await this.lockForChange(tx, id, undefined);
      if (!OFFICER_ROLES.includes(actor.role)) throw new KycError('KYC_ERR_FORBIDDEN', `role ${actor.role} cannot record licences`);
      if (c.level === 'deny') {
        throw new KycError(
          'KYC_ERR_FOUR_EYES',
          'on a deny-level case a licence takes effect only with a four-eyes clearance: send it with the clear decision (POST /v1/cases/:id/decision); a second officer confirms it',
          { level: c.level, status: c.status },
        );
      }
      const audit: AuditEntry[] = [];
      const l = await this.insertLicence(tx, c, actor, actor.id, scopeLicence(c, input), now, audit);
      await insertCaseEvent(tx, { caseId: id, at: now.toISOString(), actor: actor.id, action: 'licence.recorded', fromStatus: c.status, toStatus: c.status, detail: { licence: l.id, agency: l.agency, number: l.number, expiresAt: l.expiresAt } });
      await appendAuditMany(tx, audit, now);
      return l;
    });
  }
}

/**
 * The licence limited to what the case is about: an entry case's licence covers that entry's LIST_MATCH
 * only (list + sourceId + code); a reason case's licence covers that reason code only (an entry named on
 * top narrows it further). Anything wider is `KYC_ERR_INPUT_INVALID`.
 */
export function scopeLicence(c: Pick<CaseRow, 'id' | 'kind' | 'list' | 'sourceId' | 'reasonCode'>, input: LicenceInput): LicenceInput {
  const base: LicenceInput = { agency: input.agency, number: input.number, expiresAt: input.expiresAt, ...(input.scope ? { scope: input.scope } : {}) };
  const wider = (what: string) =>
    new KycError('KYC_ERR_INPUT_INVALID', `a licence recorded on case ${c.id} covers only ${what}`, { case: c.id, list: input.list, sourceId: input.sourceId, codes: input.codes });
  if (c.kind === 'entry') {
    const what = `its own entry ${c.list}:${c.sourceId} (LIST_MATCH)`;
    if (!c.list || !c.sourceId) throw wider(what);
    if ((input.list !== undefined && input.list !== c.list) || (input.sourceId !== undefined && input.sourceId !== c.sourceId)) throw wider(what);
    if (input.codes && input.codes.some((x) => x !== 'LIST_MATCH')) throw wider(what);
    return { ...base, list: c.list as Licence['list'], sourceId: c.sourceId, codes: ['LIST_MATCH'] };
  }
  if (!c.reasonCode) throw wider('its own reason code');
  const code = c.reasonCode as ReasonCode;
  if (input.codes && input.codes.some((x) => x !== c.reasonCode)) throw wider(`its own reason code ${c.reasonCode}`);
  return { ...base, ...(input.list ? { list: input.list } : {}), ...(input.sourceId ? { sourceId: input.sourceId } : {}), codes: [code] };
}
