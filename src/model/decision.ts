// Screening output: hits with explainable score pieces, reasons, and the decision (DESIGN.md contract).
import type { EntityType, ListCode } from './list-entry.js';

export type Outcome = 'allow' | 'review' | 'deny';

/** `customer`, `alias:N`, `parent:N` (depth-first), `owner:N`. */
export type Subject = string;

/** One explainable part of a name-similarity score: what matched what, and how much it weighed. */
export interface ScorePiece {
  /** e.g. `token`, `legal_form`, `unmatched`, `entity_type`, `phonetic`, `initials`. */
  kind: string;
  /** Query-side text (normalized token or phrase); empty when the piece is entry-side only. */
  query: string;
  /** Entry-side text; empty when unmatched. */
  entry: string;
  /** Similarity of this piece, 0..1. */
  similarity: number;
  /** Relative weight of this piece in the final score. */
  weight: number;
  /** Contribution to the final score (may be negative for penalties). */
  contribution?: number;
  exact?: boolean;
}

export interface Hit {
  subject: Subject;
  list: ListCode;
  sourceId: string;
  primaryName: string;
  /** Which of the entry's names matched (primary or an alias), as the source gives it. */
  matchedName: string;
  /** The party name that was screened. */
  queryName: string;
  score: number;
  entityType: EntityType;
  programs: string[];
  features: { tokens: number; country?: 'match' | 'mismatch' | 'unknown'; [k: string]: unknown };
  pieces: ScorePiece[];
  /** Set when an officer cleared this customer–entry pair as a false positive. */
  suppressed?: { caseId: string; since: string };
  /** Hash of the list entry's identifying content (src/screening/fingerprints.ts); a suppression records it. */
  entryHash?: string;
}

export type ReasonCode =
  | 'LIST_MATCH'
  | 'OWNED_BY_LISTED'
  | 'TIER3_HEADQUARTERS'
  | 'TIER2_HEADQUARTERS'
  | 'TRAINING_COMPUTE'
  | 'TRAINING_AGGREGATE'
  | 'CLUSTER_SCALE'
  | 'INCOMPLETE_IDENTITY'
  | 'SCREENING_UNAVAILABLE';

export const REASON_CODES: readonly ReasonCode[] = Object.freeze([
  'LIST_MATCH',
  'OWNED_BY_LISTED',
  'TIER3_HEADQUARTERS',
  'TIER2_HEADQUARTERS',
  'TRAINING_COMPUTE',
  'TRAINING_AGGREGATE',
  'CLUSTER_SCALE',
  'INCOMPLETE_IDENTITY',
  'SCREENING_UNAVAILABLE',
]);

export interface Reason {
  code: ReasonCode;
  subject?: Subject;
  /** The outcome this reason alone leads to under the pack. */
  outcome: Outcome;
  /** Human explanation naming the rule and the numbers used. */
  detail: string;
  [extra: string]: unknown;
}

export interface LicenceCitation {
  caseId?: string;
  agency: string;
  number: string;
  scope?: string;
  expiresAt: string;
}

export interface Decision {
  id: string;
  outcome: Outcome;
  screeningId: string;
  hits: Hit[];
  reasons: Reason[];
  lists: { version: string; sources: Record<string, string> };
  policy: string;
  policyVersion?: string;
  decidedAt: string;
  licences?: LicenceCitation[];
  /** Set when the operator opted into fail-open and screening could not run. */
  failOpen?: boolean;
  /** Versions of the rule tables used (country groups, GPU catalog), e.g. `tiers:…;gpus:2026-07-01`. */
  rulesVersion?: string;
  /** Hash of the customer's identity fields as screened (src/screening/fingerprints.ts); a suppression records it. */
  customerFingerprint?: string;
}

/** The error record `kycgate screen` writes for a bad input line. */
export interface ErrorRecord {
  id: string | null;
  line: number;
  error: { code: string; message: string };
}
