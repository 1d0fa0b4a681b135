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

/** Checks country codes, ownership fractions and the fields a compute request needs. */
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
  if (customer.request) {
    if (customer.country === undefined) {
      out.push(reason('customer', 'country missing: required when a compute request is present (headquarters test)', { field: 'country' }));
    }
    const up = tree.ultimateParent;
    if (up && up.country === undefined) {
      out.push(reason(up.subject, `ultimate parent ${up.subject} has no country: required when a compute request is present (headquarters test)`, { field: 'country' }));
    }
  }
  return out;
}
