// pgDb.transaction on real PostgreSQL: the victim of a real deadlock runs again and commits; other errors are not retried.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from './helpers.js';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
  await t.db.exec('CREATE TABLE deadlock_probe (id int PRIMARY KEY, v int NOT NULL); INSERT INTO deadlock_probe VALUES (1, 0), (2, 0);');
  await t.db.exec("ALTER DATABASE " + t.name + " SET deadlock_timeout = '100ms'");
});
after(async () => t?.drop());

/** A promise and its resolver. */
function signal(): { done: Promise<void>; fire: () => void } {
  let fire = () => {};
  const done = new Promise<void>((resolve) => (fire = resolve));
  return { done, fire };
}

test('two transactions locking two rows in opposite order: the deadlock victim runs again and both commit', async () => {
  const runs = { a: 0, b: 0 };
  const aHolds = signal();
  const bHolds = signal();
  // each takes its first row, waits (first run only) until the other holds its own, then asks for the other's row
  const cross = (me: 'a' | 'b', first: number, second: number, mine: ReturnType<typeof signal>, theirs: ReturnType<typeof signal>) =>
    t.db.transaction(async (tx) => {
      runs[me] += 1;
      await tx.query('UPDATE deadlock_probe SET v = v + 1 WHERE id = $1', [first]);
      if (runs[me] === 1) {
        mine.fire();
        await theirs.done;
      }
      await tx.query('UPDATE deadlock_probe SET v = v + 1 WHERE id = $1', [second]);
      return me;
    });
  const results = await Promise.all([cross('a', 1, 2, aHolds, bHolds), cross('b', 2, 1, bHolds, aHolds)]);
  assert.deepEqual(results, ['a', 'b']);
  assert.equal(runs.a + runs.b, 3, `one of them ran twice: ${JSON.stringify(runs)}`);
  const { rows } = await t.db.query<{ id: number; v: number }>('SELECT id, v FROM deadlock_probe ORDER BY id');
  assert.deepEqual(rows, [
    { id: 1, v: 2 },
    { id: 2, v: 2 },
  ], 'each committed once: the victim’s first run left nothing behind');
});

test('any other error is not retried: fn runs once and its writes are rolled back', async () => {
  let runs = 0;
  await assert.rejects(
    t.db.transaction(async (tx) => {
      runs += 1;
      await tx.query('UPDATE deadlock_probe SET v = 100 WHERE id = 1');
      await tx.query('SELECT 1/0');
    }),
    (e: unknown) => (e as { code?: string }).code === '22012',
  );
  assert.equal(runs, 1);
  const { rows } = await t.db.query<{ v: number }>('SELECT v FROM deadlock_probe WHERE id = 1');
  assert.notEqual(rows[0]!.v, 100);
});
