// Blocking keys that mirror the name index's candidate retrieval, so a customer-name token index can find every name a new entry could match.
import type { Customer, ListEntry, Parent, PartyType } from '../model/index.js';
import { consonantSkeleton, normalizeName, type NameToken, type NameTokenKind } from '../normalize/index.js';
import { isEnglishWord } from './generic-words.js';
import { DISTINCTIVE_MIN_LENGTH } from './review-rules.js';
import { entryNormalizeType, LEGAL_FORM_WEIGHT, type TokenWeights } from './token-weights.js';

/**
 * Version of the key scheme below. Stored customer tokens made under another scheme are stale: a
 * migration that changes the scheme (or the normalizer's tokens) must reset the stored version.
 */
export const NAME_KEYS_VERSION = 2;

/** Shortest word the index looks up with one deletion (name-index.ts FUZZY_MIN_LENGTH). */
const FUZZY_MIN_LENGTH = 5;
/** Neighbouring words joined into one compound key: up to this many (name-index.ts joins i..i+2). */
const JOIN_MAX = 3;

/** Every name screening looks at for a customer: itself, aliases, the parent chain, beneficial owners. */
export function partyNames(c: Customer): { name: string; type: PartyType; country?: string }[] {
  const out: { name: string; type: PartyType; country?: string }[] = [];
  const type = c.type ?? 'organization';
  out.push({ name: c.name, type, ...(c.country ? { country: c.country } : {}) });
  for (const a of c.aliases ?? []) out.push({ name: a, type, ...(c.country ? { country: c.country } : {}) });
  const walk = (ps: Parent[] | undefined, depth: number) => {
    for (const p of ps ?? []) {
      if (depth > 16) return;
      out.push({ name: p.name, type: 'organization', ...(p.country ? { country: p.country } : {}) });
      for (const a of p.aliases ?? []) out.push({ name: a, type: 'organization' });
      walk(p.parents, depth + 1);
    }
  };
  walk(c.parents, 0);
  for (const o of c.beneficialOwners ?? []) out.push({ name: o.name, type: o.type ?? 'individual', ...(o.country ? { country: o.country } : {}) });
  return out.filter((n) => typeof n.name === 'string' && n.name.trim() !== '');
}

function deletions(t: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) out.push(t.slice(0, i) + t.slice(i + 1));
  return out;
}

/** Prefix of consonant-skeleton keys (words of Arabic-script names; never a token: tokens are [a-z0-9]). */
const SKELETON_KEY = '~';

/**
 * Non-legal tokens of a name plus its joined runs of 2–3 neighbouring words (what a query looks up
 * exactly), and the skeleton keys of words of an Arabic-script name (`~` + skeleton).
 */
function nameTokens(tokens: readonly NameToken[], out: Set<string>): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'legal') continue;
    out.add(t.text);
    for (const k of t.skeletons ?? []) out.add(SKELETON_KEY + k);
    if (t.kind !== 'word') continue;
    let joined = t.text;
    for (let k = i + 1; k < tokens.length && k < i + JOIN_MAX && tokens[k]!.kind === 'word'; k++) {
      joined += tokens[k]!.text;
      out.add(joined);
    }
  }
}

/**
 * The tokens a customer is filed under in the token index: for each party name (normalized exactly
 * as a screening query is), its non-legal tokens and joined neighbour words. Deduplicated.
 */
export function customerNameTokens(c: Customer): string[] {
  const out = new Set<string>();
  for (const n of partyNames(c)) nameTokens(normalizeName(n.name, { type: n.type }).tokens, out);
  return [...out];
}

/** Keys a stored token is found by: itself, and its one-deletion variants when it is a word of ≥ 5 letters. */
export function tokenLookupKeys(token: string): string[] {
  if (token.startsWith(SKELETON_KEY)) return [token];
  return token.length >= FUZZY_MIN_LENGTH && !/\d/.test(token) ? [token, ...deletions(token)] : [token];
}

/**
 * Tokens in more list names than this may be left out as exact lookup keys when an entry name does
 * not need them (name-index.ts skips query tokens above 300; the delta goes lower because its cost is
 * the customers holding the word, and generic words such as "energy" (167) or "logistics" (121) are
 * frequent among customers).
 */
export const COMMON_DF = 100;

/** Lookup keys of one entry name, split by whether they reach every customer token filed under them. */
export interface NameKeys {
  /** Keys of the name's needed tokens (and joined runs with one): every customer token found by them is a candidate. */
  keep: Set<string>;
  /** Keys of the name's skipped common tokens: they reach customer tokens other than `skipped` (typos, other joins). */
  loose: Set<string>;
  /** Skipped common tokens, and runs joined only from them: sharing these alone cannot lift a name to the threshold. */
  skipped: Set<string>;
}

/** Per diff entry name, which keys are needed; see `planEntryKeys`. */
export interface EntryKeyPlan {
  names: NameKeys[];
  /** Every key to look up (keep ∪ loose of every name). */
  keys: Set<string>;
  /** Union of every name's `keep`. */
  keepKeys: Set<string>;
  /** key → indices into `names` whose `loose` holds it. */
  looseBy: Map<string, number[]>;
}

export interface KeyPlanOptions {
  /** Token weights the matcher scores with. */
  weights: TokenWeights;
  /** Score a customer name must be able to reach (the delta prefilter threshold). */
  minScore: number;
  /**
   * Customers filed under a token (the token index's counts): when given, tokens held by at least
   * `minCustomers` customers are the skip candidates, most held first, instead of list df > COMMON_DF.
   * @defaultValue undefined (list document frequency)
   */
  customersWith?: (token: string) => number;
  /** With `customersWith`: fewer holders than this are not worth skipping. @defaultValue 500 */
  minCustomers?: number;
}

/** Distinct non-legal tokens of the entries' names (normalized as the index does): what `customersWith` is asked about. */
export function entryNameTokenTexts(entries: readonly ListEntry[]): string[] {
  const out = new Set<string>();
  for (const e of entries) {
    const type = entryNormalizeType(e);
    for (const raw of [e.name, e.primaryName, ...e.aliases.map((a) => a.name)]) {
      if (!raw) continue;
      for (const t of normalizeName(raw, { type }).tokens) if (t.kind !== 'legal') out.add(t.text);
    }
  }
  return [...out];
}

/**
 * The name index's common-token rule (name-index.ts) applied to the entry side, per entry name: its
 * common tokens (list df > COMMON_DF, or held by ≥ minCustomers customers; most frequent first) are skipped as exact keys while
 * 2·(S + L) / (S + L + total) < minScore, S = weight of the skipped tokens, L = the name's
 * legal-form weight, total = the name's weight. A customer name whose only links to the entry name
 * are exact skipped tokens (or runs joined from them) matches at most those tokens and legal forms:
 * with the scorer's weighted Dice, matched query weight ≤ S + L, matched entry weight ≤ S + L and the
 * denominator ≥ matched query weight + total, so its score is below minScore. Typos of a skipped
 * token still reach (its deletion keys stay, minus the exact token).
 *
 * Only tokens the review-level rules (review-rules.ts) cannot rest on are skipped: English words,
 * words shorter than DISTINCTIVE_MIN_LENGTH, numbers, words of a listed individual's name (person-name
 * words, generic to the rules) — and of an individual's first and last word (dropped-middle-names
 * rule) the rarer one always stays.
 */
export function planEntryKeys(entries: readonly ListEntry[], opts: KeyPlanOptions): EntryKeyPlan {
  const names: NameKeys[] = [];
  for (const e of entries) {
    const type = entryNormalizeType(e);
    const seen = new Set<string>();
    for (const raw of [e.name, e.primaryName, ...e.aliases.map((a) => a.name)]) {
      if (!raw) continue;
      const n = normalizeName(raw, { type });
      if (n.tokens.length === 0 || seen.has(n.text)) continue;
      seen.add(n.text);
      names.push(nameKeys(n.tokens, type === 'individual', opts));
    }
  }
  const keys = new Set<string>();
  const keepKeys = new Set<string>();
  const looseBy = new Map<string, number[]>();
  names.forEach((n, i) => {
    for (const k of n.keep) keepKeys.add(k);
    for (const k of n.loose) {
      let l = looseBy.get(k);
      if (!l) looseBy.set(k, (l = []));
      l.push(i);
    }
  });
  for (const k of keepKeys) keys.add(k);
  for (const k of looseBy.keys()) keys.add(k);
  return { names, keys, keepKeys, looseBy };
}

function skippable(t: { text: string; kind: NameTokenKind }, individual: boolean): boolean {
  if (t.kind === 'number') return true;
  // a listed individual's words are person-name words to the review rules: generic, never distinctive
  return t.kind === 'word' && (individual || t.text.length < DISTINCTIVE_MIN_LENGTH || isEnglishWord(t.text));
}

function nameKeys(tokens: readonly { text: string; kind: NameTokenKind }[], individual: boolean, opts: KeyPlanOptions): NameKeys {
  let total = 0;
  let legal = 0;
  const weightIn = new Map<string, number>();
  for (const t of tokens) {
    if (t.kind === 'legal') {
      total += LEGAL_FORM_WEIGHT;
      legal += LEGAL_FORM_WEIGHT;
      continue;
    }
    const w = opts.weights.weightOf(t.text);
    total += w;
    weightIn.set(t.text, (weightIn.get(t.text) ?? 0) + w);
  }
  const words = tokens.filter((t) => t.kind !== 'legal');
  // dropped-middle-names rule: an individual's first and last words together lift a name, so one of them stays a key
  const kept = new Set<string>();
  if (individual && words.length >= 3) {
    const a = words[0]!.text;
    const b = words[words.length - 1]!.text;
    kept.add(opts.weights.documentFrequency(a) <= opts.weights.documentFrequency(b) ? a : b);
  }
  const common = [...new Map(words.map((t) => [t.text, t])).values()]
    .map((t) => ({ tok: t, t: t.text, df: opts.customersWith ? opts.customersWith(t.text) : opts.weights.documentFrequency(t.text) }))
    .filter(({ tok, t, df }) => !kept.has(t) && skippable(tok, individual) && (opts.customersWith ? df >= (opts.minCustomers ?? 500) : df > COMMON_DF))
    .sort((a, b) => b.df - a.df || (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  const skipped = new Set<string>();
  let slack = legal;
  for (const { t } of common) {
    const s = slack + weightIn.get(t)!;
    if ((2 * s) / (s + total) >= opts.minScore - 1e-9) break;
    skipped.add(t);
    slack = s;
  }
  const keep = new Set<string>();
  const loose = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'legal') continue;
    const to = skipped.has(t.text) ? loose : keep;
    to.add(t.text);
    if (t.kind === 'word' && t.text.length >= FUZZY_MIN_LENGTH) for (const d of deletions(t.text)) to.add(d);
    if (t.kind !== 'word') continue;
    // Arabic-script customer names are filed under skeleton keys (few customers hold them)
    const sk = consonantSkeleton(t.text);
    if (sk) keep.add(SKELETON_KEY + sk);
    let joined = t.text;
    let allSkipped = skipped.has(t.text);
    for (let k = i + 1; k < tokens.length && k < i + JOIN_MAX && tokens[k]!.kind === 'word'; k++) {
      joined += tokens[k]!.text;
      allSkipped &&= skipped.has(tokens[k]!.text);
      if (allSkipped) {
        loose.add(joined);
        skipped.add(joined);
      } else keep.add(joined);
    }
  }
  return { keep, loose, skipped };
}

/** True when a customer token is reached by the plan's keys (a kept key, or a loose key of a name that does not skip it). */
export function tokenReached(plan: EntryKeyPlan, token: string): boolean {
  for (const k of tokenLookupKeys(token)) {
    if (plan.keepKeys.has(k)) return true;
    const l = plan.looseBy.get(k);
    if (l) for (const i of l) if (!plan.names[i]!.skipped.has(token)) return true;
  }
  return false;
}

/** True when a customer is a delta candidate under the plan (the brute-force form of the token index lookup). */
export function customerReached(plan: EntryKeyPlan, c: Customer): boolean {
  for (const t of customerNameTokens(c)) if (tokenReached(plan, t)) return true;
  return false;
}
