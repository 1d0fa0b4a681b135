// The explainable name scorer: weighted token alignment (exact, fuzzy, compound) → score 0..1 with ScorePiece[].
import type { EntityType, PartyType, ScorePiece } from '../model/index.js';
import type { PreparedName } from './prepared-name.js';
import { tokenSimilarity } from './token-similarity.js';
import { consonantSkeleton, legalFormOfWord } from '../normalize/index.js';
import { reviewRule, reviewRuleScore, REVIEW_RULE_MAX, type RuleHit, type WordClasses } from './review-rules.js';

/** Fraction taken off when an individual is compared with an organization (or the reverse). */
export const ENTITY_TYPE_PENALTY = 0.1;
/**
 * Fraction taken off when a customer (organization or individual) is compared with a vessel or an
 * aircraft entry: an exact vessel name still reaches review (1 × 0.85), a near one does not.
 */
export const VESSEL_PENALTY = 0.15;
/** Fewest words of an Arabic-script name that must match by consonant skeleton. */
export const MIN_SKELETON_WORDS = 2;
/** Least similarity for joined neighbours ("hik vision" ~ "hikvision") to count as one token. */
const COMPOUND_MIN = 0.86;
/** Least similarity of the run-together words of both names ("al qard alhassan" ~ "al-qard al-hassan"). */
export const COMPACT_MIN = 0.86;

export interface ScoreOptions {
  /** Type of the screened party, when known. */
  queryType?: PartyType | undefined;
  /** Type of the list entry, when the source states it (OFAC does; BIS lists do not). */
  entryType?: EntityType | undefined;
  /** Build `pieces` (only needed for results that are shown). */
  explain?: boolean;
  /**
   * Word classes for the review-level rules (containment, extra words, dropped middle names);
   * without them the rules do not run. @defaultValue undefined
   */
  words?: WordClasses | undefined;
}

export interface ScoreResult {
  score: number;
  /** Token-alignment score before the entity-type penalty. */
  tokenScore: number;
  pieces: ScorePiece[];
}

interface Pair {
  q: number[];
  e: number[];
  sim: number;
  value: number;
}

function pairSimilarity(q: PreparedName, i: number, e: PreparedName, j: number): number {
  const kq = q.kinds[i];
  const ke = e.kinds[j];
  const a = q.tokens[i]!;
  const b = e.tokens[j]!;
  if (kq === 'legal' || ke === 'legal') {
    if (kq === ke) return a === b ? 1 : 0;
    // a person's name keeps "AG"/"SA" as words; the entry may read them as legal forms
    return (kq === 'legal' ? legalFormOfWord(b) === a : legalFormOfWord(a) === b) ? 1 : 0;
  }
  if (kq === 'number' || ke === 'number') return a === b ? 1 : 0;
  const skeletons = q.skeletons?.[i];
  if (skeletons) return skeletonSimilarity(skeletons, b);
  return tokenSimilarity(a, b);
}

/**
 * Similarity of an Arabic-script word (by its skeleton keys) and a Latin list word: equal consonant
 * skeletons → 0.9 for three consonants or more ("slmn": "slymny" ~ "soleimani"), 0.85 for two, 0.75 for one.
 */
function skeletonSimilarity(keys: readonly string[], latin: string): number {
  const s = consonantSkeleton(latin);
  if (!keys.includes(s)) return 0;
  return s.length >= 3 ? 0.9 : s.length === 2 ? 0.85 : 0.75;
}

/** Joined neighbours of one side against single tokens of the other ("hik"+"vision" ~ "hikvision"). */
function compoundPairs(x: PreparedName, y: PreparedName, xIsQuery: boolean, out: Pair[]): void {
  const n = x.tokens.length;
  for (let i = 0; i + 1 < n; i++) {
    if (x.kinds[i] !== 'word' || x.kinds[i + 1] !== 'word') continue;
    let joined = x.tokens[i]!;
    let wx = x.weights[i]!;
    for (let k = i + 1; k < n && k < i + 4 && x.kinds[k] === 'word'; k++) {
      joined += x.tokens[k]!;
      wx += x.weights[k]!;
      for (let j = 0; j < y.tokens.length; j++) {
        if (y.kinds[j] !== 'word') continue;
        const t = y.tokens[j]!;
        if (Math.abs(t.length - joined.length) > 2) continue;
        const sim = tokenSimilarity(joined, t);
        if (sim < COMPOUND_MIN) continue;
        const xs = Array.from({ length: k - i + 1 }, (_, d) => i + d);
        const value = sim * (wx + y.weights[j]!);
        out.push(xIsQuery ? { q: xs, e: [j], sim, value } : { q: [j], e: xs, sim, value });
      }
    }
  }
}

const r4 = (x: number) => Math.round(x * 10000) / 10000;

/** Penalty for comparing a party of one type with an entry of another (0 when they agree or are unknown). */
export function typePenalty(queryType: PartyType | undefined, entryType: EntityType | undefined): number {
  if (!entryType) return 0;
  if (entryType === 'vessel' || entryType === 'aircraft') return VESSEL_PENALTY;
  if (!queryType) return 0;
  return (queryType === 'individual') !== (entryType === 'individual') ? ENTITY_TYPE_PENALTY : 0;
}

/**
 * Scores a query name against a list name. Tokens are aligned greedily by weighted similarity
 * (each token used once; order does not matter); the score is the matched weight of both sides over
 * their total weight (a weighted Dice), so unmatched rare tokens cost much and generic ones little.
 * A match resting on legal forms alone scores 0.
 */
export function scoreNames(q: PreparedName, e: PreparedName, opts: ScoreOptions = {}): ScoreResult {
  const denom = q.total + e.total;
  if (denom <= 0 || q.total - q.legalTotal <= 0 || e.total - e.legalTotal <= 0) {
    return { score: 0, tokenScore: 0, pieces: [] };
  }
  const pairs: Pair[] = [];
  for (let i = 0; i < q.tokens.length; i++) {
    for (let j = 0; j < e.tokens.length; j++) {
      const sim = pairSimilarity(q, i, e, j);
      if (sim > 0) pairs.push({ q: [i], e: [j], sim, value: sim * (q.weights[i]! + e.weights[j]!) });
    }
  }
  if (q.tokens.length > 1) compoundPairs(q, e, true, pairs);
  if (e.tokens.length > 1) compoundPairs(e, q, false, pairs);
  // most similar first (an exact pair beats a fuzzy compound over it), then heavier
  pairs.sort((a, b) => b.sim - a.sim || b.value - a.value);

  const usedQ = new Uint8Array(q.tokens.length);
  const usedE = new Uint8Array(e.tokens.length);
  let chosen: Pair[] = [];
  let matched = 0;
  let matchedWords = 0;
  for (const p of pairs) {
    if (p.q.some((i) => usedQ[i]) || p.e.some((j) => usedE[j])) continue;
    for (const i of p.q) usedQ[i] = 1;
    for (const j of p.e) usedE[j] = 1;
    chosen.push(p);
    matched += p.value;
    if (p.q.some((i) => q.kinds[i] !== 'legal')) matchedWords += p.value;
  }
  let tokenScore = matchedWords > 0 ? Math.min(1, matched / denom) : 0;

  // the words run together, when spacing or hyphens differ ("al qard alhassan" ~ "al-qard al-hassan")
  let compact: Pair | undefined;
  if (tokenScore < 1 && q.compact.length > 0 && Math.abs(q.compact.length - e.compact.length) <= 2) {
    const sim = tokenSimilarity(q.compact, e.compact);
    if (sim >= COMPACT_MIN) {
      const legal = chosen.filter((p) => q.kinds[p.q[0]!] === 'legal');
      const wordsValue = sim * (q.total - q.legalTotal + e.total - e.legalTotal);
      const value = wordsValue + legal.reduce((s, p) => s + p.value, 0);
      if (value / denom > tokenScore) {
        tokenScore = Math.min(1, value / denom);
        compact = {
          q: q.tokens.map((_, i) => i).filter((i) => q.kinds[i] !== 'legal'),
          e: e.tokens.map((_, j) => j).filter((j) => e.kinds[j] !== 'legal'),
          sim,
          value: wordsValue,
        };
        chosen = [compact, ...legal];
        usedQ.fill(0);
        usedE.fill(0);
        for (const p of chosen) {
          for (const i of p.q) usedQ[i] = 1;
          for (const j of p.e) usedE[j] = 1;
        }
      }
    }
  }
  const penalty = typePenalty(opts.queryType, opts.entryType);
  let score = tokenScore * (1 - penalty);
  // an Arabic-script name read by consonant skeletons: vowels are guessed, so at most review
  const arabic = q.skeletons !== undefined;
  const scriptCap = arabic && score > REVIEW_RULE_MAX ? score - REVIEW_RULE_MAX : 0;
  if (scriptCap > 0) score = REVIEW_RULE_MAX;
  // one word's consonants are too little evidence ("بنك" → "bnk" ~ many names): two skeleton words at least
  if (arabic && chosen.filter((p) => p.q.length === 1 && q.skeletons?.[p.q[0]!] && p.sim < 1).length < MIN_SKELETON_WORDS) score = 0;
  // review-level rules: partial names the token score misses; they lift a score into the review band, never beyond
  let rule: RuleHit | undefined;
  let lift = 0;
  if (opts.words && penalty === 0 && score < REVIEW_RULE_MAX && !arabic) {
    const qSim = new Float64Array(q.tokens.length);
    const eSim = new Float64Array(e.tokens.length);
    for (const p of chosen) {
      for (const i of p.q) qSim[i] = p.sim;
      for (const j of p.e) eSim[j] = p.sim;
    }
    rule = reviewRule(q, e, qSim, eSim, { words: opts.words, queryType: opts.queryType, entryType: opts.entryType }, tokenScore);
    const ruled = rule ? reviewRuleScore(tokenScore) : 0;
    if (ruled > score) {
      lift = ruled - score;
      score = ruled;
    } else rule = undefined;
  }
  if (!opts.explain) return { score, tokenScore, pieces: [] };

  const pieces: ScorePiece[] = [];
  for (const p of chosen) {
    const legal = p.q.length === 1 && q.kinds[p.q[0]!] === 'legal';
    const weight = p.value / p.sim / denom;
    // a query word whose digits were read as letters ("r0sneft" → "rosneft") shows as written
    const folded = p !== compact && p.q.some((i) => q.from?.[i] !== undefined);
    pieces.push({
      kind: legal
        ? 'legal_form'
        : p === compact
          ? 'compact'
          : folded
            ? 'digit_fold'
            : arabic && p.q.length === 1 && q.skeletons?.[p.q[0]!]
              ? 'skeleton'
            : p.q.length > 1 || p.e.length > 1
              ? 'compound'
              : p.sim === 1
                ? 'token'
                : 'fuzzy',
      query: p.q.map((i) => q.from?.[i] ?? q.tokens[i]).join(' '),
      entry: p.e.map((j) => e.tokens[j]).join(' '),
      similarity: r4(p.sim),
      weight: r4(weight),
      contribution: r4(p.value / denom),
      exact: p.sim === 1,
    });
  }
  for (let i = 0; i < q.tokens.length; i++) {
    if (!usedQ[i]) {
      pieces.push({ kind: 'unmatched', query: q.tokens[i]!, entry: '', similarity: 0, weight: r4(q.weights[i]! / denom), contribution: 0 });
    }
  }
  for (let j = 0; j < e.tokens.length; j++) {
    if (!usedE[j]) {
      pieces.push({ kind: 'unmatched', query: '', entry: e.tokens[j]!, similarity: 0, weight: r4(e.weights[j]! / denom), contribution: 0 });
    }
  }
  if (scriptCap > 0) {
    pieces.push({ kind: 'script_cap', query: 'arabic script', entry: '', similarity: 0, weight: 0, contribution: r4(-scriptCap) });
  }
  if (rule) {
    // the rule's lift: matched words say why, the rule says what lifted the score into the review band
    pieces.push({ kind: rule.kind, query: rule.query, entry: rule.entry, similarity: r4(tokenScore), weight: 0, contribution: r4(lift) });
  }
  if (penalty > 0) {
    pieces.push({
      kind: 'entity_type',
      query: opts.queryType ?? '',
      entry: opts.entryType ?? '',
      similarity: 0,
      weight: penalty,
      contribution: r4(-tokenScore * penalty),
    });
  }
  return { score, tokenScore, pieces };
}
