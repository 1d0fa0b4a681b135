// Token weights from document frequency over the list names: rare tokens ("huawei") weigh near 1, generic words ("technology") near 0.
import type { ListCode, ListEntry, PartyType } from '../model/index.js';
import { normalizeName } from '../normalize/index.js';
import { DEFAULT_DOCUMENT_FREQUENCIES, DEFAULT_NAME_COUNT } from './default-frequencies.js';

/** Weight of a canonical legal-form token: present, but never the basis of a match. */
export const LEGAL_FORM_WEIGHT = 0.08;
/** Smallest weight of any word. */
const MIN_WEIGHT = 0.04;
/** Exponent on the normalized IDF: higher makes generic words fall off faster. */
const IDF_POWER = 2;

export interface TokenWeights {
  /** Weight 0..1 of a normalized (non-legal-form) token. */
  weightOf(token: string): number;
  /** Number of names that contain the token (0 when unknown). */
  documentFrequency(token: string): number;
  /** Where the frequencies come from. */
  readonly source: 'lists' | 'default';
  /** Number of names the frequencies were counted over. */
  readonly nameCount: number;
}

/** Inverse-document-frequency weights, squared so that generic words fall off steeply (computed per call: no cache to grow). */
class FrequencyWeights implements TokenWeights {
  private readonly logN: number;

  constructor(
    private readonly df: ReadonlyMap<string, number>,
    readonly nameCount: number,
    readonly source: 'lists' | 'default',
  ) {
    this.logN = Math.log(nameCount + 1);
  }

  documentFrequency(token: string): number {
    return this.df.get(token) ?? 0;
  }

  weightOf(token: string): number {
    const df = this.df.get(token) ?? 0;
    const idf = Math.log((this.nameCount + 1) / (df + 1)) / this.logN;
    return Math.max(MIN_WEIGHT, Math.min(1, idf) ** IDF_POWER);
  }
}

/** Weights from document frequencies already counted: `[token, names containing it]` over `nameCount` names. */
export function tokenWeightsFromCounts(counts: Iterable<readonly [string, number]>, nameCount: number): TokenWeights {
  return new FrequencyWeights(new Map(counts), nameCount, 'lists');
}

/** Weights counted over the given names' distinct tokens (one count per name). */
export function tokenWeightsFromNames(names: Iterable<readonly string[]>): TokenWeights {
  const df = new Map<string, number>();
  let n = 0;
  for (const tokens of names) {
    n++;
    for (const t of new Set(tokens)) df.set(t, (df.get(t) ?? 0) + 1);
  }
  return new FrequencyWeights(df, n, 'lists');
}

/** Weights counted over list entries' names and aliases, normalized exactly as the index does. */
export function tokenWeightsFromEntries(entries: readonly ListEntry[]): TokenWeights {
  return tokenWeightsFromNames(entryNameTokens(entries));
}

/** Each distinct normalized name of each entry, as its word/number tokens (legal forms left out). */
export function* entryNameTokens(entries: readonly ListEntry[]): Generator<string[]> {
  for (const entry of entries) {
    const type = entryNormalizeType(entry);
    const seen = new Set<string>();
    for (const raw of [entry.name, entry.primaryName, ...entry.aliases.map((a) => a.name)]) {
      if (!raw) continue;
      const n = normalizeName(raw, { type });
      if (n.tokens.length === 0 || seen.has(n.text)) continue;
      seen.add(n.text);
      yield n.tokens.filter((t) => t.kind !== 'legal').map((t) => t.text);
    }
  }
}

/** Lists whose source states whether an entry is an individual (OFAC); BIS/State lists do not. */
export const UNTYPED_LISTS: ReadonlySet<ListCode> = new Set<ListCode>(['ENTITY_LIST', 'DPL', 'MEU', 'UVL', 'ISN', 'DTC']);

/** Person-name rules only where the source says "individual" (BIS lists' types are guesses). */
export function entryNormalizeType(entry: ListEntry): PartyType {
  return entry.entityType === 'individual' && !UNTYPED_LISTS.has(entry.list) ? 'individual' : 'organization';
}

/** Weights from frequencies built into kycgate (counted over the 2026 lists), for use without lists. */
export function defaultTokenWeights(): TokenWeights {
  return (DEFAULTS ??= new FrequencyWeights(new Map(Object.entries(DEFAULT_DOCUMENT_FREQUENCIES)), DEFAULT_NAME_COUNT, 'default'));
}
let DEFAULTS: TokenWeights | undefined;
