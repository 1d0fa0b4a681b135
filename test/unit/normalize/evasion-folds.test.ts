// Digits written for letters and consonant skeletons of Arabic-script names: the folds both sides of a match go through.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { consonantSkeleton, foldDigitLetters, isArabicScript, normalizeName } from '../../../src/normalize/index.js';

describe('digits and symbols for letters', () => {
  const table: [string, string][] = [
    ['r0sneft', 'rosneft'],
    ['hikvisi0n', 'hikvision'],
    ['hu4wei techn0logies', 'huawei technologies'],
    ['$berbank', 'sberbank'],
    ['hu@wei', 'huawei'],
    ['ab1357', 'ab1357'], // letters must outnumber digits
    ['2024 holdings', '2024 holdings'], // numbers stay
    ['a2z trading', 'a2z trading'], // 2 stands for no letter: a code
    ['mig29', 'mig29'],
    ['5g networks', '5g networks'],
    ['3m co', '3m co'],
    ['1st national', '1st national'], // ordinals stay
    ['13th research institute', '13th research institute'],
  ];
  for (const [input, want] of table) test(`"${input}" → "${want}"`, () => assert.equal(foldDigitLetters(input), want));

  test('the normalized token keeps the word as written', () => {
    assert.deepEqual(normalizeName('R0sneft').tokens, [{ text: 'rosneft', kind: 'word', from: 'r0sneft' }]);
  });
});

describe('consonant skeletons', () => {
  const pairs: [string, string, string][] = [
    // [Latin list spelling, any-ascii of the Arabic script, skeleton]
    ['soleimani', 'slymny', 'slmn'],
    ['qasem', 'qsm', 'ksm'],
    ['osama', 'smh', 'sm'],
    ['ladin', 'ldn', 'ldn'],
    ['muhammad', 'mhmd', 'mhmd'],
    ['khamenei', 'khmniy', 'xmn'],
  ];
  for (const [latin, arabic, sk] of pairs) {
    test(`"${latin}" and "${arabic}" → "${sk}"`, () => {
      assert.equal(consonantSkeleton(latin), sk);
      assert.equal(consonantSkeleton(arabic), sk);
    });
  }
  test('w/y begin a word as consonants: "waybank" ≠ "bnk"', () => assert.notEqual(consonantSkeleton('waybank'), consonantSkeleton('bnk')));

  test('only names in Arabic script get skeletons', () => {
    assert.equal(isArabicScript('قاسم سليماني'), true);
    assert.equal(isArabicScript('Qasem Soleimani'), false);
    assert.deepEqual(normalizeName('قاسم سليماني', { type: 'individual' }).tokens.map((t) => t.skeletons), [['ksm'], ['slmn']]);
    assert.equal(normalizeName('Qasem Soleimani').tokens.some((t) => t.skeletons), false);
  });
});
