// Review-level rules and evasion folds over the real 2026 lists: partial names, extra words, dropped middle names, digits for letters, Arabic script.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { buildSnapshot } from '../../../src/lists/snapshot.js';
import { parseSourceFiles } from '../../../src/lists/parse-files.js';
import { buildIndex, compareNames, REVIEW_RULE_MAX, REVIEW_RULE_MIN } from '../../../src/match/index.js';
import type { MatchIndex } from '../../../src/match/types.js';
import type { PartyType } from '../../../src/model/index.js';
import { readSeedDir } from '../../../src/sources/seed-dir.js';

const seed = resolve(import.meta.dirname, '../../../../shared/lists/current-2026');
let index: MatchIndex;

before(async () => {
  index = buildIndex(buildSnapshot(parseSourceFiles(await readSeedDir(seed)), new Date(0)).entries);
});

const REVIEW = 0.85;
const DENY = 0.95;

interface Found {
  q: string;
  type: PartyType;
  /** Expected entry: list and sourceId (OFAC ent_num; CSL `_id` prefix). */
  list: string;
  id: string;
  /** Piece kind that explains the hit. */
  kind: string;
  /** Score band: `review` = [0.85, 0.95) (a review-level rule never denies), `deny` = ≥ 0.95. */
  band: 'review' | 'deny';
}

const found: Found[] = [
  // containment — EL 9688d876a8f9… "Huawei Technologies Co., Ltd." a.k.a. "Shenzhen Huawei Technologies; Huawei Technology; …"
  { q: 'Huawei', type: 'organization', list: 'ENTITY_LIST', id: '9688d876a8f9', kind: 'containment', band: 'review' },
  // containment — SDN.CSV 17260,"STATE CORPORATION ROSTEC","-0- ","UKRAINE-EO13662] [RUSSIA-EO14024",…
  { q: 'Rostec', type: 'organization', list: 'SDN', id: '17260', kind: 'containment', band: 'review' },
  // extra words — the same EL row's a.k.a. "Shenzhen Huawei Technologies" plus "Co Ltd … Branch"
  { q: 'Huawei Technologies Co Ltd Shenzhen Branch', type: 'organization', list: 'ENTITY_LIST', id: '9688d876a8f9', kind: 'extra_tokens', band: 'review' },
  // dropped middle name — SDN.CSV 23343,"KADYROV, Ramzan Akhmatovich","individual","MAGNIT] [GLOMAG] [RUSSIA-EO14024",…
  { q: 'Ramzan Kadyrov', type: 'individual', list: 'SDN', id: '23343', kind: 'dropped_names', band: 'review' },
  // digits for letters — ALT.CSV 17022,26113,"aka","ROSNEFT" (SDN 17022 "OPEN JOINT-STOCK COMPANY ROSNEFT OIL COMPANY"):
  // the same evasion class as look-alike letters, so an exact name after folding denies as they do
  { q: 'R0sneft', type: 'organization', list: 'SDN', id: '17022', kind: 'digit_fold', band: 'deny' },
  // EL bf315c762cfa… "Hangzhou Hikvision Digital Technology Co., Ltd." a.k.a. "Hikvision"
  { q: 'Hikvisi0n', type: 'organization', list: 'ENTITY_LIST', id: 'bf315c762cfa', kind: 'digit_fold', band: 'deny' },
  { q: 'Hu4wei Techn0logies', type: 'organization', list: 'ENTITY_LIST', id: '9688d876a8f9', kind: 'digit_fold', band: 'review' },
  // Arabic script — SDN.CSV 10481,"SOLEIMANI, Qasem","individual",… (ALT.CSV 10481,10481,"aka","SALIMANI, Qasem")
  { q: 'قاسم سليماني', type: 'individual', list: 'SDN', id: '10481', kind: 'skeleton', band: 'review' },
  // SDN.CSV 6365,"BIN LADIN, Usama bin Muhammad bin Awad" (ALT.CSV 6365,4772,"aka","BIN LADIN, Osama")
  { q: 'أسامة بن لادن', type: 'individual', list: 'SDN', id: '6365', kind: 'skeleton', band: 'review' },
];

describe('evasions the review-level rules and folds catch (real list rows)', () => {
  for (const f of found) {
    test(`"${f.q}" → ${f.list} ${f.id} (${f.kind}, ${f.band})`, () => {
      const hits = index.search({ name: f.q, type: f.type }, { minScore: REVIEW, limit: 20 });
      const hit = hits.find((h) => h.entry.list === f.list && h.entry.sourceId.startsWith(f.id));
      assert.ok(hit, `no hit; got ${hits.map((h) => `${h.entry.sourceId} ${h.score}`).join(', ')}`);
      assert.ok(hit.pieces.some((p) => p.kind === f.kind), JSON.stringify(hit.pieces));
      if (f.band === 'review') assert.ok(hit.score >= REVIEW && hit.score < DENY, `score ${hit.score}`);
      else assert.ok(hit.score >= DENY, `score ${hit.score}`);
    });
  }
});

/** Innocent names that look like the evasions above: none may reach review. */
const clear: { q: string; type: PartyType; why: string }[] = [
  { q: 'Apple', type: 'organization', why: 'an English word inside SDN 54199 "ORIENTAL APPLE COMPANY PTE LTD": generic, no containment' },
  { q: 'Technologies Shenzhen', type: 'organization', why: 'generic word and place only: no containment in "Shenzhen Huawei Technologies"' },
  { q: 'Komax Holding AG', type: 'organization', why: 'SDN "COMPANY LIMITED KOMAX" is one word: extra words need a listed name of two words or more' },
  { q: 'Mohammad Ahmed', type: 'individual', why: 'SDN "AHMED, Mohammad Jamal Abdo": two common names carry too little of the weight' },
  { q: 'Carolina González', type: 'individual', why: 'SDN "FERNANDEZ GONZALEZ, Carolina": a surname is missing, not a middle name' },
  { q: 'Area51 Ltd', type: 'organization', why: 'digits folded ("areasi") match no listed name' },
  { q: 'B2B Solutions', type: 'organization', why: '"2" stands for no letter: a code, not folded' },
  { q: '3M Company', type: 'organization', why: 'one letter: a code, not folded' },
  { q: 'محمد علي', type: 'individual', why: 'Muhammad Ali: common consonants ("mhmd l") fall short of review' },
  { q: 'بنك', type: 'organization', why: '"bank": one word\'s consonants are too little evidence' },
];

describe('innocent look-alikes stay below review', () => {
  for (const c of clear) {
    test(`"${c.q}" — ${c.why}`, () => {
      const hits = index.search({ name: c.q, type: c.type }, { minScore: REVIEW, limit: 20 });
      assert.deepEqual(
        hits.map((h) => `${h.entry.sourceId} ${h.matchedName} ${h.score} ${h.pieces.map((p) => p.kind).join(',')}`),
        [],
      );
    });
  }
});

describe('review-level rules through compare (default word classes)', () => {
  test('a containment hit lands in the review band and its pieces add up to the score', () => {
    const r = compareNames('Huawei', 'Huawei Technology');
    assert.ok(r.score >= REVIEW_RULE_MIN && r.score <= REVIEW_RULE_MAX && r.score < DENY, String(r.score));
    const rule = r.pieces.find((p) => p.kind === 'containment');
    assert.ok(rule && (rule.contribution ?? 0) > 0, JSON.stringify(r.pieces));
    const sum = r.pieces.reduce((s, p) => s + (p.contribution ?? 0), 0);
    assert.ok(Math.abs(sum - r.score) < 0.001, `${sum} vs ${r.score}`);
  });

  test('an English word alone is generic: no containment', () => {
    const r = compareNames('Apple', 'Oriental Apple Company');
    assert.ok(r.score < REVIEW, String(r.score));
    assert.ok(!r.pieces.some((p) => p.kind === 'containment'));
  });

  test('dropped middle name: review, names the dropped part', () => {
    const r = compareNames('Ramzan Kadyrov', 'KADYROV, Ramzan Akhmatovich', { type: 'individual' });
    assert.ok(r.score >= REVIEW && r.score < DENY, String(r.score));
    assert.deepEqual(r.pieces.find((p) => p.kind === 'dropped_names')?.entry, 'akhmatovich');
  });

  test('a rule never denies, however close the names', () => {
    for (const [a, b] of [['Huawei Technologies', 'Huawei Technologies Shenzhen Marine'], ['Rostec', 'Rostec Corporation Group']]) {
      const r = compareNames(a!, b!);
      if (r.pieces.some((p) => ['containment', 'extra_tokens', 'dropped_names'].includes(p.kind))) assert.ok(r.score < DENY, `${a} ~ ${b}: ${r.score}`);
    }
  });

  test('digits read as letters show as written in the piece', () => {
    const r = compareNames('R0sneft', 'ROSNEFT');
    assert.equal(r.score, 1);
    assert.deepEqual(r.pieces.map((p) => [p.kind, p.query, p.entry]), [['digit_fold', 'r0sneft', 'rosneft']]);
  });

  test('an Arabic-script name is capped at review even when every skeleton agrees', () => {
    const r = compareNames('قاسم سليماني', 'SOLEIMANI, Qasem', { type: 'individual' });
    assert.ok(r.score >= REVIEW && r.score < DENY, String(r.score));
    const pairs = r.pieces.filter((p) => p.kind === 'skeleton').map((p) => `${p.query}~${p.entry}`);
    assert.deepEqual(pairs.sort(), ['qsm~qasem', 'slymny~soleimani']);
  });
});
