// Stable content hashes: a list entry's identifying fields and a customer's identity fields, for suppressions.
import { createHash } from 'node:crypto';
import type { Customer, ListEntry } from '../model/index.js';

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);

/** Hash of what identifies an entry (names, type, addresses, programs, ids); changes when the listing changes. */
export function entryHash(entry: ListEntry): string {
  return sha([
    entry.list,
    entry.sourceId,
    entry.primaryName,
    entry.aliases.map((a) => a.name).sort(),
    entry.entityType,
    entry.addresses.map((a) => a.raw).sort(),
    [...entry.programs].sort(),
    entry.ids.map((i) => `${i.type}:${i.value}`).sort(),
  ]);
}

/** Hash of the customer's identity as screened (names, type, countries, ownership tree); not of the request. */
export function customerFingerprint(customer: Customer): string {
  const parents = (ps: Customer['parents']): unknown =>
    (ps ?? []).map((p) => [p.name, p.country ?? null, p.ownership ?? null, [...(p.aliases ?? [])].sort(), parents(p.parents)]);
  return sha([
    customer.name,
    customer.type ?? 'organization',
    customer.country ?? null,
    [...(customer.aliases ?? [])].sort(),
    parents(customer.parents),
    (customer.beneficialOwners ?? []).map((o) => [o.name, o.type ?? 'individual', o.country ?? null, o.ownership ?? null]),
  ]);
}
