// Principals (officer / service accounts) and their API keys; only key hashes are stored.
import type { Principal, Role } from '../../review/roles.js';
import type { Db } from '../db.js';

export async function findPrincipalByName(db: Db, name: string): Promise<Principal | undefined> {
  const { rows } = await db.query<Principal>('SELECT id, name, role FROM principals WHERE name = $1', [name]);
  return rows[0];
}

export async function insertPrincipal(db: Db, p: Principal, at: Date): Promise<void> {
  await db.query('INSERT INTO principals (id, name, role, created_at) VALUES ($1, $2, $3, $4)', [p.id, p.name, p.role, at.toISOString()]);
}

export async function insertApiKey(db: Db, k: { id: string; principalId: string; keyHash: string; prefix: string }, at: Date): Promise<void> {
  await db.query('INSERT INTO api_keys (id, principal_id, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5)', [
    k.id,
    k.principalId,
    k.keyHash,
    k.prefix,
    at.toISOString(),
  ]);
}

/** The principal holding an active (not revoked, not disabled) key with this hash. */
export async function principalByKeyHash(db: Db, keyHash: string): Promise<(Principal & { keyId: string }) | undefined> {
  const { rows } = await db.query<{ id: string; name: string; role: Role; key_id: string }>(
    `SELECT p.id, p.name, p.role, k.id AS key_id FROM api_keys k JOIN principals p ON p.id = k.principal_id
      WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND p.disabled_at IS NULL`,
    [keyHash],
  );
  const r = rows[0];
  return r ? { id: r.id, name: r.name, role: r.role, keyId: r.key_id } : undefined;
}

export async function principalNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; name: string }>('SELECT id, name FROM principals WHERE id = ANY($1::text[])', [ids]);
  return new Map(rows.map((r) => [r.id, r.name]));
}
