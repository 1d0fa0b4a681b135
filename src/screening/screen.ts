// screenCustomer: one customer against one snapshot's index and one policy pack → one Decision (pure, synchronous).
import type { Customer, Decision, Hit, Licence, Reason, Suppression } from '../model/index.js';
import type { MatchCandidate, MatchIndex } from '../match/types.js';
import {
  applyLicences,
  assessHeadquarters,
  combine,
  computeReasons,
  countryAgreement,
  headquartersReasons,
  listMatchReason,
  ownershipReasons,
  partyTree,
  type Party,
  type PolicyPack,
  type RuleData,
} from '../policy/index.js';
import { customerFingerprint, entryHash } from './fingerprints.js';
import { identityReasons } from './identity.js';

export interface ScreeningContext {
  index: MatchIndex;
  lists: { version: string; sources: Record<string, string> };
  pack: PolicyPack;
  rules: RuleData;
  /** The decision date: dated tables and rule periods in force on it are used; also `decidedAt`. */
  now: Date;
  screeningId: string;
  /** Cleared false positives of this customer. */
  suppressions?: Suppression[];
  /** Licences recorded for this customer. */
  licences?: Licence[];
  /** Training operations of the customer's ultimate parent over the pack's window, this request included. */
  aggregate?: { windowOps: number };
  /**
   * When set, lists whose newest source retrieval (`retrievedAt`, ISO; undefined when the snapshot records none) lies
   * more than `maxHours` before `now` raise SCREENING_UNAVAILABLE at review: never a clean allow on stale lists.
   */
  listAge?: { retrievedAt: string | undefined; maxHours: number };
}

const HOUR_MS = 3_600_000;

/** Whether lists retrieved at `retrievedAtMs` (epoch ms; NaN: unknown) are at most `maxHours` old at `now`. */
export function listsWithinAge(retrievedAtMs: number, maxHours: number, now: Date): boolean {
  return (now.getTime() - retrievedAtMs) / HOUR_MS <= maxHours;
}

/** SCREENING_UNAVAILABLE when the lists are older than allowed (or their age is unknown), else nothing. */
export function listAgeReasons(ctx: Pick<ScreeningContext, 'listAge' | 'lists' | 'now'>): Reason[] {
  const age = ctx.listAge;
  if (!age || age.maxHours <= 0) return [];
  const at = age.retrievedAt === undefined ? Number.NaN : Date.parse(age.retrievedAt);
  const base = { code: 'SCREENING_UNAVAILABLE' as const, subject: 'customer', outcome: 'review' as const, maxAgeHours: age.maxHours };
  if (Number.isNaN(at)) {
    return [{ ...base, detail: `list snapshot ${ctx.lists.version} records no retrieval time: its age cannot be shown to be within ${age.maxHours} h (KYCGATE_MAX_LIST_AGE_HOURS) → review` }];
  }
  if (listsWithinAge(at, age.maxHours, ctx.now)) return [];
  const hours = (ctx.now.getTime() - at) / HOUR_MS;
  const days = hours >= 48 ? ` (${(hours / 24).toFixed(1)} days)` : '';
  return [
    {
      ...base,
      detail:
        `lists are stale: the newest source of snapshot ${ctx.lists.version} was retrieved ${age.retrievedAt}, ${hours.toFixed(1)} h${days} before this decision — ` +
        `older than the ${age.maxHours} h allowed (KYCGATE_MAX_LIST_AGE_HOURS); recent designations may be missing, so no clean allow → review`,
      listsRetrievedAt: age.retrievedAt,
      ageHours: Math.round(hours * 10) / 10,
    },
  ];
}

/**
 * The hit evidence of one candidate. The matcher compares country codes as given; a `mismatch` is checked again
 * through the EAR's equivalences (HK is CN, the table the tiers use), which can only turn it into a match.
 */
function toHit(party: Party, queryName: string, c: MatchCandidate, ctx: ScreeningContext): Hit {
  const agreement = c.features.country === 'mismatch' ? countryAgreement(party.country, c.entry.addresses.map((a) => a.country ?? ''), ctx.now, ctx.rules) : undefined;
  const features = agreement?.via ? { ...c.features, country: agreement.country, countryVia: agreement.via } : c.features;
  return {
    subject: party.subject,
    list: c.entry.list,
    sourceId: c.entry.sourceId,
    primaryName: c.entry.primaryName,
    matchedName: c.matchedName,
    queryName,
    score: c.score,
    entityType: c.entry.entityType,
    programs: c.entry.programs,
    features,
    pieces: c.pieces,
    entryHash: entryHash(c.entry),
  };
}

/** Screens every name of a party; keeps the best hit per entry, best first, at most `maxHits`. */
function screenParty(party: Party, ctx: ScreeningContext): Hit[] {
  const best = new Map<string, Hit>();
  const { reviewThreshold, maxHits } = ctx.pack.match;
  for (const name of [party.name, ...party.otherNames]) {
    const found = ctx.index.search({ name, type: party.type, ...(party.country ? { country: party.country } : {}) }, { minScore: reviewThreshold, limit: maxHits });
    for (const c of found) {
      const key = `${c.entry.list}\u0000${c.entry.sourceId}`;
      const prev = best.get(key);
      if (!prev || c.score > prev.score) best.set(key, toHit(party, name, c, ctx));
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score).slice(0, maxHits);
}

function suppress(hit: Hit, customer: Customer, suppressions: readonly Suppression[], fingerprint: () => string): void {
  const s = suppressions.find(
    (x) =>
      x.customerId === customer.id &&
      x.list === hit.list &&
      x.sourceId === hit.sourceId &&
      (x.entryHash === undefined || x.entryHash === hit.entryHash) &&
      (x.customerFingerprint === undefined || x.customerFingerprint === fingerprint()),
  );
  if (s) hit.suppressed = { caseId: s.caseId, since: s.since };
}

/** Screens one parsed customer. Throws KYC_ERR_UNKNOWN_GPU when the request names a GPU not in the catalog. */
export function screenCustomer(customer: Customer, ctx: ScreeningContext): Decision {
  const { pack, rules, now } = ctx;
  const tree = partyTree(customer);
  let fp: string | undefined;
  const fingerprint = () => (fp ??= customerFingerprint(customer));

  const hitsBySubject = new Map<string, Hit[]>();
  const hits: Hit[] = [];
  for (const party of tree.parties) {
    const found = screenParty(party, ctx);
    for (const h of found) suppress(h, customer, ctx.suppressions ?? [], fingerprint);
    if (found.length) hitsBySubject.set(party.subject, found);
    hits.push(...found);
  }
  hits.sort((a, b) => b.score - a.score);

  const reasons: Reason[] = [];
  for (const hit of hits) {
    if (hit.suppressed) continue;
    reasons.push(listMatchReason(hit, pack, hit.subject.startsWith('parent:') || hit.subject.startsWith('owner:')));
  }
  reasons.push(...ownershipReasons(tree, hitsBySubject, pack, now));
  const hq = assessHeadquarters(tree, pack, rules, now);
  reasons.push(...headquartersReasons(hq, customer.request, pack));
  if (customer.request) reasons.push(...computeReasons(customer.request, hq, pack, rules, ctx.aggregate));
  reasons.push(...identityReasons(customer, tree));
  reasons.push(...listAgeReasons(ctx));

  const licences = ctx.licences?.length ? applyLicences(reasons, ctx.licences, now) : [];
  const decision: Decision = {
    id: customer.id,
    outcome: combine(reasons),
    screeningId: ctx.screeningId,
    // the evidence is capped at the pack's per-decision cap, best first; the reasons above saw every hit
    hits: hits.slice(0, pack.match.maxHits),
    reasons,
    lists: ctx.lists,
    policy: pack.id,
    policyVersion: pack.version,
    decidedAt: now.toISOString(),
    rulesVersion: rules.version,
  };
  if (licences.length) decision.licences = licences;
  decision.customerFingerprint = fingerprint();
  return decision;
}
