// Public types of the matching engine: name queries, candidates with explainable pieces, the index port.
import type { EntityType, ListEntry, PartyType, ScorePiece } from '../model/index.js';

export interface NameQuery {
  name: string;
  /** Party type of the screened name; an individual against an organization entry scores lower. */
  type?: PartyType;
  /** ISO alpha-2 country of the party, when known (a corroborating feature, never a match on its own). */
  country?: string;
}

export interface MatchCandidate {
  entry: ListEntry;
  /** The entry name (primary or alias, as the source gives it) that scored best. */
  matchedName: string;
  score: number;
  pieces: ScorePiece[];
  features: { tokens: number; country?: 'match' | 'mismatch' | 'unknown'; entityType?: EntityType; [k: string]: unknown };
}

export interface SearchOptions {
  /** Only candidates scoring at least this (the pack's review threshold). */
  minScore: number;
  /** At most this many, best first. @defaultValue 20 */
  limit?: number;
}

/** An immutable, in-memory index over one snapshot's entries. */
export interface MatchIndex {
  /** Number of entries indexed. */
  readonly entryCount: number;
  /** Number of names (primary + aliases) indexed. */
  readonly nameCount: number;
  search(query: NameQuery, options: SearchOptions): readonly MatchCandidate[];
}

export interface CompareResult {
  score: number;
  pieces: ScorePiece[];
}
