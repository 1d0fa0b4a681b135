// Review-level rules: partial names a token score misses (containment, extra words, dropped middle names) — held for review, never denied.
import type { EntityType, PartyType } from '../model/index.js';
import type { PreparedName } from './prepared-name.js';

/**
 * Score band of review-level rules: inside the default pack's review band [0.85, 0.95), so a rule
 * alone can hold a name for review and never deny it. Within the band, closer names rank higher:
 * score = REVIEW_RULE_MIN + (REVIEW_RULE_MAX − REVIEW_RULE_MIN) × token score.
 */
export const REVIEW_RULE_MIN = 0.86;
export const REVIEW_RULE_MAX = 0.94;
/** Shortest word that can carry a containment match ("Huawei", "Dahua"); shorter words must still be present. */
export const DISTINCTIVE_MIN_LENGTH = 4;
/** At most this many extra words in a query that spells a whole listed name ("… Shenzhen Branch"). */
export const MAX_EXTRA_WORDS = 3;
/** Fewest query words (legal forms aside) spelling the listed name in the extra-words rule. */
export const MIN_ENTRY_WORDS = 2;
/** Least token score of a dropped-middle-names match: the names kept carry most of the weight. */
export const DROPPED_MIN_TOKEN_SCORE = 0.6;

/** What the rules need to know about words, beyond the names themselves. */
export interface WordClasses {
  /** An English dictionary word ("branch", "technology", "apple"). */
  isEnglish(token: string): boolean;
  /** A word of a listed individual's name ("putin", "ali"): common in people's names, weak alone. */
  isPersonName(token: string): boolean;
  /** A place: a country, or a city or region of a listed address ("shenzhen", "moscow"). */
  isLocation(token: string): boolean;
}

export interface RuleContext {
  words: WordClasses;
  queryType?: PartyType | undefined;
  entryType?: EntityType | undefined;
}

export interface RuleHit {
  kind: 'containment' | 'extra_tokens' | 'dropped_names';
  /** Query-side words the rule rests on. */
  query: string;
  /** Entry-side words the rule rests on. */
  entry: string;
}

/** True when a word is too common to carry a match alone: an English word or a word of a listed person's name. */
export function isGeneric(words: WordClasses, token: string): boolean {
  return words.isEnglish(token) || words.isPersonName(token);
}

const wordsOf = (n: PreparedName, keep: (i: number) => boolean) =>
  n.tokens.filter((_, i) => n.kinds[i] !== 'legal' && keep(i)).join(' ');

/**
 * Containment: every word of the query is in the listed name ("Huawei" in "Huawei Technology"), the
 * query has a word of ≥ 4 letters and none of its words of ≥ 4 letters is generic. Organizations
 * only: part of a person's name is the dropped-names rule's business.
 */
function containment(q: PreparedName, e: PreparedName, qSim: Float64Array, eSim: Float64Array, ctx: RuleContext): RuleHit | undefined {
  if (ctx.queryType === 'individual' || ctx.entryType === 'individual') return undefined;
  let distinctive = 0;
  for (let i = 0; i < q.tokens.length; i++) {
    if (q.kinds[i] === 'legal') continue;
    if (qSim[i] !== 1) return undefined;
    const t = q.tokens[i]!;
    if (q.kinds[i] === 'word' && t.length >= DISTINCTIVE_MIN_LENGTH) {
      if (isGeneric(ctx.words, t)) return undefined;
      distinctive++;
    }
  }
  if (distinctive === 0) return undefined;
  if (!e.tokens.some((_, j) => e.kinds[j] !== 'legal' && eSim[j] === 0)) return undefined;
  return { kind: 'containment', query: wordsOf(q, () => true), entry: wordsOf(e, () => true) };
}

/**
 * Extra words: the query spells a whole listed organization name of two words or more plus at most
 * three words that are English words or places ("Huawei Technologies Co Ltd Shenzhen Branch" ⊇
 * "Shenzhen Huawei Technologies"); the listed name has a distinctive word of its own. A one-word
 * listed name inside a longer query ("Komax Holding AG" ⊇ "KOMAX") is too weak: another company.
 */
function extraTokens(q: PreparedName, e: PreparedName, qSim: Float64Array, eSim: Float64Array, ctx: RuleContext): RuleHit | undefined {
  if (ctx.queryType === 'individual' || ctx.entryType === 'individual') return undefined;
  let distinctive = 0;
  for (let j = 0; j < e.tokens.length; j++) {
    if (e.kinds[j] === 'legal') continue;
    if (eSim[j] !== 1) return undefined;
    const t = e.tokens[j]!;
    if (e.kinds[j] === 'word' && t.length >= DISTINCTIVE_MIN_LENGTH && !isGeneric(ctx.words, t)) distinctive++;
  }
  if (distinctive === 0) return undefined;
  let extra = 0;
  let spelled = 0; // query words that spell the listed name ("k.arma" is one word, "karma")
  for (let i = 0; i < q.tokens.length; i++) {
    if (q.kinds[i] === 'legal') continue;
    if (qSim[i] !== 0) {
      spelled++;
      continue;
    }
    const t = q.tokens[i]!;
    if (q.kinds[i] !== 'word' || !(ctx.words.isEnglish(t) || ctx.words.isLocation(t))) return undefined;
    if (++extra > MAX_EXTRA_WORDS) return undefined;
  }
  if (extra === 0 || spelled < MIN_ENTRY_WORDS) return undefined;
  return { kind: 'extra_tokens', query: wordsOf(q, (i) => qSim[i] === 0), entry: wordsOf(e, () => true) };
}

/**
 * Dropped middle names: an individual listed "SURNAME, Given Middle…" whose whole surname and first
 * given name match every word of the query ("Ramzan Kadyrov" ~ "KADYROV, Ramzan Akhmatovich"); only
 * later given names (middle names, patronymics) are missing, and the names kept carry most of the
 * weight (token score ≥ 0.6), so that two common names ("Mohammad Ahmed") do not reach review.
 */
function droppedNames(q: PreparedName, e: PreparedName, qSim: Float64Array, eSim: Float64Array, ctx: RuleContext, tokenScore: number): RuleHit | undefined {
  if (ctx.entryType !== 'individual' || ctx.queryType !== 'individual') return undefined;
  const s = e.surnameFrom;
  if (s === undefined || s < 2 || tokenScore < DROPPED_MIN_TOKEN_SCORE) return undefined;
  let words = 0;
  for (let i = 0; i < q.tokens.length; i++) {
    if (q.kinds[i] === 'legal') continue;
    if (qSim[i] !== 1) return undefined;
    words++;
  }
  if (words < 2 || eSim[0] !== 1) return undefined;
  for (let j = s; j < e.tokens.length; j++) if (eSim[j] !== 1) return undefined;
  const dropped: string[] = [];
  for (let j = 1; j < s; j++) if (eSim[j] === 0) dropped.push(e.tokens[j]!);
  if (dropped.length === 0) return undefined;
  return { kind: 'dropped_names', query: wordsOf(q, () => true), entry: dropped.join(' ') };
}

/**
 * The first review-level rule that holds for an aligned pair, if any. `qSim[i]` / `eSim[j]` are the
 * similarities of the alignment pairs that used each token (0 when unmatched).
 */
export function reviewRule(q: PreparedName, e: PreparedName, qSim: Float64Array, eSim: Float64Array, ctx: RuleContext, tokenScore: number): RuleHit | undefined {
  return containment(q, e, qSim, eSim, ctx) ?? extraTokens(q, e, qSim, eSim, ctx) ?? droppedNames(q, e, qSim, eSim, ctx, tokenScore);
}

/** The score a review-level rule gives a pair whose token score is `tokenScore`. */
export function reviewRuleScore(tokenScore: number): number {
  return REVIEW_RULE_MIN + (REVIEW_RULE_MAX - REVIEW_RULE_MIN) * Math.min(1, Math.max(0, tokenScore));
}
