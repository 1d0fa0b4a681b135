// Licences: an unexpired officer-recorded licence turns a matching `deny` reason into `allow`, and the decision cites it.
import type { Licence, LicenceCitation, Reason } from '../model/index.js';

type EntryRef = { list: string; sourceId: string };

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
 * Applies licences to deny reasons in place (outcome → allow, `licence` cited, detail extended). A matching but
 * expired licence is named in the detail and not applied. Returns the citations of the licences applied.
 */
export function applyLicences(reasons: Reason[], licences: readonly Licence[], now: Date): LicenceCitation[] {
  const cited = new Map<string, LicenceCitation>();
  for (const reason of reasons) {
    if (reason.outcome !== 'deny') continue;
    const matching = licences.filter((l) => covers(l, reason));
    const valid = matching.find((l) => Date.parse(l.expiresAt) > now.getTime());
    if (valid) {
      const citation = cite(valid);
      reason.outcome = 'allow';
      reason.licence = citation;
      reason.detail += `; authorized by ${valid.agency} licence ${valid.number}${valid.scope ? ` (${valid.scope})` : ''}, valid until ${valid.expiresAt} → allow`;
      cited.set(`${valid.agency}:${valid.number}`, citation);
    } else {
      for (const l of matching) reason.detail += `; ${l.agency} licence ${l.number} expired ${l.expiresAt}: not applied`;
    }
  }
  return [...cited.values()];
}
