// The in-memory name index: token, typo (one-deletion) and compound blocking → bounded candidate set → scorer.
import type { EntityType, ListEntry } from '../model/index.js';
import { consonantSkeleton, normalizeName, type NameTokenKind } from '../normalize/index.js';
import { FNV_START, fnvAppend, fnvHash, HashedPostings } from './hashed-postings.js';
import { prepareName, type PreparedName } from './prepared-name.js';
import { COMPACT_MIN, scoreNames } from './scorer.js';
import { isEnglishWord } from './generic-words.js';
import { DISTINCTIVE_MIN_LENGTH, DROPPED_MIN_TOKEN_SCORE, isGeneric, MAX_EXTRA_WORDS, MIN_ENTRY_WORDS, REVIEW_RULE_MAX, type WordClasses } from './review-rules.js';
import { locationWords } from './location-words.js';
import { tokenSimilarity } from './token-similarity.js';
import { entryNormalizeType, LEGAL_FORM_WEIGHT, tokenWeightsFromCounts, UNTYPED_LISTS, type TokenWeights } from './token-weights.js';
import type { MatchCandidate, MatchIndex, NameQuery, SearchOptions } from './types.js';

export interface IndexOptions {
  /** Token weights; default: counted over the indexed names. */
  weights?: TokenWeights;
  /** At most this many names are scored per query, best retrieval bound first. @defaultValue 400 */
  maxCandidates?: number;
  /** Normalizes an entry name (buildIndexAsync passes names it normalized ahead, in slices). @defaultValue normalizeName */
  normalize?: typeof normalizeName;
}

/** Shortest token looked up with one edit (shorter ones weigh little when fuzzy: see tokenSimilarity). */
const FUZZY_MIN_LENGTH = 5;
/** Tokens in more names than this are candidates for skipping when the rest of the query is enough. */
const COMMON_DF = 300;

const KIND_CODE: Record<NameTokenKind, number> = { word: 0, legal: 1, number: 2 };
/** Token flags: an English word, a word of a listed individual's name, a place of a listed address or a country. */
const ENGLISH = 1;
const PERSON = 2;
const LOCATION = 4;
/** Name info: the name has a distinctive word (≥ 4 letters, neither English nor a person's name). */
const DISTINCTIVE_NAME = 1;
const KINDS: readonly NameTokenKind[] = ['word', 'legal', 'number'];

/** Every string one deletion away from `t`. */
function deletions(t: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) out.push(t.slice(0, i) + t.slice(i + 1));
  return out;
}

/** A growable Uint32Array. */
class U32List {
  buf = new Uint32Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = x;
  }
  done(): Uint32Array {
    return this.buf.slice(0, this.length);
  }
}

/**
 * Names are stored flat (token ids, kinds, totals in typed arrays) rather than as one object per name;
 * the scorer's PreparedName is rebuilt for the few hundred candidates a query scores. The typo and
 * compound tables keep 32-bit hashes, not strings (HashedPostings).
 */
class NameIndex implements MatchIndex {
  readonly entryCount: number;
  readonly nameCount: number;
  readonly weights: TokenWeights;
  private readonly entries: readonly ListEntry[];
  private readonly rawNames: string[] = [];
  private readonly nameEntry: Uint32Array;
  // names: tokens nameTok[nameStart[id] .. nameStart[id+1]) with their kinds; totals as prepareName computes them
  private readonly nameStart: Uint32Array;
  private readonly nameTok: Uint32Array;
  private readonly nameKind: Uint8Array;
  private readonly nameTotal: Float64Array;
  private readonly nameLegal: Float64Array;
  private readonly nameCompact: string[] = [];
  /** First surname token of "SURNAME, Given" individuals' names; 255 when unknown. */
  private readonly nameSurname: Uint8Array;
  /** Per name: DISTINCTIVE_NAME. */
  private readonly nameInfo: Uint8Array;
  // token dictionary (every token of every name, legal forms included) and postings of word/number occurrences
  private readonly tokenIds = new Map<string, number>();
  private readonly tokenText: string[] = [];
  private readonly tokenWeight: Float64Array;
  private readonly postStart: Uint32Array;
  private readonly postData: Uint32Array;
  private readonly deletes: HashedPostings;
  private readonly compounds: HashedPostings;
  private readonly tokenFlags: Uint8Array;
  /** Consonant skeleton → word tokens, built on the first Arabic-script query (consonant-skeleton.ts). */
  private skeletonTable: HashedPostings | undefined;
  /** Word classes of the review-level rules, from the token flags (tokens not in any list name: dictionary only). */
  private readonly words: WordClasses;
  private readonly maxCandidates: number;
  // scratch buffers reused by search (the index is used from one thread)
  private readonly accQ: Float64Array;
  private readonly accE: Float64Array;
  private readonly stamp: Int32Array;
  /** Per touched name: query tokens matched exactly (bit i = token i) and the entry weight they matched. */
  private readonly exactQ: Int32Array;
  private readonly exactE: Float64Array;
  private readonly touched: Int32Array;

  constructor(entries: readonly ListEntry[], options: IndexOptions) {
    this.entries = entries;
    this.maxCandidates = options.maxCandidates ?? 400;
    // pass 1: normalize every distinct name of every entry into flat token ids and kinds
    const nameEntry = new U32List();
    const nameStart = new U32List();
    const nameTok = new U32List();
    const kinds: number[] = [];
    const surnames: number[] = [];
    const df: number[] = []; // names whose word/number tokens include the token (distinct per name)
    const lastName: number[] = [];
    const person = new Set<number>();
    const intern = (t: string): number => {
      let tid = this.tokenIds.get(t);
      if (tid === undefined) {
        tid = this.tokenText.length;
        this.tokenIds.set(t, tid);
        this.tokenText.push(t);
        df.push(0);
        lastName.push(-1);
      }
      return tid;
    };
    entries.forEach((entry, ei) => {
      const type = entryNormalizeType(entry);
      const seen = new Set<string>();
      for (const raw of [entry.name, entry.primaryName, ...entry.aliases.map((a) => a.name)]) {
        if (!raw) continue;
        const n = (options.normalize ?? normalizeName)(raw, { type });
        if (n.tokens.length === 0 || seen.has(n.text)) continue;
        seen.add(n.text);
        const id = nameStart.length;
        nameStart.push(nameTok.length);
        nameEntry.push(ei);
        this.rawNames.push(raw);
        surnames.push(n.surnameFrom !== undefined && n.surnameFrom < 255 ? n.surnameFrom : 255);
        for (const t of n.tokens) {
          const tid = intern(t.text);
          nameTok.push(tid);
          kinds.push(KIND_CODE[t.kind]);
          if (type === 'individual' && t.kind === 'word') person.add(tid);
          if (t.kind !== 'legal' && lastName[tid] !== id) {
            lastName[tid] = id;
            df[tid]!++;
          }
        }
      }
    });
    const nNames = nameStart.length;
    nameStart.push(nameTok.length);
    this.nameStart = nameStart.done();
    this.nameTok = nameTok.done();
    this.nameKind = Uint8Array.from(kinds);
    this.nameEntry = nameEntry.done();
    this.nameSurname = Uint8Array.from(surnames);
    kinds.length = 0;

    // weights: counted over the indexed names unless given
    this.weights =
      options.weights ??
      tokenWeightsFromCounts(
        (function* (texts: string[]) {
          for (let tid = 0; tid < texts.length; tid++) if (df[tid]! > 0) yield [texts[tid]!, df[tid]!] as const;
        })(this.tokenText),
        nNames,
      );
    const nTokens = this.tokenText.length;
    this.tokenWeight = new Float64Array(nTokens);
    for (let tid = 0; tid < nTokens; tid++) this.tokenWeight[tid] = this.weights.weightOf(this.tokenText[tid]!);
    // word classes for the review-level rules
    this.tokenFlags = new Uint8Array(nTokens);
    for (let tid = 0; tid < nTokens; tid++) if (isEnglishWord(this.tokenText[tid]!)) this.tokenFlags[tid]! |= ENGLISH;
    for (const tid of person) this.tokenFlags[tid]! |= PERSON;
    const places = locationWords(entries);
    for (let tid = 0; tid < nTokens; tid++) if (places.has(this.tokenText[tid]!)) this.tokenFlags[tid]! |= LOCATION;
    const flagOf = (t: string) => {
      const tid = this.tokenIds.get(t);
      return tid === undefined ? (isEnglishWord(t) ? ENGLISH : 0) | (places.has(t) ? LOCATION : 0) : this.tokenFlags[tid]!;
    };
    this.words = {
      isEnglish: (t) => (flagOf(t) & ENGLISH) !== 0,
      isPersonName: (t) => (flagOf(t) & PERSON) !== 0,
      isLocation: (t) => (flagOf(t) & LOCATION) !== 0,
    };

    // pass 2: totals, compact forms, postings, typo (one-deletion) and compound tables
    this.nameInfo = new Uint8Array(nNames);
    this.nameTotal = new Float64Array(nNames);
    this.nameLegal = new Float64Array(nNames);
    const postCount = new Uint32Array(nTokens + 1);
    const deletes = HashedPostings.builder();
    const compounds = HashedPostings.builder();
    const hasDeletes = new Uint8Array(nTokens);
    for (let id = 0; id < nNames; id++) {
      const s = this.nameStart[id]!;
      const e = this.nameStart[id + 1]!;
      let total = 0;
      let legal = 0;
      let compact = '';
      for (let k = s; k < e; k++) {
        const tid = this.nameTok[k]!;
        const kind = this.nameKind[k]!;
        const w = kind === 1 ? LEGAL_FORM_WEIGHT : this.tokenWeight[tid]!;
        total += w;
        if (kind === 1) {
          legal += w;
          continue;
        }
        const t = this.tokenText[tid]!;
        compact += t;
        if (kind === 0 && t.length >= DISTINCTIVE_MIN_LENGTH && !(this.tokenFlags[tid]! & (ENGLISH | PERSON))) this.nameInfo[id]! |= DISTINCTIVE_NAME;
        if (lastName[tid] !== -2 - id) {
          lastName[tid] = -2 - id; // counted once per name
          postCount[tid]!++;
        }
        if (kind === 0 && t.length >= FUZZY_MIN_LENGTH && !hasDeletes[tid]) {
          hasDeletes[tid] = 1;
          for (let i = 0; i < t.length; i++) deletes.add(fnvHash(t, i), tid);
        }
        // joined neighbours, so that a query "hikvision" finds "hik vision"
        if (kind === 0) {
          let h = fnvAppend(FNV_START, t);
          for (let j = k + 1; j < e && j < k + 3 && this.nameKind[j] === 0; j++) {
            h = fnvAppend(h, this.tokenText[this.nameTok[j]!]!);
            compounds.add(h, id);
          }
        }
      }
      this.nameTotal[id] = total;
      this.nameLegal[id] = legal;
      this.nameCompact.push(compact);
    }
    this.deletes = deletes.build();
    this.compounds = compounds.build();
    this.postStart = new Uint32Array(nTokens + 1);
    for (let tid = 0; tid < nTokens; tid++) this.postStart[tid + 1] = this.postStart[tid]! + postCount[tid]!;
    this.postData = new Uint32Array(this.postStart[nTokens]!);
    const fill = this.postStart.slice(0, nTokens);
    lastName.fill(-1);
    for (let id = 0; id < nNames; id++) {
      for (let k = this.nameStart[id]!; k < this.nameStart[id + 1]!; k++) {
        const tid = this.nameTok[k]!;
        if (this.nameKind[k] === 1 || lastName[tid] === id) continue;
        lastName[tid] = id;
        this.postData[fill[tid]!++] = id;
      }
    }

    this.entryCount = entries.length;
    this.nameCount = nNames;
    this.accQ = new Float64Array(this.nameCount);
    this.accE = new Float64Array(this.nameCount);
    this.stamp = new Int32Array(this.nameCount).fill(-1);
    this.exactQ = new Int32Array(this.nameCount);
    this.exactE = new Float64Array(this.nameCount);
    this.touched = new Int32Array(this.nameCount);
  }

  /** The scorer's view of an indexed name. */
  private prepared(id: number): PreparedName {
    const s = this.nameStart[id]!;
    const e = this.nameStart[id + 1]!;
    const tokens: string[] = [];
    const kinds: NameTokenKind[] = [];
    const weights: number[] = [];
    for (let k = s; k < e; k++) {
      const tid = this.nameTok[k]!;
      const kind = this.nameKind[k]!;
      tokens.push(this.tokenText[tid]!);
      kinds.push(KINDS[kind]!);
      weights.push(kind === 1 ? LEGAL_FORM_WEIGHT : this.tokenWeight[tid]!);
    }
    const surnameFrom = this.nameSurname[id]!;
    return {
      text: tokens.join(' '),
      tokens,
      kinds,
      weights,
      total: this.nameTotal[id]!,
      legalTotal: this.nameLegal[id]!,
      compact: this.nameCompact[id]!,
      surnameFrom: surnameFrom === 255 ? undefined : surnameFrom,
    };
  }

  /** Whether a review-level rule may hold for a name the token bound rules out (the scorer decides). */
  private ruleMayHold(
    id: number,
    bound: number,
    queryCovered: boolean,
    nameCovered: boolean,
    containable: boolean,
    droppable: boolean,
    extendable: boolean,
    minNameWords: number,
  ): boolean {
    const individual = typedEntity(this.entries[this.nameEntry[id]!]!) === 'individual';
    if (queryCovered && containable && !individual) return true;
    if (queryCovered && droppable && individual && bound >= DROPPED_MIN_TOKEN_SCORE) {
      const s = this.nameSurname[id]!;
      return s >= 2 && s !== 255;
    }
    if (!nameCovered || !extendable || individual || !(this.nameInfo[id]! & DISTINCTIVE_NAME)) return false;
    let words = 0;
    for (let k = this.nameStart[id]!; k < this.nameStart[id + 1]!; k++) if (this.nameKind[k] !== 1) words++;
    return words >= minNameWords;
  }

  /** Word tokens by consonant skeleton, for names written in Arabic script (built once, when first needed). */
  private skeletons(): HashedPostings {
    if (!this.skeletonTable) {
      const b = HashedPostings.builder();
      const isWord = new Uint8Array(this.tokenText.length);
      for (let k = 0; k < this.nameTok.length; k++) if (this.nameKind[k] === 0) isWord[this.nameTok[k]!] = 1;
      for (let tid = 0; tid < this.tokenText.length; tid++) {
        const sk = isWord[tid] ? consonantSkeleton(this.tokenText[tid]!) : '';
        if (sk) b.add(fnvHash(sk), tid);
      }
      this.skeletonTable = b.build();
    }
    return this.skeletonTable;
  }

  private postingCount(tid: number): number {
    return this.postStart[tid + 1]! - this.postStart[tid]!;
  }

  search(query: NameQuery, options: SearchOptions): MatchCandidate[] {
    const limit = options.limit ?? 20;
    const minScore = options.minScore;
    const q = prepareName(normalizeName(query.name, query.type ? { type: query.type } : {}), this.weights);
    if (q.total - q.legalTotal <= 0) return [];
    const { accQ, accE, stamp, touched, postStart, postData, exactQ, exactE } = this;
    let nTouched = 0;
    let step = 0;
    // `stamp[name]` = last query step that touched the name; steps are per query token
    // `exact` = bits of the query tokens this hit matches exactly (0 for typo hits)
    const hitOne = (id: number, wq: number, we: number, exact: number) => {
      const s = stamp[id]!;
      if (s < 0) {
        touched[nTouched++] = id;
        accQ[id] = wq;
        accE[id] = we;
        exactQ[id] = exact;
        exactE[id] = exact ? we : 0;
      } else {
        if (s !== step) accQ[id] = accQ[id]! + wq;
        accE[id] = accE[id]! + we;
        if (exact) {
          exactQ[id]! |= exact;
          exactE[id] = exactE[id]! + we;
        }
      }
      stamp[id] = step;
    };
    const hitToken = (tid: number, wq: number, exact: number) => {
      const we = this.tokenWeight[tid]!;
      for (let k = postStart[tid]!, end = postStart[tid + 1]!; k < end; k++) hitOne(postData[k]!, wq, we, exact);
    };
    const bit = (i: number) => (i < 31 ? 1 << i : 0);
    // Common tokens ("al", "and", "technology") whose postings are long: skip them when no name could
    // reach minScore through them alone, and add their weight as slack to every bound instead.
    const skip = new Uint8Array(q.tokens.length);
    let slack = 0;
    const common = q.tokens
      .map((t, i) => {
        const tid = q.kinds[i] === 'legal' ? undefined : this.tokenIds.get(t);
        return { i, df: tid === undefined ? 0 : this.postingCount(tid) };
      })
      .filter((x) => x.df > COMMON_DF)
      .sort((a, b) => b.df - a.df);
    for (const { i } of common) {
      const w = q.weights[i]!;
      if ((2 * (slack + w)) / (q.total + slack + w) >= minScore) break;
      skip[i] = 1;
      slack += w;
    }
    for (let i = 0; i < q.tokens.length; i++) {
      if (q.kinds[i] === 'legal' || skip[i]) continue;
      step = i;
      const t = q.tokens[i]!;
      const wq = q.weights[i]!;
      const tid = this.tokenIds.get(t);
      if (tid !== undefined) hitToken(tid, wq, bit(i));
      this.compounds.forEach(fnvHash(t), (id) => hitOne(id, wq, 1, bit(i)));
      if (q.kinds[i] === 'word' && t.length >= FUZZY_MIN_LENGTH) {
        const seen = new Set<number>();
        if (tid !== undefined) seen.add(tid);
        const visit = (x: number) => {
          if (seen.has(x)) return;
          seen.add(x);
          hitToken(x, wq, 0);
        };
        this.deletes.forEach(fnvHash(t), visit);
        const dels = deletions(t);
        for (let d = 0; d < dels.length; d++) {
          const h = fnvHash(t, d);
          this.deletes.forEach(h, visit);
          const exact = this.tokenIds.get(dels[d]!);
          if (exact !== undefined) visit(exact);
          this.compounds.forEach(h, (id) => hitOne(id, wq, 1, 0));
        }
      }
      // words of an Arabic-script name: list words with the same consonant skeleton
      const keys = q.skeletons?.[i];
      if (keys) {
        const seen = new Set<number>();
        for (const key of keys) {
          this.skeletons().forEach(fnvHash(key), (x) => {
            if (seen.has(x)) return;
            seen.add(x);
            hitToken(x, wq, 0);
          });
        }
      }
      // joined query neighbours, so that "hik vision" finds "hikvision"
      let joined = t;
      let wj = wq;
      let run = bit(i);
      for (let k = i + 1; k < q.tokens.length && k < i + 3 && q.kinds[k] === 'word' && q.kinds[i] === 'word'; k++) {
        joined += q.tokens[k]!;
        wj += q.weights[k]!;
        run |= bit(k);
        const jid = this.tokenIds.get(joined);
        if (jid !== undefined) hitToken(jid, wj, run);
      }
    }

    // review-level rules (review-rules.ts) can lift names the bound rules out: a query whose words are all
    // in the name (containment, dropped middle names), a name whose words are all in the query (extra words)
    const ruleBand = minScore <= REVIEW_RULE_MAX;
    const nWords = q.tokens.filter((_, i) => q.kinds[i] !== 'legal').length;
    const person = query.type === 'individual';
    // containment (organizations): the query has a distinctive word and no generic one
    const containable =
      ruleBand &&
      !person &&
      q.tokens.some((t, i) => q.kinds[i] === 'word' && t.length >= DISTINCTIVE_MIN_LENGTH) &&
      q.tokens.every((t, i) => q.kinds[i] !== 'word' || t.length < DISTINCTIVE_MIN_LENGTH || !isGeneric(this.words, t));
    // dropped middle names: two query names or more against "SURNAME, Given Middle" individuals
    const droppable = ruleBand && person && nWords >= 2;
    // extra words: an organization's query of three words or more, of which at most three extra words
    // (English words or places) beyond a listed name; a name of fewer words than that cannot be the rest
    let placeOrEnglish = 0;
    for (let i = 0; ruleBand && !person && i < q.tokens.length; i++) {
      if (q.kinds[i] === 'word' && (this.words.isEnglish(q.tokens[i]!) || this.words.isLocation(q.tokens[i]!))) placeOrEnglish++;
    }
    const extendable = ruleBand && !person && nWords >= MIN_ENTRY_WORDS + 1 && placeOrEnglish > 0;
    // joined query words ("hik vision" = "hikvision") may spell one name word: one word of slack
    const minNameWords = nWords - Math.min(MAX_EXTRA_WORDS, placeOrEnglish) - 1;
    // query tokens a rule needs matched exactly (skipped common tokens are assumed matched)
    let needQ = 0;
    for (let i = 0; i < q.tokens.length; i++) if (q.kinds[i] !== 'legal' && !skip[i]) needQ |= bit(i);
    if (q.tokens.length > 31) needQ = -1; // too long for a partial-name rule
    // upper bound of each touched name's score; keep those that can reach minScore
    const bounds: { id: number; bound: number }[] = [];
    for (let k = 0; k < nTouched; k++) {
      const id = touched[k]!;
      const nTotal = this.nameTotal[id]!;
      const mq = Math.min(q.total, accQ[id]! + q.legalTotal + slack);
      const me = Math.min(nTotal, accE[id]! + this.nameLegal[id]! + slack);
      let bound = (mq + me) / (q.total + nTotal);
      if (
        bound < minScore &&
        (containable || droppable || extendable) &&
        this.ruleMayHold(id, bound, (exactQ[id]! & needQ) === needQ, exactE[id]! + this.nameLegal[id]! + slack >= nTotal - 1e-9, containable, droppable, extendable, minNameWords)
      ) {
        bound = minScore;
      }
      stamp[id] = -1;
      // spacing variants ("tarabar-gorous" ~ "tarabargorous") escape token bounds: check the run-together words
      const compact = this.nameCompact[id]!;
      if (
        bound < minScore &&
        q.compact.length >= 6 &&
        Math.abs(compact.length - q.compact.length) <= 2 &&
        (compact.charCodeAt(0) === q.compact.charCodeAt(0) || compact.charCodeAt(compact.length - 1) === q.compact.charCodeAt(q.compact.length - 1))
      ) {
        if (tokenSimilarity(q.compact, compact) >= COMPACT_MIN) bound = 1;
      }
      if (bound >= minScore - 1e-9) bounds.push({ id, bound });
    }
    bounds.sort((a, b) => b.bound - a.bound || a.id - b.id);
    if (bounds.length > this.maxCandidates) bounds.length = this.maxCandidates;

    const best = new Map<number, { id: number; score: number; name: PreparedName }>();
    for (const { id } of bounds) {
      const ei = this.nameEntry[id]!;
      const entry = this.entries[ei]!;
      const name = this.prepared(id);
      const r = scoreNames(q, name, { queryType: query.type, entryType: typedEntity(entry), words: this.words });
      if (r.score < minScore) continue;
      const prev = best.get(ei);
      if (!prev || r.score > prev.score) best.set(ei, { id, score: r.score, name });
    }
    const ranked = [...best.entries()].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]).slice(0, limit);
    return ranked.map(([ei, { id, name }]) => {
      const entry = this.entries[ei]!;
      const r = scoreNames(q, name, { queryType: query.type, entryType: typedEntity(entry), explain: true, words: this.words });
      return {
        entry,
        matchedName: this.rawNames[id]!,
        score: round4(r.score),
        pieces: r.pieces,
        features: { tokens: round4(r.tokenScore), country: countryFeature(query.country, entry), entityType: entry.entityType },
      };
    });
  }
}

const round4 = (x: number) => Math.round(x * 10000) / 10000;

function typedEntity(entry: ListEntry): EntityType | undefined {
  return UNTYPED_LISTS.has(entry.list) ? undefined : entry.entityType;
}

function countryFeature(country: string | undefined, entry: ListEntry): 'match' | 'mismatch' | 'unknown' {
  if (!country) return 'unknown';
  const countries = entry.addresses.map((a) => a.country).filter((c): c is string => !!c);
  if (countries.length === 0) return 'unknown';
  return countries.includes(country.toUpperCase()) ? 'match' : 'mismatch';
}

/** Builds the immutable in-memory index over a snapshot's entries (primary names and aliases). */
export function buildNameIndex(entries: readonly ListEntry[], options: IndexOptions = {}): MatchIndex & { readonly weights: TokenWeights } {
  return new NameIndex(entries, options);
}
