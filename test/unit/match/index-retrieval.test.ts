// Retrieval over the real 2026 lists: the right entry comes back first, near-duplicates do not crowd it out, types matter.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { buildSnapshot } from '../../../src/lists/snapshot.js';
import { parseSourceFiles } from '../../../src/lists/parse-files.js';
import { buildIndex } from '../../../src/match/index.js';
import type { MatchIndex } from '../../../src/match/types.js';
import { readSeedDir } from '../../../src/sources/seed-dir.js';

const seed = resolve(import.meta.dirname, '../../../../shared/lists/current-2026');
let index: MatchIndex;

before(async () => {
  index = buildIndex(buildSnapshot(parseSourceFiles(await readSeedDir(seed)), new Date(0)).entries);
});

const REVIEW = { minScore: 0.85, limit: 20 };

describe('index over the current lists', () => {
  test('indexes every entry with its aliases', () => {
    assert.ok(index.entryCount > 20_000, String(index.entryCount));
    assert.ok(index.nameCount > 40_000, String(index.nameCount));
  });

  const found: [string, 'organization' | 'individual', string, string][] = [
    // [query, type, list, primaryName of the expected entry]
    ['AMMОSOV, Pеtr Revoldovich', 'individual', 'SDN', 'AMMOSOV, Petr Revoldovich'], // homoglyphs; SDN 35427
    ['Petr Revoldovich Ammosov', 'individual', 'SDN', 'AMMOSOV, Petr Revoldovich'], // reorder
    ['Педро Мигуел Cаррено Есcобар', 'individual', 'SDN', 'CARRENO ESCOBAR, Pedro Miguel'], // Cyrillic; SDN 27685
    ['NEOBIT, OOO', 'organization', 'ENTITY_LIST', 'Obshchestvo S Ogranichennoi Otvetstvennostyu NEOBIT'], // a.k.a.
    ['DMT Trading Limited Liability Company', 'organization', 'ENTITY_LIST', 'DMT Trading LLC'], // legal form
    ['TRUSTNFO', 'organization', 'SDN', 'TRUSTINFO'], // typo; SDN 47689
    ['tarabargorous trust transportation', 'organization', 'SDN', 'TARABAR-GOROUS TRUST TRANSPORTATION'], // spacing
    ['Hangzhou Hik Vision Digital Technology Co Ltd', 'organization', 'ENTITY_LIST', 'Hangzhou Hikvision Digital Technology Co., Ltd.'],
  ];
  for (const [q, type, list, primary] of found) {
    test(`"${q}" finds ${list} "${primary}" at the top score`, () => {
      const hits = index.search({ name: q, type }, REVIEW);
      const hit = hits.find((h) => h.entry.list === list && h.entry.primaryName === primary);
      assert.ok(hit, `not among ${hits.map((h) => h.matchedName).join(' | ')}`);
      assert.equal(hit.score, hits[0]!.score);
      assert.ok(hit.pieces.length > 0);
    });
  }

  test('numbered institutes: the exact one is first, other numbers stay below review', () => {
    const q = 'China Electronics Technology Group Corporation 29 (CETC 29) Research Institute';
    const hits = index.search({ name: q, type: 'organization' }, REVIEW);
    assert.ok(hits.length >= 1);
    assert.equal(hits[0]!.entry.primaryName, q);
    assert.equal(hits[0]!.score, 1);
    for (const h of hits) assert.match(h.matchedName, /\b29\b/, `other institute at review: ${h.matchedName}`);
  });

  test('hits are best first and capped', () => {
    const hits = index.search({ name: 'Huawei Technologies Co., Ltd.', type: 'organization' }, { minScore: 0.5, limit: 5 });
    assert.equal(hits.length, 5);
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.score >= hits[i]!.score);
    assert.equal(hits[0]!.entry.primaryName, 'Huawei Technologies Co., Ltd.');
  });

  test('an individual against an organization entry scores lower; vessels only reach review when exact', () => {
    // SDN 35009 "JSC ANGSTREM-T" is an organization (OFAC states the type)
    const org = index.search({ name: 'JSC ANGSTREM-T', type: 'organization' }, REVIEW)[0]!;
    const ind = index.search({ name: 'JSC ANGSTREM-T', type: 'individual' }, REVIEW).find((h) => h.entry.sourceId === org.entry.sourceId);
    assert.equal(org.score, 1);
    assert.ok(ind && ind.score < org.score && ind.pieces.some((p) => p.kind === 'entity_type'));
  });

  test('real non-listed names stay clear', () => {
    for (const name of ['Kersten Thiele', 'Cypherpunk Holdings Inc.', 'Veenome', 'Technology International Trading Co., Ltd.']) {
      assert.deepEqual(index.search({ name, type: 'organization' }, REVIEW).map((h) => h.matchedName), [], name);
    }
  });

  test('legal forms alone find nothing', () => {
    assert.deepEqual(index.search({ name: 'Limited Liability Company', type: 'organization' }, { minScore: 0.1 }), []);
  });

  test('country is a feature, not a match', () => {
    const [hit] = index.search({ name: 'Informakustika JSC', type: 'organization', country: 'RU' }, REVIEW);
    assert.equal(hit?.features.country, 'match');
    const [other] = index.search({ name: 'Informakustika JSC', type: 'organization', country: 'FR' }, REVIEW);
    assert.equal(other?.features.country, 'mismatch');
    assert.equal(other?.score, hit?.score);
  });
});
