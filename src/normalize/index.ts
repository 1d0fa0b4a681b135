// Name normalization: one pipeline, the same for list entries and for the names being screened.
import type { PartyType } from '../model/index.js';
import { arabicSkeletons, isArabicScript } from './consonant-skeleton.js';
import { foldDigitLetters } from './digit-fold.js';
import { canonicalizeLegalForms } from './legal-forms.js';
import { reorderPersonName, splitPersonName } from './person-name.js';
import { tokenize } from './tokenize.js';
import { foldText } from './unicode-fold.js';

export { foldText } from './unicode-fold.js';
export { tokenize } from './tokenize.js';
export { canonicalizeLegalForms, legalFormOfWord, LEGAL_FORM_TOKENS } from './legal-forms.js';
export { osaDistance } from './edit-distance.js';
export { foldDigitLetters } from './digit-fold.js';
export { arabicSkeletons, consonantSkeleton, isArabicScript } from './consonant-skeleton.js';
export { reorderPersonName, splitPersonName } from './person-name.js';
export { transliterate } from './transliterate.js';

/** `word` an ordinary name token; `legal` a canonical legal form; `number` contains a digit. */
export type NameTokenKind = 'word' | 'legal' | 'number';

export interface NameToken {
  text: string;
  kind: NameTokenKind;
  /** The word as written when digits or symbols were read as letters ("r0sneft" for "rosneft"). */
  from?: string;
  /** Words of an Arabic-script name: consonant skeleton keys of the transliteration ("qsm" → ["ksm"]). */
  skeletons?: string[];
}

export interface NormalizedName {
  /** The text as given. */
  original: string;
  /** Normalized tokens joined by one space (person names in "Given Surname" order). */
  text: string;
  tokens: NameToken[];
  /**
   * Individuals written "SURNAME, Given": index of the first surname token (the given names come
   * first, "Given Surname"). Undefined when the name has no such comma.
   */
  surnameFrom?: number;
}

export interface NormalizeOptions {
  /**
   * Party type. In individuals' names, short legal forms that are also name syllables ("Ao", "Sa",
   * "Co") stay words. Only individuals get "SURNAME, Given" reordered (organizations keep commas:
   * "Beijing Huada Co., Ltd.").
   */
  type?: PartyType;
}

/**
 * Normalizes a name for matching: Unicode folding (invisible characters, full-width, look-alike
 * letters, transliteration, diacritics, case), digits written for letters ("R0sneft" → "rosneft"),
 * punctuation and spacing ("C.I.A." → "cia"), person
 * name order, legal forms as canonical tokens.
 */
export function normalizeName(text: string, opts: NormalizeOptions = {}): NormalizedName {
  const changed = new Map<string, string>();
  const folded = foldDigitLetters(foldText(text), changed);
  const personName = opts.type === 'individual';
  const arabic = isArabicScript(text);
  const toTokens = (s: string): NameToken[] =>
    canonicalizeLegalForms(tokenize(s), { personName }).map((t) => {
      const kind: NameTokenKind = t.legal ? 'legal' : /\d/.test(t.text) ? 'number' : 'word';
      const from = t.legal ? undefined : changed.get(t.text);
      const skeletons = arabic && kind === 'word' ? arabicSkeletons(t.text) : undefined;
      return { text: t.text, kind, ...(from ? { from } : {}), ...(skeletons?.length ? { skeletons } : {}) };
    });
  const parts = personName ? splitPersonName(folded) : undefined;
  if (parts) {
    const given = toTokens(parts.given);
    const surname = toTokens(parts.surname);
    if (given.length > 0 && surname.length > 0) {
      const tokens = [...given, ...surname];
      return { original: text, text: tokens.map((t) => t.text).join(' '), tokens, surnameFrom: given.length };
    }
  }
  const tokens = toTokens(personName ? reorderPersonName(folded) : folded);
  return { original: text, text: tokens.map((t) => t.text).join(' '), tokens };
}
