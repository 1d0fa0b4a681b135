// Customer scans for rescreening (owned by the workers issue): id-range chunks of the customers table, open cases by list entry.
import type { Customer } from '../../model/index.js';
import type { Db } from '../db.js';

/** Number of stored customers. */
export async function countCustomers(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM customers');
  return Number(rows[0]?.n ?? 0);
}

/**
 * Cuts the customers table, ordered by id, into ranges of `chunkSize`: (afterId, lastId].
 * Customers added later with ids inside a range are picked up when that range runs.
 */
export async function customerIdRanges(db: Db, chunkSize: number): Promise<{ afterId: string | null; lastId: string; count: number }[]> {
  const { rows } = await db.query<{ id: string; rn: string | number; total: string | number }>(
    `SELECT id, rn, total FROM (
       SELECT id, row_number() OVER (ORDER BY id COLLATE "C") AS rn, count(*) OVER () AS total FROM customers
     ) t WHERE rn % $1 = 0 OR rn = total ORDER BY rn`,
    [chunkSize],
  );
  const out: { afterId: string | null; lastId: string; count: number }[] = [];
  let after: string | null = null;
  let prevRn = 0;
  for (const r of rows) {
    const rn = Number(r.rn);
    out.push({ afterId: after, lastId: r.id, count: rn - prevRn });
    after = r.id;
    prevRn = rn;
  }
  return out;
}

/** Customers with afterId < id ≤ lastId (byte order), in id order. */
export async function customersInRange(db: Db, afterId: string | null, lastId: string): Promise<Customer[]> {
  const { rows } =
    afterId === null
      ? await db.query<{ data: Customer }>('SELECT data FROM customers WHERE id COLLATE "C" <= $1 ORDER BY id COLLATE "C"', [lastId])
      : await db.query<{ data: Customer }>('SELECT data FROM customers WHERE id COLLATE "C" > $1 AND id COLLATE "C" <= $2 ORDER BY id COLLATE "C"', [afterId, lastId]);
  return rows.map((r) => r.data);
}

/** Customers by id (missing ids are left out). */
export async function customersByIds(db: Db, ids: readonly string[]): Promise<Customer[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ data: Customer }>('SELECT data FROM customers WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C"', [ids]);
  return rows.map((r) => r.data);
}

/** Ids of customers with an unresolved case (open, in review, escalated) about one of these list entries. */
export async function customersWithOpenCasesOn(db: Db, entries: readonly { list: string; sourceId: string }[]): Promise<string[]> {
  if (entries.length === 0) return [];
  const { rows } = await db.query<{ customer_id: string }>(
    `SELECT DISTINCT c.customer_id FROM cases c
       JOIN unnest($1::text[], $2::text[]) AS e(list, source_id) ON c.list = e.list AND c.source_id = e.source_id
      WHERE c.kind = 'entry' AND c.status IN ('open', 'in_review', 'escalated')`,
    [entries.map((e) => e.list), entries.map((e) => e.sourceId)],
  );
  return rows.map((r) => r.customer_id);
}
