// Licences: an unexpired officer-recorded licence of the right agency turns a matching `deny` reason into `allow`, and the decision cites it.
import type { ListCode, Licence, LicenceCitation, Reason, ReasonCode } from '../model/index.js';

type EntryRef = { list: string; sourceId: string };

/** The agencies whose licences kycgate can apply. */
export type Authority = 'OFAC' | 'BIS' | 'STATE';

/** Who administers each list: only that agency's licence authorizes dealings a match on it restricts. */
export const LIST_AUTHORITY: Readonly<Record<ListCode, Authority>> = Object.freeze({
  // Treasury OFAC: SDN and the non-SDN lists (31 CFR Chapter V)
  SDN: 'OFAC',
  SSI: 'OFAC',
  PLC: 'OFAC',
  CMIC: 'OFAC',
  'NS-MBS': 'OFAC',
  CAPTA: 'OFAC',
  FSE: 'OFAC',
  // Commerce BIS: Entity List, Denied Persons, Military End-User, Unverified (15 CFR 744, 764)
  ENTITY_LIST: 'BIS',
  DPL: 'BIS',
  MEU: 'BIS',
  UVL: 'BIS',
  // State: nonproliferation sanctions, ITAR debarred
  ISN: 'STATE',
  DTC: 'STATE',
});

/** Reasons that come from the EAR (BIS): the headquarters test, AI Diffusion tiers, training compute and cluster size. */
const BIS_CODES: ReadonlySet<ReasonCode> = new Set(['TIER3_HEADQUARTERS', 'TIER2_HEADQUARTERS', 'TRAINING_COMPUTE', 'TRAINING_AGGREGATE', 'CLUSTER_SCALE']);

/** Names an agency may be recorded under. */
const AGENCY_ALIASES: Readonly<Record<string, Authority>> = Object.freeze({
  OFAC: 'OFAC',
  BIS: 'BIS',
  STATE: 'STATE',
  DDTC: 'STATE',
  ISN: 'STATE',
});

/** The agency whose licence can relax `reason`, or undefined when none can (e.g. lists of several agencies). */
export function reasonAuthority(reason: Reason): Authority | undefined {
  if (BIS_CODES.has(reason.code)) return 'BIS';
  let lists: string[] = [];
  if (reason.code === 'LIST_MATCH' && typeof reason.list === 'string') lists = [reason.list];
  else if (reason.code === 'OWNED_BY_LISTED' && Array.isArray(reason.lists)) lists = reason.lists as string[];
  const authorities = new Set(lists.map((l) => LIST_AUTHORITY[l as ListCode]));
  if (authorities.size !== 1) return undefined;
  return [...authorities][0];
}

function agencyOf(licence: Licence): Authority | undefined {
  return AGENCY_ALIASES[licence.agency.trim().toUpperCase()];
}

function covers(licence: Licence, reason: Reason): boolean {
  if (licence.codes && !licence.codes.includes(reason.code)) return false;
  if (licence.sourceId === undefined && licence.list === undefined) return true;
  const entries = (reason.entries as EntryRef[] | undefined) ?? [];
  return entries.some(
    (e) => (licence.list === undefined || e.list === licence.list) && (licence.sourceId === undefined || e.sourceId === licence.sourceId),
  );
}

function cite(l: Licence): LicenceCitation {
  return {
    ...(l.caseId ? { caseId: l.caseId } : {}),
    agency: l.agency,
    number: l.number,
    ...(l.scope ? { scope: l.scope } : {}),
    expiresAt: l.expiresAt,
  };
}

/**
 * Applies licences to deny reasons in place (outcome → allow, `licence` cited, detail extended). A licence applies only
 * when its agency administers the rule behind the reason (OFAC: SDN and OFAC non-SDN list matches, the OFAC 50% rule;
 * BIS: Entity List, DPL, MEU and UVL matches, the Affiliates rule, the headquarters test, training compute and cluster
 * size); a licence of another agency, or a matching but expired one, is named in the detail and not applied. Returns
 * the citations of the licences applied.
 */
export function applyLicences(reasons: Reason[], licences: readonly Licence[], now: Date): LicenceCitation[] {
  const cited = new Map<string, LicenceCitation>();
  for (const reason of reasons) {
    if (reason.outcome !== 'deny') continue;
    const authority = reasonAuthority(reason);
    const covering = licences.filter((l) => covers(l, reason));
    const matching = covering.filter((l) => authority !== undefined && agencyOf(l) === authority);
    const valid = matching.find((l) => Date.parse(l.expiresAt) > now.getTime());
    if (valid) {
      const citation = cite(valid);
      reason.outcome = 'allow';
      reason.licence = citation;
      reason.detail += `; authorized by ${valid.agency} licence ${valid.number}${valid.scope ? ` (${valid.scope})` : ''}, valid until ${valid.expiresAt} → allow`;
      cited.set(`${valid.agency}:${valid.number}`, citation);
      continue;
    }
    for (const l of matching) reason.detail += `; ${l.agency} licence ${l.number} expired ${l.expiresAt}: not applied`;
    for (const l of covering) {
      if (matching.includes(l)) continue;
      reason.detail += `; ${l.agency} licence ${l.number} not applied: ${authority ? `this reason is for ${authority} to license` : 'no single agency licenses this reason'}`;
    }
  }
  return [...cited.values()];
}
