// Golden scorer table from real list rows (ALT.CSV aliases, Entity List a.k.a.s, SDN names): deny / review / clear bands.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareNames, defaultTokenWeights } from '../../../src/match/index.js';
import type { PartyType } from '../../../src/model/index.js';

const REVIEW = 0.85;
const DENY = 0.95;
type Band = 'deny' | 'review' | 'clear';
const band = (s: number): Band => (s >= DENY ? 'deny' : s >= REVIEW ? 'review' : 'clear');

const golden: { raw: string; a: string; b: string; type?: PartyType; want: Band }[] = [
  // SDN.CSV 35427,"AMMOSOV, Petr Revoldovich","individual",…
  { raw: 'SDN 35427', a: 'Petr Revoldovich Ammosov', b: 'AMMOSOV, Petr Revoldovich', type: 'individual', want: 'deny' },
  // SDN.CSV 25097,"AVERUCA, C.A.","-0- ","VENEZUELA",…
  { raw: 'SDN 25097', a: 'averuca c a', b: 'AVERUCA, C.A.', want: 'deny' },
  // ALT.CSV 306,220,"aka","NATIONAL BANK OF CUBA" — alias against alias spelling
  { raw: 'ALT 306/220', a: 'National Bank of Cuba', b: 'NATIONAL BANK OF CUBA', want: 'deny' },
  // ALT.CSV 36,12,"aka","AERO-CARIBBEAN" (SDN 36 "AEROCARIBBEAN AIRLINES"): spacing variant of the alias
  { raw: 'ALT 36/12', a: 'Aero Caribbean', b: 'AERO-CARIBBEAN', want: 'deny' },
  // EL 4a253284…: "Obshchestvo S Ogranichennoi Otvetstvennostyu NEOBIT", alt_names "NEOBIT, OOO"
  { raw: 'EL NEOBIT a.k.a.', a: 'NEOBIT, OOO', b: 'Obshchestvo S Ogranichennoi Otvetstvennostyu NEOBIT', want: 'deny' },
  // EL "Hangzhou Hikvision Digital Technology Co., Ltd."
  { raw: 'EL Hikvision', a: 'Hangzhou Hik-Vision Digital Technology Company Limited', b: 'Hangzhou Hikvision Digital Technology Co., Ltd.', want: 'deny' },
  // EL "Huawei Technologies Co., Ltd.": the generic words alone do not match
  { raw: 'EL Huawei', a: 'Technologies Co., Ltd.', b: 'Huawei Technologies Co., Ltd.', want: 'clear' },
  // SDN.CSV 47689 "TRUSTINFO": one edit in a long token
  { raw: 'SDN 47689', a: 'TRUSTNFO', b: 'TRUSTINFO', want: 'review' },
  // EL "Tehran Pishro Trading Co.": swapped letters
  { raw: 'EL Tehran Pishro', a: 'Tehran Pihsro Trading Co.', b: 'Tehran Pishro Trading Co.', want: 'review' },
  // EL "China Electronics Technology Group Corporation 29 … Research Institute" vs the 43rd: numbers must agree
  {
    raw: 'EL CETC 29 vs 43',
    a: 'China Electronics Technology Group Corporation 29 Research Institute',
    b: 'China Electronics Technology Group Corporation 43 Research Institute',
    want: 'clear',
  },
  // legal forms alone never match
  { raw: 'legal forms', a: 'Co., Ltd.', b: 'Company Limited', want: 'clear' },
  // a different person sharing a common given name and surname token
  { raw: 'SDN 27685', a: 'Pedro Escobar', b: 'CARRENO ESCOBAR, Pedro Miguel', type: 'individual', want: 'clear' },
  // short tokens need exact equality
  { raw: 'short tokens', a: 'Visa', b: 'VISTA', want: 'clear' },
];

describe('golden scores (default weights)', () => {
  for (const g of golden) {
    test(`${g.raw}: "${g.a}" ~ "${g.b}" → ${g.want}`, () => {
      const r = compareNames(g.a, g.b, g.type ? { type: g.type } : {});
      assert.equal(band(r.score), g.want, `score ${r.score} ${JSON.stringify(r.pieces)}`);
    });
  }
});

describe('score pieces', () => {
  test('pieces explain the score: contributions add up, every token accounted for', () => {
    const r = compareNames('Huawei Technologies Company Limited', 'Huawei Technologies Co., Ltd.');
    const sum = r.pieces.reduce((s, p) => s + (p.contribution ?? 0), 0);
    assert.ok(Math.abs(sum - r.score) < 0.001, `${sum} vs ${r.score}`);
    assert.deepEqual(r.pieces.map((p) => p.kind).sort(), ['legal_form', 'token', 'token']);
  });
  test('rare tokens weigh more than generic ones', () => {
    const w = defaultTokenWeights();
    assert.ok(w.weightOf('huawei') > 2 * w.weightOf('technology'), `${w.weightOf('huawei')} vs ${w.weightOf('technology')}`);
    assert.ok(w.weightOf('international') < 0.2);
    // a distinctive word missing costs more than a generic one missing
    const noGeneric = compareNames('Beijing Huada Jiutian', 'Beijing Huada Jiutian Technology Co., Ltd.').score;
    const noDistinctive = compareNames('Beijing Huada Technology Co., Ltd.', 'Beijing Huada Jiutian Technology Co., Ltd.').score;
    assert.ok(noGeneric > noDistinctive, `${noGeneric} vs ${noDistinctive}`);
  });
  test('order does not matter for person names', () => {
    // SDN.CSV 28963,"OKPOH, Felix Osilama","individual",…
    assert.equal(compareNames('Felix Osilama Okpoh', 'OKPOH, Felix Osilama', { type: 'individual' }).score, 1);
  });
  test('fuzzy and compound pieces say so', () => {
    const kinds = (a: string, b: string) => compareNames(a, b).pieces.map((p) => p.kind);
    assert.ok(kinds('TRUSTNFO', 'TRUSTINFO').includes('fuzzy'));
    assert.ok(kinds('Hik Vision', 'Hikvision').includes('compound'));
    assert.ok(kinds('Riol Chemie', 'RiolChemie').some((k) => k === 'compound' || k === 'compact'));
  });
});
