// Place words (and default word classes): the countries, and the cities and regions of listed addresses ("shenzhen", "moscow", "tehran"), normalized.
import { ISO_COUNTRIES } from '../model/countries.js';
import type { ListEntry } from '../model/index.js';
import { foldText, tokenize } from '../normalize/index.js';
import { isEnglishWord } from './generic-words.js';
import type { WordClasses } from './review-rules.js';

/** Shortest place word kept (shorter ones are syllables more than places). */
const MIN_LENGTH = 3;

/** Every word of a country name and of the city and region of every listed address. */
export function locationWords(entries: readonly ListEntry[]): Set<string> {
  const out = new Set<string>();
  const add = (text: string | undefined) => {
    if (!text) return;
    for (const t of tokenize(foldText(text))) if (t.length >= MIN_LENGTH && !/\d/.test(t)) out.add(t);
  };
  for (const name of Object.values(ISO_COUNTRIES)) add(name);
  for (const e of entries) {
    for (const a of e.addresses) {
      add(a.city);
      add(a.region);
    }
  }
  return out;
}

/** Word classes without lists: English dictionary words, country names as places, no person names. */
export function defaultWordClasses(): WordClasses {
  if (!DEFAULTS) {
    const places = locationWords([]);
    DEFAULTS = { isEnglish: isEnglishWord, isPersonName: () => false, isLocation: (t) => places.has(t) };
  }
  return DEFAULTS;
}
let DEFAULTS: WordClasses | undefined;
