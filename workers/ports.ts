// What the workers need from the rest of kycgate, as narrow interfaces (the real engine, review service and store satisfy them).
import type { Snapshot } from '../src/lists/snapshot.js';
import type { Customer, Decision, Licence, Suppression } from '../src/model/index.js';
import type { Db } from '../src/store/db.js';

/** The slice of H3's ScreeningEngine the workers use. */
export interface EngineLike {
  readonly ready: boolean;
  readonly snapshot: Snapshot | undefined;
  screen(input: unknown, opts?: { policy?: string; now?: Date; suppressions?: Suppression[]; licences?: Licence[]; aggregate?: { windowOps: number } }): Decision;
  swap(snapshot: Snapshot): void;
  /** Builds without holding the event loop for long (ScreeningEngine has it); used when present. */
  swapAsync?(snapshot: Snapshot): Promise<unknown>;
  /** A refresh found the sources of this snapshot unchanged: the list-age check counts from `at` (ScreeningEngine has it). */
  noteListsVerified?(snapshotId: string, at?: Date): void;
}

/** Where rescreen results go: H4's ReviewService (a new hit opens a case; nothing is decided silently). */
export interface ScreeningRecorder {
  recordScreening(customer: Customer, decision: Decision, actor: string): Promise<unknown>;
  suppressionsFor?(customerId: string): Promise<Suppression[]>;
  licencesFor?(customerId: string): Promise<Licence[]>;
}

export type { Db, Snapshot };
