// Customer-name token index (delta rescreening): file customers under their name tokens, find those a list change's keys reach.
import { customerNameTokens, NAME_KEYS_VERSION, tokenLookupKeys } from '../../match/blocking-keys.js';
import type { Customer } from '../../model/index.js';
import type { Db } from '../db.js';

/**
 * (Re)files customers under their current name tokens and marks them indexed. Call in the transaction
 * that stores the customer's data. Keys are inserted in sorted order so concurrent writers queue
 * instead of deadlocking.
 */
export async function indexCustomerNames(tx: Db, customers: readonly Customer[]): Promise<void> {
  if (customers.length === 0) return;
  const ids: string[] = [];
  const tokIds: string[] = [];
  const toks: string[] = [];
  const vocab = new Set<string>();
  for (const c of customers) {
    ids.push(c.id);
    for (const t of customerNameTokens(c)) {
      tokIds.push(c.id);
      toks.push(t);
      vocab.add(t);
    }
  }
  const keys: string[] = [];
  const keyToks: string[] = [];
  const pairs: [string, string][] = [];
  for (const t of vocab) for (const k of tokenLookupKeys(t)) pairs.push([k, t]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  for (const [k, t] of pairs) {
    keys.push(k);
    keyToks.push(t);
  }
  await tx.query('DELETE FROM customer_name_tokens WHERE customer_id = ANY($1::text[])', [ids]);
  if (toks.length > 0) {
    await tx.query('INSERT INTO customer_name_tokens (token, customer_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [toks, tokIds]);
    await tx.query('INSERT INTO name_token_keys (key, token) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [keys, keyToks]);
  }
  await tx.query('UPDATE customers SET name_tokens_version = $2 WHERE id = ANY($1::text[])', [ids, NAME_KEYS_VERSION]);
}

/**
 * Files every customer not indexed yet (stored before the index existed, new, or renamed), in batches;
 * returns how many. Each batch is selected and locked inside the transaction that files it (FOR UPDATE,
 * in id order like every writer), and filed from the data read there: a rename committing meanwhile
 * waits for the batch and then unfiles the customer again (name_tokens_version NULL), or committed first
 * and is what gets filed — never the old name marked as current.
 */
export async function backfillNameTokens(db: Db, batch = 2000): Promise<number> {
  let n = 0;
  for (;;) {
    const filed = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ data: Customer }>(
        'SELECT data FROM customers WHERE name_tokens_version IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
        [batch],
      );
      await indexCustomerNames(tx, rows.map((r) => r.data));
      return rows.length;
    });
    if (filed === 0) return n;
    n += filed;
  }
}

/** Customers stored but not filed under their current name (changed after the last backfill), for a planner to check directly. */
export async function unfiledCustomers(db: Db): Promise<Customer[]> {
  const { rows } = await db.query<{ data: Customer }>('SELECT data FROM customers WHERE name_tokens_version IS NULL ORDER BY id COLLATE "C"');
  return rows.map((r) => r.data);
}

/** The stored tokens each of `keys` reaches: [key, token] pairs. */
export async function tokensByNameKeys(db: Db, keys: Iterable<string>): Promise<[string, string][]> {
  const list = [...keys];
  if (list.length === 0) return [];
  const { rows } = await db.query<{ key: string; token: string }>('SELECT key, token FROM name_token_keys WHERE key = ANY($1::text[])', [list]);
  return rows.map((r) => [r.key, r.token]);
}

/** Customers filed under any of `tokens`, loaded in one query (each once, in id order so a re-plan cuts the same chunks). */
export async function customersByNameTokens(db: Db, tokens: Iterable<string>): Promise<Customer[]> {
  const list = [...tokens];
  if (list.length === 0) return [];
  const { rows } = await db.query<{ data: Customer }>(
    'SELECT c.data FROM customers c WHERE c.id IN (SELECT t.customer_id FROM customer_name_tokens t WHERE t.token = ANY($1::text[])) ORDER BY c.id COLLATE "C"',
    [list],
  );
  return rows.map((r) => r.data);
}

/** How many customers are filed under each of `tokens` (absent: none). */
export async function customerCountsByToken(db: Db, tokens: Iterable<string>): Promise<Map<string, number>> {
  const list = [...tokens];
  if (list.length === 0) return new Map();
  const { rows } = await db.query<{ token: string; n: number }>('SELECT token, count(*)::int AS n FROM customer_name_tokens WHERE token = ANY($1::text[]) GROUP BY token', [list]);
  return new Map(rows.map((r) => [r.token, r.n]));
}
