// Identity checks: malformed or missing KYC fields become INCOMPLETE_IDENTITY reasons (review), never a silent allow.
import type { Customer, Reason } from '../model/index.js';
import { isIsoCountry } from '../model/countries.js';
import type { PartyTree } from '../policy/parties.js';
import { pct } from '../policy/format.js';

const reason = (subject: string, detail: string, extra: Record<string, unknown> = {}): Reason => ({
  code: 'INCOMPLETE_IDENTITY',
  subject,
  outcome: 'review',
  detail,
  ...extra,
});

/** Checks country codes, ownership fractions, missing stakes among several parents, the ultimate parents' countries and the fields a compute request needs. */
export function identityReasons(customer: Customer, tree: PartyTree): Reason[] {
  const out: Reason[] = [];
  const checkCountry = (subject: string, field: string, code: string | undefined) => {
    if (code !== undefined && !isIsoCountry(code)) {
      out.push(reason(subject, `${field} ${JSON.stringify(code)} is not an ISO 3166-1 alpha-2 country code: the headquarters test cannot be made`, { field }));
    }
  };
  checkCountry('customer', 'country', customer.country);
  checkCountry('customer', 'address.country', customer.address?.country);
  for (const node of tree.nodes.values()) {
    if (node.subject !== 'customer') checkCountry(node.subject, `${node.subject} country`, node.country);
    if (node.ownership !== undefined && (node.ownership < 0 || node.ownership > 1)) {
      out.push(reason(node.subject, `${node.subject} ownership ${node.ownership} is outside 0..1 (a fraction: 0.3 = 30%)`, { field: 'ownership' }));
    }
    const total = node.owners.reduce((sum, o) => sum + (o.ownership !== undefined && o.ownership > 0 && o.ownership <= 1 ? o.ownership : 0), 0);
    if (total > 1 + 1e-9) {
      out.push(
        reason(node.subject, `owners of ${node.subject} add up to ${pct(total)} (> 100%): ${node.owners.map((o) => `${o.subject} ${o.ownership ?? '?'}`).join(', ')}`, {
          field: 'ownership',
        }),
      );
    }
  }
  for (const { node, missing } of tree.unknownStakes) {
    out.push(
      reason(
        node.subject,
        `${node.subject} has ${node.parents.length} parents but no ownership for ${missing.map((m) => m.subject).join(', ')}: the largest stake, and so the ` +
          `ultimate parent, cannot be told (every chain that may be the largest is tested for headquarters)`,
        { field: 'ownership' },
      ),
    );
  }
  if (customer.request && customer.country === undefined) {
    out.push(reason('customer', 'country missing: required when a compute request is present (headquarters test)', { field: 'country' }));
  }
  // the Tier 3 headquarters test of the ultimate parent is always on (DOMAIN.md §6 (d)): its country is needed with or without a request
  for (const up of tree.ultimateParents) {
    if (up.country === undefined) {
      out.push(reason(up.subject, `ultimate parent ${up.subject} has no country: the headquarters test (always on, with or without a request) cannot be made`, { field: 'country' }));
    }
  }
  return out;
}
