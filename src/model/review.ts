// Officer-recorded review facts that screening honours: cleared false positives (suppressions) and licences.
import type { ListCode } from './list-entry.js';
import type { ReasonCode } from './decision.js';

/**
 * A customer–list-entry pair an officer cleared as a false positive. Screening keeps the hit in the
 * decision's evidence (`hit.suppressed`) but no longer lets it drive the outcome.
 */
export interface Suppression {
  customerId: string;
  list: ListCode;
  /** The entry's `sourceId` in its official file. */
  sourceId: string;
  /** The review case in which the officer cleared the pair. */
  caseId: string;
  /** ISO timestamp of the clearance. */
  since: string;
  /** Hash of the list entry as cleared; when set and the entry changed since, the suppression no longer applies. */
  entryHash?: string;
  /** Hash of the customer's identity fields as cleared; when set and they changed, the suppression no longer applies. */
  customerFingerprint?: string;
}

/**
 * An export licence or OFAC authorization an officer recorded. Until `expiresAt` it turns a matching
 * `deny` reason into `allow`, and the decision cites it. Matching: when `sourceId` (and `list`) are set,
 * only reasons raised by that entry; when only `list` is set, reasons raised by entries of that list;
 * when `codes` is set, only those reason codes; with none of them, every deny reason of the customer.
 */
export interface Licence {
  caseId?: string;
  /** Issuing agency, e.g. `BIS`, `OFAC`. */
  agency: string;
  /** Licence / authorization number. */
  number: string;
  /** What it authorizes, in the agency's words. */
  scope?: string;
  /** ISO date or timestamp; the licence is void from this instant on. */
  expiresAt: string;
  list?: ListCode;
  sourceId?: string;
  /** Reason codes the licence covers (e.g. `TIER3_HEADQUARTERS`, `TRAINING_COMPUTE`); default: all. */
  codes?: ReasonCode[];
  /** The customer it was granted for, when recorded (informational; callers pass the customer's licences). */
  customerId?: string;
}
