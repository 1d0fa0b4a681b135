// Delta selection through the PostgreSQL name token index misses no customer the matcher would pick (brute force over all), real lists + real PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../../src/config.js';
import { buildSnapshot, type Snapshot } from '../../../src/lists/snapshot.js';
import { parseSourceFiles } from '../../../src/lists/parse-files.js';
import { diffSnapshots, type SnapshotDiff } from '../../../src/lists/diff.js';
import { buildIndex } from '../../../src/match/index.js';
import { readSeedDir } from '../../../src/sources/seed-dir.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { openDatabase } from '../../../src/store/database.js';
import type { Db } from '../../../src/store/db.js';
import { upsertCustomer } from '../../../src/store/repos/screenings-repo.js';
import type { Customer, ListEntry } from '../../../src/model/index.js';
import { createDeltaPlan, createDeltaVerifier, indexWeights, partyNames, selectDeltaCustomers } from '../../../workers/delta-select.js';
import { selectDeltaFromTokenIndex } from '../../../workers/rescreen-plan.js';

const SEED = path.resolve(import.meta.dirname, '../../../..', 'shared/lists/current-2026');
const dbName = `kycgate_t_h6d_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ host: '127.0.0.1', user: 'root', database: 'postgres' });
let db: Db;
let snapshot: Snapshot;
let diff: SnapshotDiff;
let customers: Customer[];
let weights: ReturnType<typeof indexWeights>;

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Realistic spellings of a listed name: exact, typos, joined and split words, case and accents, reordered person names, legal forms. */
function variants(name: string, r: () => number): string[] {
  const words = name.split(/\s+/).filter(Boolean);
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a), '');
  const at = (w: string) => Math.max(1, Math.floor(r() * (w.length - 1)));
  const replaceWord = (w: string) => words.map((x) => (x === longest ? w : x)).join(' ');
  const i = at(longest);
  const out = [
    name,
    replaceWord(longest.slice(0, i) + longest.slice(i + 1)), // deletion
    replaceWord(longest.slice(0, i) + 'x' + longest.slice(i)), // insertion
    replaceWord(longest.slice(0, i) + (longest[i] === 'a' ? 'e' : 'a') + longest.slice(i + 1)), // substitution
    name.toLowerCase().replace(/e/g, 'é'),
    `${name} Holdings Ltd`,
  ];
  if (words.length >= 2) {
    out.push(words.slice(1).join(' ') + ' ' + words[0]); // reordered
    out.push(words[0]! + words[1]! + (words.length > 2 ? ' ' + words.slice(2).join(' ') : '')); // joined
  }
  if (longest.length >= 8) out.push(replaceWord(`${longest.slice(0, 4)} ${longest.slice(4)}`)); // split
  return out;
}

const GIVEN = ['James', 'Mary', 'Wei', 'Fatima', 'Olga', 'Carlos', 'Yuki', 'Ahmed', 'Anna', 'Sergei', 'Ali', 'Mohammad'];
const FAMILY = ['Smith', 'Garcia', 'Zhang', 'Hassan', 'Petrova', 'Ivanov', 'Khan', 'Wang', 'Li', 'Kim', 'Hussein', 'Rahman'];
const ORG = ['Northwind', 'Trading', 'Technology', 'Shipping', 'Industrial', 'International', 'Energy', 'Group', 'Electronics', 'Import Export'];

before(async () => {
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const config = loadConfig({ DATABASE_URL: `postgres://root@127.0.0.1:5432/${dbName}`, KYCGATE_LOG_LEVEL: 'silent' });
  db = await openDatabase(config, createLogger('silent'));
  snapshot = buildSnapshot(parseSourceFiles(await readSeedDir(SEED)), new Date(0));
  weights = indexWeights(buildIndex(snapshot.entries));
  const r = rng(11);
  const named = snapshot.entries.filter((e) => e.entityType === 'organization' || e.entityType === 'individual');
  const pickSet = (n: number, avoid: Set<ListEntry>) => {
    const s = new Set<ListEntry>();
    while (s.size < n) {
      const e = named[Math.floor(r() * named.length)]!;
      if (!avoid.has(e)) s.add(e);
    }
    return s;
  };
  const added = pickSet(60, new Set());
  const removed = pickSet(10, added);
  const previous: Snapshot = { ...snapshot, id: 'prev', entries: snapshot.entries.filter((e) => !added.has(e)) };
  const next: Snapshot = { ...snapshot, id: 'next', entries: snapshot.entries.filter((e) => !removed.has(e)) };
  diff = diffSnapshots(previous, next);
  const others = pickSet(60, new Set([...added, ...removed]));
  customers = [];
  let n = 0;
  const id = () => `c-${String(n++).padStart(6, '0')}`;
  for (const e of [...added, ...others]) {
    const type = e.entityType === 'individual' ? 'individual' : 'organization';
    const names = [...variants(e.name, r), ...e.aliases.slice(0, 2).map((a) => a.name)];
    for (const v of names) customers.push({ id: id(), name: v, type });
    customers.push({ id: id(), name: 'Harbor Compute Pte Ltd', parents: [{ name: names[1]!, ownership: 0.6 }] });
    customers.push({ id: id(), name: 'Summit Cloud GmbH', beneficialOwners: [{ name: names[2]!, ownership: 0.3, type }] });
    customers.push({ id: id(), name: 'Orchid Data AB', aliases: [names[3]!] });
  }
  for (let i = 0; i < 2000; i++) {
    const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
    customers.push(r() < 0.5 ? { id: id(), name: `${pick(GIVEN)} ${pick(FAMILY)}`, type: 'individual' } : { id: id(), name: `${pick(ORG)} ${pick(ORG)} ${pick(['LLC', 'Co., Ltd.', 'OOO', 'JSC'])}` });
  }
  // stored before the index existed: no tokens yet (the delta files them first)
  for (let i = 0; i < customers.length; i += 1000) {
    const batch = customers.slice(i, i + 1000);
    await db.query(
      `INSERT INTO customers (id, data, fingerprint, first_seen, last_screened, last_screening_id)
       SELECT id, data, 'fp', now(), now(), 'none' FROM unnest($1::text[], $2::jsonb[]) AS t(id, data)`,
      [batch.map((c) => c.id), batch.map((c) => JSON.stringify(c))],
    );
  }
});

after(async () => {
  await db?.close();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
});

test('the token index selects exactly what a brute-force matcher run over every customer selects (recall 100%)', async () => {
  assert.ok(diff.added.length === 60 && diff.removed.length === 10, `${diff.added.length} added, ${diff.removed.length} removed`);
  const verify = createDeltaVerifier(diff, weights ? { weights } : {});
  const brute = new Set(customers.filter(verify).map((c) => c.id));
  const openCase = customers[customers.length - 1]!.id; // an unrelated customer with an open case on a removed entry
  // minCustomers: 20 — this small base's generic words (trading, group, ivanov…) count as expensive, so the plan skips them
  const sel = await selectDeltaFromTokenIndex(db, diff, new Set([openCase]), { ...(weights ? { weights } : {}), minCustomers: 20 });
  assert.equal(sel.backfilled, customers.length, 'customers stored before the index are filed first');
  assert.equal(sel.base, customers.length);
  const byMatch = new Set(sel.affected.filter((c) => c.id !== openCase).map((c) => c.id));
  const missed = [...brute].filter((x) => !byMatch.has(x));
  assert.deepEqual(missed.map((x) => customers.find((c) => c.id === x)), [], 'customers the matcher picks but the index missed');
  assert.deepEqual([...byMatch].sort(), [...brute].sort());
  assert.ok(sel.affected.some((c) => c.id === openCase) && sel.byOpenCase === 1);
  // the test has teeth: most spellings of added entries are picked, and the index looked at far fewer customers than the base
  assert.ok(brute.size > 300, `brute force selected ${brute.size}`);
  // (the synthetic names share common words — trading, technology, ivanov — with listed names on purpose)
  assert.ok(sel.candidates < customers.length * 0.8, `${sel.candidates} candidates of ${customers.length}`);

  // skipping unneeded common words looked at fewer customers than keying every entry word, and lost none of the above
  const all = await selectDeltaFromTokenIndex(db, diff, new Set(), { ...(weights ? { weights } : {}), minCustomers: Number.MAX_SAFE_INTEGER });
  assert.deepEqual(all.affected.map((c) => c.id).sort(), [...brute].sort());
  assert.ok(sel.candidates < all.candidates * 0.7, `${sel.candidates} candidates with skipping, ${all.candidates} without`);

  // what a full rescreen would flag: every customer whose screening against the whole new snapshot returns a diff entry at the review threshold is selected
  const full = buildIndex(snapshot.entries.filter((e) => !diff.removed.includes(e)));
  const diffIds = new Set(diff.added.map((e) => `${e.list}:${e.sourceId}`));
  const flagged = customers.filter((c) =>
    partyNames(c).some((n) => full.search({ name: n.name, type: n.type }, { minScore: 0.85, limit: 50 }).some((h) => diffIds.has(`${h.entry.list}:${h.entry.sourceId}`))),
  );
  assert.ok(flagged.length > 200, `${flagged.length} flagged by the full index`);
  assert.deepEqual(flagged.filter((c) => !byMatch.has(c.id)).map((c) => c.name), [], 'flagged by a full rescreen but not selected');

  // the scan path (export files) selects the same customers
  async function* batches() {
    yield customers;
  }
  const scanned = await selectDeltaCustomers(diff, batches(), weights ? { weights } : {});
  assert.deepEqual(scanned.affected.map((c) => c.id).sort(), [...brute].sort());
});

test('an entry name keys only the words it needs: a customer sharing just its generic words is not a candidate, a typo of them still is', () => {
  const entry = diff.added[0]!;
  const one: SnapshotDiff = { from: 'a', to: 'b', added: [{ ...entry, entityType: 'organization', list: 'SDN', name: 'Zarqavex Energy Trading Group', primaryName: 'Zarqavex Energy Trading Group', aliases: [] }], removed: [], changed: [] };
  const plan = createDeltaPlan(one, { ...(weights ? { weights } : {}), customersWith: () => 10_000, minCustomers: 500 });
  assert.deepEqual([...plan.keys.names[0]!.skipped].sort(), ['energy', 'energytrading', 'energytradinggroup', 'group', 'trading', 'tradinggroup']);
  const c = (name: string): Customer => ({ id: name, name });
  assert.equal(plan.reached(c('Apex Energy Trading Group Ltd')), false, 'only generic words: cannot reach the threshold');
  assert.equal(plan.verify(c('Apex Energy Trading Group Ltd')), false, '… and the matcher agrees');
  assert.equal(plan.reached(c('Zarqavex Holdings')), true);
  assert.equal(plan.reached(c('Zarqavx Ltd')), true, 'typo of the needed word');
  assert.equal(plan.reached(c('Apex Tradinq Ltd')), true, 'typo of a skipped word still reaches (its deletion keys stay)');
  assert.equal(plan.reached(c('Energytrading Group')), false, 'joined skipped words are skipped too');
  assert.equal(plan.verify(c('Zarqavex Energy Trading Group')) && plan.reached(c('Zarqavex Energy Trading Group')), true);
  // without customer counts the list's document frequency decides (trading, group: common in list names)
  const byDf = createDeltaPlan(one, weights ? { weights } : {});
  assert.ok(byDf.keys.names[0]!.skipped.has('trading') && !byDf.reached(c('Apex Trading Group')));
});

test('a recorded or renamed customer is filed under its current name tokens before the next delta selects (and not the old ones)', async () => {
  const entry = diff.added.find((e) => e.entityType === 'organization' && e.name.split(' ').length >= 2) ?? diff.added[0]!;
  const c: Customer = { id: 'renamed-1', name: 'Quietbrook Pottery Studio' };
  await db.transaction((tx) => upsertCustomer(tx, c, 'fp-1', 's1', new Date()));
  const verifyOpts = weights ? { weights } : {};
  let sel = await selectDeltaFromTokenIndex(db, diff, new Set(), verifyOpts);
  assert.equal(sel.backfilled, 1, 'the write path leaves a new customer unfiled; the delta files it first');
  assert.ok(!sel.affected.some((x) => x.id === c.id));
  const only: SnapshotDiff = { from: 'a', to: 'b', added: [{ ...entry, name: 'Quietbrook Pottery Studio', primaryName: 'Quietbrook Pottery Studio', aliases: [] }], removed: [], changed: [] };
  sel = await selectDeltaFromTokenIndex(db, only, new Set(), verifyOpts);
  assert.deepEqual(sel.affected.map((x) => x.id), [c.id], 'found under the name it was recorded with');
  await db.transaction((tx) => upsertCustomer(tx, { ...c, name: entry.name }, 'fp-2', 's2', new Date()));
  sel = await selectDeltaFromTokenIndex(db, diff, new Set(), verifyOpts);
  assert.equal(sel.backfilled, 1, 'the renamed customer is re-filed');
  assert.ok(sel.affected.some((x) => x.id === c.id), 'found under the new name');
  sel = await selectDeltaFromTokenIndex(db, only, new Set(), verifyOpts);
  assert.equal(sel.candidates, 0, 'old tokens are gone');
});
