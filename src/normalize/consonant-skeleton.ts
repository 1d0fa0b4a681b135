// Consonant skeletons: Arabic-script names are written without short vowels, so "قاسم" (any-ascii "qsm") is compared with "Qasem" by consonants.

/** Arabic script: Arabic, Arabic Supplement, Extended-A, presentation forms (Persian and Urdu letters included). */
const ARABIC = /[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]/u;
const LATIN = /[A-Za-z]/;

/** True when the text is written in Arabic script (Arabic letters, no Latin ones). */
export function isArabicScript(text: string): boolean {
  return ARABIC.test(text) && !LATIN.test(text);
}

/** Two-letter spellings of one Arabic/Persian consonant, read as one letter on both sides. */
const DIGRAPHS: readonly [RegExp, string][] = [
  [/kh/g, 'x'], // خ
  [/gh/g, 'g'], // غ
  [/sh|ch/g, 'c'], // ش, چ ("ch" in French spellings of ش)
  [/th/g, 's'], // ث ("th" in Arabic, "s" in Persian spellings)
  [/dh/g, 'z'], // ذ
  [/zh/g, 'j'], // ژ
  [/ph/g, 'f'],
];

/**
 * The consonant skeleton of a Latin (or transliterated) word: consonant digraphs read as one letter,
 * q/k alike, v/w alike, vowels dropped and y/w too except as the first letter (Arabic writes long
 * vowels with them and short ones not at all), a final h dropped (ة), doubled letters single (no shadda written).
 * "soleimani" and "slymny" → "slmn"; "qasem" and "qsm" → "ksm"; "osama" and "smh" → "sm".
 */
export function consonantSkeleton(word: string): string {
  let s = word.toLowerCase();
  for (const [re, to] of DIGRAPHS) s = s.replace(re, to);
  let out = '';
  let first = true;
  for (const ch of s) {
    let c = ch;
    if (c === 'q' || c === 'k') c = 'k';
    else if (c === 'v') c = 'w';
    // y/w begin a word as consonants ("walid" و, "yasser" ي); inside it they write long vowels
    const initial = first;
    first = false;
    if (c < 'a' || c > 'z' || 'aeiou'.includes(c) || (!initial && (c === 'y' || c === 'w'))) continue;
    if (out.endsWith(c)) continue;
    out += c;
  }
  if (out.length > 1 && out.endsWith('h')) out = out.slice(0, -1);
  return out;
}

/**
 * Skeleton keys of a word transliterated from Arabic script: its skeleton and, when it starts with
 * the article (ال → "al"/"l" joined to the word: "البغدادي" → "lbghdady"), the skeleton without it.
 */
export function arabicSkeletons(word: string): string[] {
  const s = consonantSkeleton(word);
  const out = s ? [s] : [];
  if (s.length >= 4 && s.startsWith('l')) out.push(s.slice(1));
  return out;
}
