// Recent allow decisions by their exact input, so a control plane's repeated calls skip validation and screening.
import { LRUCache } from 'lru-cache';
import type { Customer, Decision } from '../../model/index.js';
import { deepFreeze } from '../../runtime/deep-freeze.js';

/** What a remembered request adds to its training groups' sums (absent: it does not count as training). */
export interface TrainingShare {
  readonly groupKeys: readonly string[];
  readonly ops: number;
}

/** One remembered screening: the parsed customer and the allow it got, under one engine scope. */
export interface Remembered {
  /** The engine scope the allow was made under: a lookup under another scope misses. */
  readonly scope: string;
  readonly customer: Customer;
  /** The allow as made; a reuse copies it with its own screening id and time. Its evidence (hits, reasons, lists) is frozen. */
  readonly decision: Decision;
  readonly training: TrainingShare | undefined;
}

/** What the memo looks an input up by: its JSON, and the engine scope it is asked under. */
export interface MemoKey {
  readonly json: string;
  readonly scope: string;
}

/** Longest input (as JSON) remembered; longer ones are screened every time. */
const MAX_KEY_LENGTH = 8192;
/** Slots of the doorkeeper (a power of two). */
const SEEN_SLOTS = 1 << 16;

/** FNV-1a over a string's UTF-16 code units; never 0 (0 marks an empty slot). */
function fingerprint(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h || 1;
}

/**
 * Remembers allow decisions by (engine scope, input as JSON). The scope (ScreeningEnginePort.decisionScope) names
 * every other input of a decision — list snapshot, policy pack, rule tables, decision day — and is absent when the
 * lists are too old for a clean allow, so a reused decision is the one the engine would make again. Only allows made
 * without a training sum, suppressions or licences are remembered: those are the ones that read nothing else.
 *
 * An input is remembered the second time it is allowed, not the first: a doorkeeper (a fixed table of key
 * fingerprints, no allocation) notes the first. Customers seen once — every request a new account — then cost the
 * memo nothing but the lookup, and do not push out the ones that come back.
 */
export class DecisionMemo {
  readonly #cache: LRUCache<string, Remembered>;
  readonly #seen = new Int32Array(SEEN_SLOTS);

  constructor(maxEntries: number) {
    this.#cache = new LRUCache({ max: maxEntries });
  }

  /**
   * The key of `input` under `scope`; undefined when it is not to be remembered (no scope, input too large or not
   * JSON). The cache is keyed by the JSON alone, and an entry keeps its scope (a scope changes daily at most, so one
   * holds at a time): no string joining the two, which the cache would copy again to hash it.
   */
  keyOf(input: unknown, scope: string | undefined): MemoKey | undefined {
    if (scope === undefined) return undefined;
    let json: string | undefined;
    try {
      json = JSON.stringify(input);
    } catch {
      return undefined;
    }
    if (json === undefined || json.length > MAX_KEY_LENGTH) return undefined;
    return { json, scope };
  }

  /** The allow remembered for `key`'s input under `key`'s scope. */
  get(key: MemoKey): Remembered | undefined {
    const remembered = this.#cache.get(key.json);
    return remembered?.scope === key.scope ? remembered : undefined;
  }

  /**
   * Remembers an allow, the second time its key comes (the first is only noted). The customer and the decision's
   * evidence (hits, reasons, lists, licences) are frozen, deeply: they are shared with every later reuse. The
   * decision's own fields stay the caller's.
   */
  remember(key: MemoKey, customer: Customer, decision: Decision, training: TrainingShare | undefined): void {
    if (decision.outcome !== 'allow' || !this.#seenBefore(key.json)) return;
    deepFreeze(customer);
    for (const v of Object.values(decision)) deepFreeze(v);
    this.#cache.set(key.json, {
      scope: key.scope,
      customer,
      decision: Object.freeze({ ...decision }),
      training: training && deepFreeze({ groupKeys: [...training.groupKeys], ops: training.ops }),
    });
  }

  /**
   * True when `key`'s fingerprint was noted before; notes it otherwise (a collision, or the same input under an
   * earlier scope, only admits a key early).
   */
  #seenBefore(key: string): boolean {
    const h = fingerprint(key);
    const slot = h & (SEEN_SLOTS - 1);
    if (this.#seen[slot] === h) return true;
    this.#seen[slot] = h;
    return false;
  }

  /** A reuse of `remembered`: the same decision with its own screening id and decision time. */
  static reuse(remembered: Remembered, screeningId: string, now: Date): Decision {
    return { ...remembered.decision, screeningId, decidedAt: now.toISOString() };
  }

  get size(): number {
    return this.#cache.size;
  }
}
