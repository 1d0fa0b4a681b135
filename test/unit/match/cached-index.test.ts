// withSearchCache over the real 2026 OFAC lists: same candidates as the bare index, per-key hits/misses, frozen results, LRU bound; the engine's cache ends at a swap.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../../src/config.js';
import { buildSnapshot, type Snapshot } from '../../../src/lists/snapshot.js';
import { parseSourceFiles } from '../../../src/lists/parse-files.js';
import { buildIndex, withSearchCache, type CachedMatchIndex } from '../../../src/match/index.js';
import type { MatchCandidate, MatchIndex, NameQuery, SearchOptions } from '../../../src/match/types.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { ScreeningEngine } from '../../../src/runtime/screening-engine.js';
import { readSeedDir } from '../../../src/sources/seed-dir.js';
import { entry } from '../policy/fixtures.js';

const seed = resolve(import.meta.dirname, '../../../../shared/lists/current-2026');
let index: MatchIndex;

// The OFAC files only (SDN + ALT + ADD, ≈19k entries): parsing consolidated.csv as well would triple the set-up time.
before(async () => {
  const files = (await readSeedDir(seed)).filter((f) => f.name !== 'consolidated.csv');
  index = buildIndex(buildSnapshot(parseSourceFiles(files), new Date(0)).entries);
  assert.ok(index.entryCount > 15_000, String(index.entryCount));
});

const REVIEW: SearchOptions = { minScore: 0.85, limit: 20 };

/** withSearchCache with a positive bound always returns the cached variant. */
const cached = (max = 1000) => withSearchCache(index, max) as CachedMatchIndex;

describe('the cache answers exactly what the index answers', () => {
  // [query, type, expect hits?] — listed names (exact, typo, reordered, homoglyphs, legal form) and real clean names
  const table: [string, NameQuery['type'], boolean][] = [
    ['MAHAN AIR', 'organization', true],
    ['TRUSTNFO', 'organization', true], // typo of SDN "TRUSTINFO"
    ['Petr Revoldovich Ammosov', 'individual', true], // word order
    ['AMMОSOV, Pеtr Revoldovich', 'individual', true], // Cyrillic homoglyphs
    ['Педро Мигуел Cаррено Есcобар', 'individual', true], // Cyrillic script; SDN "CARRENO ESCOBAR, Pedro Miguel"
    ['tarabargorous trust transportation', 'organization', true], // spacing
    ['JSC ANGSTREM-T', 'organization', true], // two candidates (JOINT STOCK COMPANY ANGSTREM too)
    ['Bank Melli Iran', undefined, true], // no party type
    ['Mahan Airlines', 'organization', false],
    ['Kersten Thiele', 'individual', false],
    ['Veenome', 'organization', false],
    ['Sunny Side Bakery GmbH', 'organization', false],
  ];
  for (const [name, type, listed] of table) {
    test(`${JSON.stringify(name)} (${type}) → ${listed ? 'the same candidates' : 'nothing'}, first and second time`, () => {
      const c = cached();
      const q: NameQuery = { name, ...(type ? { type } : {}) };
      const bare = index.search(q, REVIEW);
      assert.equal(bare.length > 0, listed, `bare index: ${bare.map((h) => h.matchedName).join(' | ')}`);
      const first = c.search(q, REVIEW);
      const second = c.search(q, REVIEW);
      assert.deepEqual(first, bare);
      assert.deepEqual(second, bare);
      assert.equal(second, first, 'the repeat is the remembered array');
      assert.deepEqual(c.cacheStats, { hits: 1, misses: 1, size: 1 });
    });
  }

  test('entryCount and nameCount are the index’s', () => {
    const c = cached();
    assert.deepEqual([c.entryCount, c.nameCount], [index.entryCount, index.nameCount]);
  });
});

describe('cache key: type, country, minScore, limit and name', () => {
  // SDN "BANK MELLI IRAN" has 9 candidates at 0.5; address countries make the country feature differ
  const base: [NameQuery, SearchOptions] = [{ name: 'Bank Melli Iran', type: 'organization', country: 'IR' }, { minScore: 0.5, limit: 5 }];
  // [what, query, options, answers differently from base?]
  const variants: [string, NameQuery, SearchOptions, boolean][] = [
    ['another type', { ...base[0], type: 'individual' }, base[1], true],
    ['no type', { name: base[0].name, country: 'IR' }, base[1], false],
    ['no country', { name: base[0].name, type: 'organization' }, base[1], true],
    ['another country', { ...base[0], country: 'BR' }, base[1], true],
    ['another minScore', base[0], { ...base[1], minScore: 0.9 }, true],
    ['another limit', base[0], { ...base[1], limit: 20 }, true],
    ['no limit (the default 20)', base[0], { minScore: 0.5 }, true],
    ['another spelling of the name', { ...base[0], name: 'BANK MELLI IRAN' }, base[1], false],
    ['another name', { ...base[0], name: 'Bank Melli Iran ZAO' }, base[1], true],
  ];

  for (const [what, q, o, differs] of variants) {
    test(`${what} is a miss, answered as the index answers it`, () => {
      const c = cached();
      const b = c.search(...base);
      c.search(...base);
      assert.deepEqual(c.cacheStats, { hits: 1, misses: 1, size: 1 });
      const got = c.search(q, o);
      assert.deepEqual(c.cacheStats, { hits: 1, misses: 2, size: 2 }, 'a different key: miss, new entry');
      assert.deepEqual(got, index.search(q, o));
      if (differs) assert.notDeepEqual(got, b, 'the variant answers differently, so a shared key would return a wrong result');
      c.search(q, o);
      c.search(...base);
      assert.deepEqual(c.cacheStats, { hits: 3, misses: 2, size: 2 }, 'both keys are now hits');
    });
  }

  test('a clean name is remembered too: the second search is a hit returning []', () => {
    const c = cached();
    assert.deepEqual(c.search({ name: 'Veenome', type: 'organization' }, REVIEW), []);
    assert.deepEqual(c.search({ name: 'Veenome', type: 'organization' }, REVIEW), []);
    assert.deepEqual(c.cacheStats, { hits: 1, misses: 1, size: 1 });
  });
});

describe('results are shared, so frozen', () => {
  test('the array and each candidate are frozen; mutation throws (strict mode) and the next caller sees the original', () => {
    const c = cached();
    const q: NameQuery = { name: 'JSC ANGSTREM-T', type: 'organization' };
    // typed readonly; the casts try at run time what a careless caller could do through `any`
    const r = c.search(q, REVIEW) as MatchCandidate[];
    assert.equal(r.length, 2);
    assert.ok(Object.isFrozen(r));
    for (const cand of r) assert.ok(Object.isFrozen(cand));
    const score = r[0]!.score;
    const mutations: [string, () => void][] = [
      ['push', () => r.push(r[0]!)],
      ['pop', () => r.pop()],
      ['sort', () => r.sort((a, b) => a.score - b.score)],
      ['reverse', () => r.reverse()],
      ['index assignment', () => ((r as unknown as { 0: unknown })[0] = undefined)],
      ['candidate score', () => ((r[0] as { score: number }).score = 0)],
      ['candidate matchedName', () => ((r[0] as { matchedName: string }).matchedName = 'x')],
    ];
    for (const [what, f] of mutations) assert.throws(f, TypeError, what);
    const again = c.search(q, REVIEW);
    assert.equal(again[0]!.score, score);
    assert.deepEqual(again, index.search(q, REVIEW));
  });

  test('an empty result is frozen too', () => {
    const r = cached().search({ name: 'Sunny Side Bakery GmbH' }, REVIEW) as MatchCandidate[];
    assert.deepEqual(r, []);
    assert.ok(Object.isFrozen(r));
    assert.throws(() => r.push(r[0]!), TypeError);
  });

  // `pieces` and `features` of a cached candidate are the same objects for every caller (screen.ts copies them into
  // Decision.hits as they are): they are frozen too.
  test('nested parts of a cached candidate (pieces, features) cannot be altered by one caller for the next', () => {
    const c = cached();
    const q: NameQuery = { name: 'TRUSTNFO', type: 'organization' };
    const first = c.search(q, REVIEW)[0]!;
    const pieces = first.pieces.length;
    try {
      first.pieces.push({ ...first.pieces[0]! });
      (first.features as { tokens: number }).tokens = -1;
    } catch {
      /* frozen: fine */
    }
    const next = c.search(q, REVIEW)[0]!;
    assert.equal(next.pieces.length, pieces);
    assert.notEqual(next.features.tokens, -1);
  });
});

describe('bound', () => {
  test('maxEntries 0 (or less) returns the index itself', () => {
    for (const max of [0, -1]) {
      const c = withSearchCache(index, max);
      assert.equal(c, index, String(max));
      assert.equal('cacheStats' in c, false);
    }
  });

  test('size never exceeds maxEntries; the least recently used key is the one evicted', () => {
    const c = cached(3);
    const names = ['MAHAN AIR', 'TRUSTNFO', 'Veenome', 'Kersten Thiele', 'Sunny Side Bakery GmbH', 'BANK MELLI IRAN', 'JSC ANGSTREM-T'];
    for (const name of names) {
      c.search({ name }, REVIEW);
      assert.ok(c.cacheStats.size <= 3, `${name}: size ${c.cacheStats.size}`);
    }
    assert.deepEqual(c.cacheStats, { hits: 0, misses: names.length, size: 3 });
    // kept: the last three; the first is gone
    c.search({ name: names[names.length - 1]! }, REVIEW);
    assert.equal(c.cacheStats.hits, 1);
    c.search({ name: names[0]! }, REVIEW);
    assert.deepEqual(c.cacheStats, { hits: 1, misses: names.length + 1, size: 3 });

    // LRU, not FIFO: touch A, then add D → B (least recently used) goes, A stays
    const l = cached(3);
    const [A, B, C, D] = ['MAHAN AIR', 'TRUSTNFO', 'Veenome', 'Kersten Thiele'].map((name) => ({ name }));
    for (const q of [A, B, C, A, D]) l.search(q!, REVIEW);
    assert.deepEqual(l.cacheStats, { hits: 1, misses: 4, size: 3 });
    l.search(A!, REVIEW);
    assert.equal(l.cacheStats.hits, 2, 'A was kept');
    l.search(B!, REVIEW);
    assert.equal(l.cacheStats.misses, 5, 'B was evicted');
  });
});

describe('engine: every installed index has its own cache', () => {
  const logger = createLogger('silent');
  const config = loadConfig({ KYCGATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'kycgate-cache-')) });
  const snapshot = (id: string, names: [string, string][]): Snapshot => {
    const retrievedAt = new Date().toISOString();
    const entries = names.map(([sourceId, name]) => entry({ query: name, list: 'SDN', sourceId }));
    return {
      id,
      createdAt: retrievedAt,
      sources: [{ source: 'ofac-sdn', files: [{ name: 'SDN.CSV', sha256: id.padEnd(64, '0'), bytes: 1, origin: 'test', retrievedAt, format: 'ofac-csv', rows: entries.length, entries: entries.length }], counts: { SDN: entries.length }, retrievedAt }],
      entries,
      counts: { SDN: entries.length },
    };
  };
  // Real SDN rows: 25578 "BANK MELLI IRAN"; 12927 "MAHAN AIR" (only in the second snapshot)
  const OLD = snapshot('snap-old', [['25578', 'BANK MELLI IRAN']]);
  const NEW = snapshot('snap-new', [['25578', 'BANK MELLI IRAN'], ['12927', 'MAHAN AIR']]);
  const mahan = { id: 'c-mahan', name: 'Mahan Air', country: 'AE' };

  for (const how of ['swap', 'swapAsync'] as const) {
    test(`${how}: a name listed only in the new snapshot is found though its clean result was cached on the old`, async () => {
      const engine = await ScreeningEngine.start(config, logger, { snapshot: OLD });
      assert.deepEqual([engine.screen(mahan).outcome, engine.screen(mahan).hits.length], ['allow', 0]);
      const before = (engine.index as CachedMatchIndex).cacheStats;
      assert.ok(before.hits >= 1 && before.size >= 1, `the old clean result was cached: ${JSON.stringify(before)}`);

      if (how === 'swap') engine.swap(NEW);
      else assert.equal(await engine.swapAsync(NEW), true);
      assert.deepEqual((engine.index as CachedMatchIndex).cacheStats, { hits: 0, misses: 0, size: 0 }, 'a fresh cache');
      const d = engine.screen(mahan);
      assert.equal(d.lists.version, 'snap-new');
      assert.deepEqual(d.hits.map((h) => [h.list, h.sourceId]), [['SDN', '12927']]);
      assert.equal(d.outcome, 'deny');
      // and back: the old snapshot's clean answer again
      engine.swap(OLD);
      assert.deepEqual(engine.screen(mahan).hits, []);
    });
  }

  test('KYCGATE_MATCH_CACHE_SIZE bounds the engine cache; 0 installs the bare index', async () => {
    const small = await ScreeningEngine.start(loadConfig({ KYCGATE_DATA_DIR: config.KYCGATE_DATA_DIR, KYCGATE_MATCH_CACHE_SIZE: '2' }), logger, { snapshot: NEW });
    for (const name of ['Mahan Air', 'Bank Melli Iran', 'Sunny Side Bakery GmbH', 'Example Compute Pte Ltd']) small.screen({ id: 'x', name });
    assert.equal((small.index as CachedMatchIndex).cacheStats.size, 2);
    const off = await ScreeningEngine.start(loadConfig({ KYCGATE_DATA_DIR: config.KYCGATE_DATA_DIR, KYCGATE_MATCH_CACHE_SIZE: '0' }), logger, { snapshot: NEW });
    assert.equal('cacheStats' in off.index!, false);
    assert.equal(off.screen(mahan).outcome, 'deny');
  });
});
