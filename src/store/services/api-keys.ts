// API keys: created once (only the SHA-256 is stored), resolved to their principal on every request.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { KycError } from '../../errors.js';
import type { Db } from '../db.js';
import { appendAudit } from '../repos/audit-repo.js';
import { findPrincipalByName, insertApiKey, insertPrincipal, principalByKeyHash } from '../repos/principals-repo.js';
import { isRole, ROLES, type Principal, type Role } from '../../review/roles.js';

/** Every key starts with this, so secret scanners can find leaked ones. */
export const KEY_PREFIX = 'kyc_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface CreatedKey {
  /** The secret: shown once, never stored. */
  key: string;
  keyId: string;
  principal: Principal;
}

/**
 * Creates a key for the principal named `name` (created with `role` when new). An existing principal
 * with another role is refused: roles change by creating a new principal, which the audit log shows.
 */
export async function createApiKey(db: Db, opts: { role: string; name?: string; actor?: string }, now: Date): Promise<CreatedKey> {
  if (!isRole(opts.role)) throw new KycError('KYC_ERR_INPUT_INVALID', `unknown role ${JSON.stringify(opts.role)} (roles: ${ROLES.join(', ')})`);
  const role: Role = opts.role;
  const secret = randomBytes(24).toString('base64url');
  const key = `${KEY_PREFIX}${secret}`;
  const keyId = `key-${randomUUID()}`;
  return db.transaction(async (tx) => {
    const name = opts.name ?? `${role}-${secret.slice(0, 6).toLowerCase()}`;
    let principal = await findPrincipalByName(tx, name);
    if (principal && principal.role !== role) {
      throw new KycError('KYC_ERR_INPUT_INVALID', `${name} already exists with role ${principal.role}; choose another --name`);
    }
    if (!principal) {
      principal = { id: `prn-${randomUUID()}`, name, role };
      await insertPrincipal(tx, principal, now);
    }
    await insertApiKey(tx, { id: keyId, principalId: principal.id, keyHash: hashApiKey(key), prefix: key.slice(0, KEY_PREFIX.length + 6) }, now);
    await appendAudit(tx, { actor: opts.actor ?? 'cli', action: 'key.created', target: `principal:${principal.id}`, after: { keyId, name, role } }, now);
    return { key, keyId, principal };
  });
}

/** The principal of an active key, or undefined. */
export async function principalForKey(db: Db, key: string): Promise<Principal | undefined> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 200) return undefined;
  const p = await principalByKeyHash(db, hashApiKey(key));
  return p ? { id: p.id, name: p.name, role: p.role } : undefined;
}
