// The matching engine's public surface: build an index over list entries, compare two names.
import type { PartyType } from '../model/index.js';
import { normalizeName } from '../normalize/index.js';
import { buildNameIndex, type IndexOptions } from './name-index.js';
import { prepareName } from './prepared-name.js';
import { scoreNames } from './scorer.js';
import { defaultTokenWeights, type TokenWeights } from './token-weights.js';
import type { CompareResult, MatchIndex } from './types.js';
import type { ListEntry } from '../model/index.js';
import { defaultWordClasses } from './location-words.js';
import type { WordClasses } from './review-rules.js';

export type { CompareResult, MatchCandidate, MatchIndex, NameQuery, SearchOptions } from './types.js';
export type { IndexOptions } from './name-index.js';
export { buildIndexAsync, type AsyncBuildOptions } from './build-async.js';
export { withSearchCache, type CachedMatchIndex, type SearchCacheStats } from './cached-index.js';
export type { TokenWeights } from './token-weights.js';
export { defaultTokenWeights, tokenWeightsFromEntries, tokenWeightsFromNames, LEGAL_FORM_WEIGHT } from './token-weights.js';
export { ENTITY_TYPE_PENALTY } from './scorer.js';
export { REVIEW_RULE_MIN, REVIEW_RULE_MAX, type WordClasses } from './review-rules.js';
export { defaultWordClasses } from './location-words.js';

/** Builds the immutable in-memory index over a snapshot's entries. */
export function buildIndex(entries: readonly ListEntry[], options?: IndexOptions): MatchIndex & { readonly weights: TokenWeights } {
  return buildNameIndex(entries, options);
}

export interface CompareOptions {
  /** Party type of both names (person-name rules for `individual`). @defaultValue undefined (organization rules) */
  type?: PartyType;
  /** Token weights. @defaultValue defaultTokenWeights() */
  weights?: TokenWeights;
  /** Word classes of the review-level rules. @defaultValue defaultWordClasses() (dictionary and countries) */
  words?: WordClasses;
}

/** Scores two names with the screening scorer; `pieces` explain the score. */
export function compareNames(a: string, b: string, opts: CompareOptions = {}): CompareResult {
  const weights = opts.weights ?? defaultTokenWeights();
  const norm = opts.type ? { type: opts.type } : {};
  const r = scoreNames(prepareName(normalizeName(a, norm), weights), prepareName(normalizeName(b, norm), weights), {
    explain: true,
    words: opts.words ?? defaultWordClasses(),
    queryType: opts.type,
    entryType: opts.type,
  });
  return { score: Math.round(r.score * 10000) / 10000, pieces: r.pieces };
}
