// Content hashes that decide when a cleared case reopens: the customer's identity fingerprint and a hit's entry hash.
import { createHash } from 'node:crypto';
import type { Customer, Hit } from '../model/index.js';
import { canonicalJson } from './canonical-json.js';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Fallback hash of the customer's identity fields, used when a decision carries no
 * `customerFingerprint` of its own (screening's, which suppressions are compared on, wins). (name, type, country, aliases, address, ownership tree,
 * owners, identifiers). The compute request, contact, payment fingerprint and IPs are left out: they
 * change per request and do not change who the party is.
 */
export function customerFingerprint(customer: Customer): string {
  const { id, name, type, country, aliases, address, parents, beneficialOwners, identifiers } = customer;
  return sha256(
    canonicalJson({
      id,
      name,
      type: type ?? 'organization',
      country,
      aliases: aliases ? [...aliases].sort() : undefined,
      address,
      parents,
      beneficialOwners,
      identifiers,
    }),
  );
}

/**
 * The entry hash a suppression is compared on: `hit.entryHash` as screening set it; otherwise
 * (older or hand-made decisions) a hash of the entry fields the hit carries (list, source id,
 * primary name, entity type, programs).
 */
export function hitEntryHash(hit: Hit): string {
  if (hit.entryHash) return hit.entryHash;
  return sha256(
    canonicalJson({ list: hit.list, sourceId: hit.sourceId, primaryName: hit.primaryName, entityType: hit.entityType, programs: [...hit.programs].sort() }),
  );
}
