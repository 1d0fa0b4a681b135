// ScreeningEngine: holds the current snapshot's index behind one reference; screens inputs; swaps snapshots atomically.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { KycError } from '../errors.js';
import { snapshotVersion, type Snapshot } from '../lists/snapshot.js';
import { buildIndex, buildIndexAsync, withSearchCache } from '../match/index.js';
import type { MatchIndex } from '../match/types.js';
import type { ComputeRequest, Customer, Decision, Licence, Suppression } from '../model/index.js';
import { estimateTraining, trainingSumMatters, type PolicyPack, type RuleData } from '../policy/index.js';
import { parseCustomer } from '../screening/customer-schema.js';
import { listsWithinAge, screenCustomer, type ScreeningContext } from '../screening/screen.js';
import type { Logger } from './logger.js';
import { loadCurrentSnapshot } from './lists-runtime.js';
import { DEFAULT_RULES_DIR, loadPolicyPack, loadRuleData } from './policy-runtime.js';

/** Per-call screening options. */
export interface ScreenOptions {
  /** Policy pack name. @defaultValue config.KYCGATE_POLICY */
  policy?: string;
  /** Decision date (dated tables and rule periods in force on it). @defaultValue the current time */
  now?: Date;
  suppressions?: Suppression[];
  licences?: Licence[];
  /** The ultimate parent's training operations over the pack's window, this request included. */
  aggregate?: { windowOps: number };
  /** Use this id (e.g. one handed out before a queued screening). @defaultValue crypto.randomUUID() */
  screeningId?: string;
}

export interface EngineStartOptions {
  /** Serve this snapshot instead of loading the current one (KYCGATE_SEED_DIR / snapshot store). */
  snapshot?: Snapshot;
  /** Directory of the rule data. @defaultValue the package's lists/ */
  rulesDir?: string;
}

/** One immutable unit of serving state: swapped as a whole, never mutated. */
interface Loaded {
  snapshot: Snapshot;
  index: MatchIndex;
  lists: { version: string; sources: Record<string, string> };
  /** When the newest source was retrieved (see listsRetrievedAt); undefined when the snapshot records none. */
  retrievedAt: string | undefined;
  /** Last time a refresh confirmed this snapshot's sources unchanged (epoch ms). */
  verifiedAt?: number;
}

/** `ScreeningEngine.listsRetrievedAt` in epoch ms (NaN when unknown). */
function retrievedAtMs(state: Pick<Loaded, 'retrievedAt' | 'verifiedAt'>): number {
  if (state.verifiedAt === undefined) return state.retrievedAt ? Date.parse(state.retrievedAt) : Number.NaN;
  return Math.max(state.retrievedAt ? Date.parse(state.retrievedAt) : Number.NEGATIVE_INFINITY, state.verifiedAt);
}

const isUrl = (origin: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(origin);

/**
 * When the snapshot's newest source was retrieved. A downloaded source counts from its download (`retrievedAt`); a
 * source given as local files (seed directory, `lists import`) counts from kycgate's import of it (the snapshot's
 * `createdAt`), when later — a file's modification time says when it was copied, not whether it is current.
 */
export function listsRetrievedAt(snapshot: Pick<Snapshot, 'createdAt' | 'sources'>): string | undefined {
  let newest = Number.NaN;
  const created = Date.parse(snapshot.createdAt);
  for (const source of snapshot.sources) {
    let t = Date.parse(source.retrievedAt);
    const local = source.files.length > 0 && source.files.every((f) => !isUrl(f.origin));
    if (local && !Number.isNaN(created) && (Number.isNaN(t) || created > t)) t = created;
    if (!Number.isNaN(t) && (Number.isNaN(newest) || t > newest)) newest = t;
  }
  return Number.isNaN(newest) ? undefined : new Date(newest).toISOString();
}

export class ScreeningEngine {
  #state: Loaded | undefined;
  /** Bumped by every swap request; an async build installs only if it is still the latest. */
  #generation = 0;
  readonly #config: Config;
  readonly #logger: Logger;
  readonly #rulesDir: string;
  readonly rules: RuleData;
  /** The default pack (the per-request path asks for it without building the cache key of `loadPolicyPack`). */
  readonly #defaultPack: PolicyPack;
  /** The last scope handed out by `decisionScope`, and what it was made of. */
  #lastScope: { state: Loaded; pack: PolicyPack; day: number; scope: string } | undefined;

  private constructor(config: Config, logger: Logger, rulesDir: string) {
    this.#config = config;
    this.#logger = logger;
    this.#rulesDir = rulesDir;
    this.rules = loadRuleData(rulesDir);
    this.#defaultPack = loadPolicyPack(config.KYCGATE_POLICY, rulesDir); // fail at start-up on an unknown default pack
  }

  /**
   * Loads the rule data, the default pack and the current snapshot, and builds its index. Without a snapshot the
   * engine starts not ready: `screen` throws KYC_ERR_LISTS_UNAVAILABLE until `swap` gives it one.
   */
  static async start(config: Config, logger: Logger, opts: EngineStartOptions = {}): Promise<ScreeningEngine> {
    const engine = new ScreeningEngine(config, logger, opts.rulesDir ?? DEFAULT_RULES_DIR);
    const snapshot = opts.snapshot ?? (await loadCurrentSnapshot(config, logger));
    if (snapshot) engine.swap(snapshot);
    else logger.warn('no list snapshot available: screening is unavailable until one is loaded');
    return engine;
  }

  get ready(): boolean {
    return this.#state !== undefined;
  }

  get snapshot(): Snapshot | undefined {
    return this.#state?.snapshot;
  }

  get index(): MatchIndex | undefined {
    return this.#state?.index;
  }

  /** The named (or default) policy pack. Throws KYC_ERR_UNKNOWN_POLICY. */
  pack(policy?: string): PolicyPack {
    return policy === undefined || policy === this.#config.KYCGATE_POLICY ? this.#defaultPack : loadPolicyPack(policy, this.#rulesDir);
  }

  /**
   * When the lists in force were last known current (ISO): the snapshot's newest source retrieval, or a later
   * refresh that found the sources unchanged (`noteListsVerified`), whichever is later.
   */
  get listsRetrievedAt(): string | undefined {
    const state = this.#state;
    if (!state) return undefined;
    if (state.verifiedAt === undefined) return state.retrievedAt;
    return new Date(retrievedAtMs(state)).toISOString();
  }

  /**
   * Records that a refresh found the lists of snapshot `snapshotId` still current at `at` (a 304, identical files,
   * or the same seed), so the list-age check counts from then. Ignored when another snapshot is in force.
   */
  noteListsVerified(snapshotId: string, at: Date = new Date()): void {
    const state = this.#state;
    if (!state || state.snapshot.id !== snapshotId) return;
    const t = at.getTime();
    if (state.verifiedAt === undefined || t > state.verifiedAt) state.verifiedAt = t;
  }

  /**
   * Validates and screens one customer against the current snapshot. Throws KycError: KYC_ERR_INPUT_INVALID,
   * KYC_ERR_UNKNOWN_GPU, KYC_ERR_UNKNOWN_POLICY, KYC_ERR_LISTS_UNAVAILABLE. When the snapshot's newest source
   * retrieval lies more than KYCGATE_MAX_LIST_AGE_HOURS before the decision date, the decision carries
   * SCREENING_UNAVAILABLE at review.
   */
  screen(input: unknown, opts: ScreenOptions = {}): Decision {
    const pack = this.pack(opts.policy);
    return this.#screen(parseCustomer(input), pack, opts);
  }

  /** `screen` for a customer `parseCustomer` already returned (no second validation). */
  screenParsed(customer: Customer, opts: ScreenOptions = {}): Decision {
    return this.#screen(customer, this.pack(opts.policy), opts);
  }

  #screen(customer: Customer, pack: PolicyPack, opts: ScreenOptions): Decision {
    const state = this.#state; // one read: a concurrent swap does not affect this screening
    if (!state) throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', 'no list snapshot is loaded: import or refresh the lists (kycgate lists import / KYCGATE_SEED_DIR)');
    return screenCustomer(customer, {
      index: state.index,
      lists: state.lists,
      pack,
      rules: this.rules,
      now: opts.now ?? new Date(),
      screeningId: opts.screeningId ?? randomUUID(),
      ...(opts.suppressions ? { suppressions: opts.suppressions } : {}),
      ...(opts.licences ? { licences: opts.licences } : {}),
      ...(opts.aggregate ? { aggregate: opts.aggregate } : {}),
      ...this.#listAge(),
    });
  }

  /** The list-age check of a screening (KYCGATE_MAX_LIST_AGE_HOURS; none when 0). */
  #listAge(): Pick<ScreeningContext, 'listAge'> {
    const maxHours = this.#config.KYCGATE_MAX_LIST_AGE_HOURS;
    return maxHours > 0 ? { listAge: { retrievedAt: this.listsRetrievedAt, maxHours } } : {};
  }

  /**
   * Builds the new snapshot's index off to the side, then replaces the one reference; in-flight screenings finish on
   * the old. Synchronous: the event loop is held for the whole build (≈ 0.5–0.9 s on the full lists) — servers use
   * `swapAsync`.
   */
  swap(snapshot: Snapshot): void {
    if (this.#state?.snapshot.id === snapshot.id) return;
    this.#generation += 1;
    const t0 = performance.now();
    this.#install(snapshot, buildIndex(snapshot.entries), t0);
  }

  /**
   * Like `swap`, but builds the index in slices (buildIndexAsync), so screenings go on being answered on the
   * current index while it builds; the one reference is replaced when the new index is complete. The latest
   * request wins: a build overtaken by a later `swap`/`swapAsync` is dropped. Resolves true when it swapped.
   */
  async swapAsync(snapshot: Snapshot): Promise<boolean> {
    if (this.#state?.snapshot.id === snapshot.id) return false;
    const generation = ++this.#generation;
    const t0 = performance.now();
    const index = await buildIndexAsync(snapshot.entries);
    if (generation !== this.#generation) return false;
    this.#install(snapshot, index, t0);
    return true;
  }

  #install(snapshot: Snapshot, index: MatchIndex, t0: number): void {
    const next: Loaded = { snapshot, index: withSearchCache(index, this.#config.KYCGATE_MATCH_CACHE_SIZE), lists: snapshotVersion(snapshot), retrievedAt: listsRetrievedAt(snapshot) };
    const previous = this.#state?.snapshot.id;
    this.#state = next;
    this.#logger.info(
      { snapshot: snapshot.id, previous, entries: index.entryCount, names: index.nameCount, retrievedAt: next.retrievedAt, buildMs: Math.round(performance.now() - t0) },
      'list index ready',
    );
    const maxHours = this.#config.KYCGATE_MAX_LIST_AGE_HOURS;
    const ageHours = next.retrievedAt ? (Date.now() - Date.parse(next.retrievedAt)) / 3_600_000 : Number.POSITIVE_INFINITY;
    if (maxHours > 0 && ageHours > maxHours) {
      this.#logger.warn(
        { snapshot: snapshot.id, retrievedAt: next.retrievedAt, ageHours: Math.round(ageHours), maxHours },
        'list snapshot is older than KYCGATE_MAX_LIST_AGE_HOURS: decisions are held for review (SCREENING_UNAVAILABLE) until newer lists load',
      );
    }
  }

  /**
   * Names everything a decision depends on besides the customer, its request, the training sum, suppressions and
   * licences: the list snapshot, the policy pack and its version, the rule tables' version and the decision's UTC day
   * (dated tables change by day). Two screenings of the same input under one scope get the same decision (but for
   * their ids and times). Undefined when no snapshot is loaded, or when the lists are too old for a clean allow
   * (KYCGATE_MAX_LIST_AGE_HOURS): that check reads the hour. Throws KYC_ERR_UNKNOWN_POLICY.
   */
  decisionScope(policy?: string, now: Date = new Date()): string | undefined {
    const state = this.#state;
    if (!state) return undefined;
    const maxHours = this.#config.KYCGATE_MAX_LIST_AGE_HOURS;
    // listAgeReasons' test, without building its reasons (this runs per request)
    if (maxHours > 0 && !listsWithinAge(retrievedAtMs(state), maxHours, now)) return undefined;
    const pack = this.pack(policy);
    const day = Math.floor(now.getTime() / 86_400_000);
    const last = this.#lastScope;
    if (last && last.state === state && last.pack === pack && last.day === day) return last.scope;
    const scope = `${state.snapshot.id}|${pack.id}@${pack.version}|${this.rules.version}|${day}`;
    this.#lastScope = { state, pack, day, scope };
    return scope;
  }

  /** Whether the ultimate parent's training sum can change this customer's decision under the pack (see trainingSumMatters). */
  trainingSumMatters(customer: Customer, policy?: string, now: Date = new Date()): boolean {
    return trainingSumMatters(customer, this.pack(policy), this.rules, now);
  }

  /** Estimated training operations of a request under a pack (default pack when omitted). Throws KYC_ERR_UNKNOWN_GPU. */
  estimateTrainingOps(request: ComputeRequest, policy?: string): number {
    return estimateTraining(request, this.pack(policy), this.rules).ops;
  }
}
