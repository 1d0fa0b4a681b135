// Normalization rules, each shown on real list names (the raw row quoted above each case).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { foldText, legalFormOfWord, normalizeName, osaDistance, reorderPersonName, tokenize } from '../../../src/normalize/index.js';

const text = (s: string, type?: 'organization' | 'individual') => normalizeName(s, type ? { type } : {}).text;

describe('unicode folding', () => {
  test('case and diacritics', () => {
    // dev case: "Emiliano Martínez" (a real name); SDN.CSV 27685,"CARRENO ESCOBAR, Pedro Miguel","individual",…
    assert.equal(foldText('Martínez Carreño'), 'martinez carreno');
    assert.equal(foldText('Straße Øresund'), 'strasse oresund');
  });
  test('full-width forms fold to ASCII (NFKC)', () => {
    // consolidated.csv EL: "Huawei Technologies Co., Ltd."
    assert.equal(text('ＨＵＡＷＥＩ　Ｔｅｃｈｎｏｌｏｇｉｅｓ'), 'huawei technologies');
  });
  test('zero-width and other invisible characters are removed', () => {
    // consolidated.csv EL: "Beijing Huada Jiutian Technology Co., Ltd."
    assert.equal(text('Beijing Hua\u200bda Jiu\u2060tian\u00ad Technology\ufeff Co., Ltd.'), 'beijing huada jiutian technology ltd');
  });
  test('Cyrillic and Greek look-alikes inside Latin names', () => {
    // SDN.CSV 35427,"AMMOSOV, Petr Revoldovich","individual","RUSSIA-EO14024",…  (О, е Cyrillic)
    assert.equal(text('AMMОSOV, Pеtr Revoldovich', 'individual'), 'petr revoldovich ammosov');
    // consolidated.csv EL: "Sinovac Technology Limited" with Greek Ο and Cyrillic і
    assert.equal(text('SinΟvac Technоlоgy Lіmited'), 'sinovac technology ltd');
    // DPL: "I. ASH" written "I. АSН" (А, Н Cyrillic)
    assert.equal(text('I. АSН', 'individual'), 'i ash');
  });
  test('Cyrillic text is transliterated, not read as look-alikes', () => {
    // SDN.CSV 27685,"CARRENO ESCOBAR, Pedro Miguel" written in Cyrillic (with a stray Latin C)
    assert.equal(text('Педро Мигуел Cаррено Есcобар', 'individual'), 'pedro miguel carreno escobar');
  });
  test('Greek, Arabic/Persian and Han are transliterated', () => {
    assert.equal(foldText('Αθήνα'), 'athina');
    assert.match(foldText('محمد'), /^[a-z]+$/);
    // consolidated.csv EL: "Huawei Technologies Co., Ltd." = 华为技术有限公司 (pinyin, syllables apart; 有限公司 = Ltd)
    assert.deepEqual(normalizeName('华为技术有限公司').tokens.map((t) => t.text), ['hua', 'wei', 'ji', 'shu', 'ltd']);
  });
});

describe('punctuation and spacing', () => {
  test('dotted and spaced initials join', () => {
    // SDN.CSV 25097,"AVERUCA, C.A.","-0- ","VENEZUELA",…
    assert.equal(tokenize(foldText('AVERUCA, C.A.')).join(' '), 'averuca ca');
    assert.equal(tokenize(foldText('averuca c a')).join(' '), 'averuca ca');
    assert.equal(tokenize(foldText('C.I.A.')).join(' '), 'cia');
  });
  test('hyphens split words; apostrophes join', () => {
    // consolidated.csv EL: "Hangzhou Hikvision Digital Technology Co., Ltd."
    assert.deepEqual(tokenize(foldText('Hik-Vision')), ['hik', 'vision']);
    // consolidated.csv EL: "Xi'an Huawei Technologies Co., Ltd."
    assert.deepEqual(tokenize(foldText('Xi’an Huawei')), ['xian', 'huawei']);
  });
});

describe('legal forms', () => {
  const cases: [string, string, string][] = [
    // [raw list name, variant a customer types, expected normalized text of both]
    ['Raht Aseman Co. Ltd.', 'Raht Aseman Company Limited', 'raht aseman ltd'], // EL d5a34127…
    ['DMT Trading LLC', 'DMT Trading Limited Liability Company', 'dmt trading llc'], // EL 781d6825…
    ['Obshchestvo S Ogranichennoi Otvetstvennostyu NEOBIT', 'OOO NEOBIT', 'llc neobit'], // EL 4a253284…
    ['Informakustika JSC', 'Informakustika Joint Stock Company', 'informakustika jsc'], // EL bbc8bc4d…
    ['Joint Stock Company Ulyanovsk Mechanical Plant', 'AO Ulyanovsk Mechanical Plant', 'jsc ulyanovsk mechanical plant'], // EL 5cb5389c…
    ['Gulf Gate Spedition GmbH', 'Gulf Gate Spedition G.m.b.H.', 'gulf gate spedition gmbh'], // EL 2c2d6058…
    ['COTRICOM S.A.', 'cotricom s a', 'cotricom sa'], // DPL
    ['Izix Group Pte Ltd.', 'Izix Group Private Limited', 'izix group ltd'], // EL
    ['MAIWAND GENERAL TRADING CO LLC', 'MAIWAND GENERAL TRADING CO Limited Liability Company', 'maiwand general trading co llc'], // SDN
  ];
  for (const [raw, variant, want] of cases) {
    test(`${raw} = ${variant}`, () => {
      assert.equal(text(raw), want);
      assert.equal(text(variant), want);
    });
  }
  test('a typo in a long legal word is still the legal form', () => {
    // SDN.CSV 52752,"YONGHONGAN TRADE LIMITED",…  typed "LIMTIED"
    assert.equal(text('YONGHONGAN TRADE LIMTIED'), 'yonghongan trade ltd');
    assert.equal(legalFormOfWord('compnay'), 'co');
    assert.equal(legalFormOfWord('huawei'), undefined);
  });
  test('legal forms are marked as such', () => {
    const n = normalizeName('ZEEL - M CO., LTD.'); // SDN.CSV 35754,"ZEEL - M CO., LTD.","-0- ","DPRK2",…
    assert.deepEqual(n.tokens, [{ text: 'zeel', kind: 'word' }, { text: 'm', kind: 'word' }, { text: 'ltd', kind: 'legal' }]);
  });
  test('short forms that are name syllables stay words in person names', () => {
    assert.equal(text('Ao Wei', 'individual'), 'ao wei');
    assert.equal(text('Ao Wei'), 'jsc wei');
  });
});

describe('person names', () => {
  test('"SURNAME, Given" reads as "Given Surname"', () => {
    // SDN.CSV 28963,"OKPOH, Felix Osilama","individual","CYBER2",…
    assert.equal(text('OKPOH, Felix Osilama', 'individual'), 'felix osilama okpoh');
    assert.equal(text('okpoh felix osilama', 'individual'), 'okpoh felix osilama');
    assert.equal(reorderPersonName('a, b, c'), 'a, b, c');
  });
  test('organizations keep their commas', () => {
    assert.equal(text('Chengdu Huawei Technologies Co., Ltd.', 'organization'), 'chengdu huawei technologies ltd');
  });
});

describe('edit distance', () => {
  test('optimal string alignment counts a swap as one edit', () => {
    assert.equal(osaDistance('pishro', 'pihsro', 2), 1); // EL "Tehran Pishro Trading Co."
    assert.equal(osaDistance('trustinfo', 'trustnfo', 2), 1); // SDN 47689 "TRUSTINFO"
    assert.equal(osaDistance('abcdef', 'uvwxyz', 2), 3);
  });
});
