// A normalized name with its token weights, computed once per list name (at index build) and once per query.
import type { NameTokenKind, NormalizedName } from '../normalize/index.js';
import { LEGAL_FORM_WEIGHT, type TokenWeights } from './token-weights.js';

export interface PreparedName {
  /** Normalized text (tokens joined by a space). */
  text: string;
  tokens: string[];
  kinds: NameTokenKind[];
  weights: number[];
  /** Sum of `weights`. */
  total: number;
  /** Sum of the weights of legal-form tokens. */
  legalTotal: number;
  /** Words and numbers run together in order, for spacing variants ("tarabar gorous" ~ "tarabargorous"). */
  compact: string;
  /** Individuals listed "SURNAME, Given": index of the first surname token (see NormalizedName). */
  surnameFrom?: number | undefined;
  /** Per token, the word as written when digits stood for letters ("r0sneft"); absent when none did. */
  from?: (string | undefined)[] | undefined;
  /** Per token, consonant skeleton keys when the name was written in Arabic script; absent otherwise. */
  skeletons?: (string[] | undefined)[] | undefined;
}

/** Attaches weights to a normalized name: IDF-like for words and numbers, a small constant for legal forms. */
export function prepareName(name: NormalizedName, weights: TokenWeights): PreparedName {
  const tokens: string[] = [];
  const kinds: NameTokenKind[] = [];
  const ws: number[] = [];
  let total = 0;
  let legalTotal = 0;
  for (const t of name.tokens) {
    const w = t.kind === 'legal' ? LEGAL_FORM_WEIGHT : weights.weightOf(t.text);
    tokens.push(t.text);
    kinds.push(t.kind);
    ws.push(w);
    total += w;
    if (t.kind === 'legal') legalTotal += w;
  }
  const compact = tokens.filter((_, i) => kinds[i] !== 'legal').join('');
  const from = name.tokens.some((t) => t.from) ? name.tokens.map((t) => t.from) : undefined;
  const skeletons = name.tokens.some((t) => t.skeletons) ? name.tokens.map((t) => t.skeletons) : undefined;
  return { text: name.text, tokens, kinds, weights: ws, total, legalTotal, compact, surnameFrom: name.surnameFrom, from, skeletons };
}
