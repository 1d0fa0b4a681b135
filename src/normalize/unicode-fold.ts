// Unicode folding: invisible characters, compatibility forms, look-alike letters, scripts, diacritics → lower-case ASCII.
import { LATIN_LOOKALIKES, isCyrillicOrGreek, isLatinLetter } from './confusables.js';
import { transliterate } from './transliterate.js';

/** Zero-width, bidi, soft hyphen, word joiner, variation selectors, BOM, combining grapheme joiner, tag chars. */
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]|[\u{e0000}-\u{e0fff}]/gu;
/** Every dash, hyphen and minus-like character. */
const DASHES = /[\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d\u058a\u05be]/g;
/** Quotes and apostrophes of all kinds. */
const QUOTES = /[\u2018\u2019\u201a\u201b\u2032\u02bc\u02bb\u02b9\u0060\u00b4]/g;

/**
 * Folds one word that mixes scripts. A word written mostly in Latin letters gets its Cyrillic/Greek
 * look-alikes replaced by the Latin letter they imitate ("Pеtr" with Cyrillic е → "Petr"); a word
 * written mostly in Cyrillic/Greek is transliterated ("Cаррено" → "Carreno").
 */
function foldWord(word: string, preferLatin: boolean): string {
  let latin = 0;
  let other = 0;
  let allLookalike = true;
  for (const ch of word) {
    if (isLatinLetter(ch)) latin++;
    else if (isCyrillicOrGreek(ch)) {
      other++;
      if (!LATIN_LOOKALIKES.has(ch)) allLookalike = false;
    }
  }
  if (other === 0) return word;
  // mostly Latin → look-alikes; no Latin → transliterate unless the whole name is Latin; a tie goes by the name
  const useLookalikes = allLookalike && (latin > other || preferLatin);
  if (!useLookalikes) return word; // transliterated later with the rest of the string
  let out = '';
  for (const ch of word) out += LATIN_LOOKALIKES.get(ch) ?? ch;
  return out;
}

/**
 * The character-level pipeline, the same for list entries and queries:
 * invisible characters out → NFKC (full-width, ligatures) → look-alike letters → transliteration
 * (which also drops diacritics) → lower case ASCII. Punctuation is kept for the tokenizer.
 */
export function foldText(text: string): string {
  let s = text.replace(INVISIBLE, '').normalize('NFKC').replace(DASHES, '-').replace(QUOTES, "'");
  // eslint-disable-next-line no-control-regex
  if (/[^\u0000-\u007f]/.test(s)) {
    let latin = 0;
    let other = 0;
    for (const ch of s) {
      if (isLatinLetter(ch)) latin++;
      else if (isCyrillicOrGreek(ch)) other++;
    }
    if (other > 0) {
      const preferLatin = latin >= other;
      s = s.replace(/[\p{L}\p{M}]+/gu, (w) => foldWord(w, preferLatin));
    }
    s = transliterate(s); // any-ascii also drops diacritics ("é" → "e", "ß" → "ss")
  }
  return s.toLowerCase();
}
