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
  readonly customer: Customer;
  /** The allow as made; a reuse copies it with its own screening id and time. Its evidence (hits, reasons, lists) is frozen. */
  readonly decision: Decision;
  readonly training: TrainingShare | undefined;
}

/** Longest input (as JSON) remembered; longer ones are screened every time. */
const MAX_KEY_LENGTH = 8192;

/**
 * Remembers allow decisions by (engine scope, input as JSON). The scope (ScreeningEnginePort.decisionScope) names
 * every other input of a decision — list snapshot, policy pack, rule tables, decision day — and is absent when the
 * lists are too old for a clean allow, so a reused decision is the one the engine would make again. Only allows made
 * without a training sum, suppressions or licences are remembered: those are the ones that read nothing else.
 */
export class DecisionMemo {
  readonly #cache: LRUCache<string, Remembered>;

  constructor(maxEntries: number) {
    this.#cache = new LRUCache({ max: maxEntries });
  }

  /** The key of `input` under `scope`; undefined when it is not to be remembered (no scope, input too large or not JSON). */
  keyOf(input: unknown, scope: string | undefined): string | undefined {
    if (scope === undefined) return undefined;
    let json: string | undefined;
    try {
      json = JSON.stringify(input);
    } catch {
      return undefined;
    }
    if (json === undefined || json.length > MAX_KEY_LENGTH) return undefined;
    return `${scope}\n${json}`;
  }

  get(key: string): Remembered | undefined {
    return this.#cache.get(key);
  }

  /**
   * Remembers an allow. The customer and the decision's evidence (hits, reasons, lists, licences) are frozen, deeply:
   * they are shared with every later reuse. The decision's own fields stay the caller's.
   */
  remember(key: string, customer: Customer, decision: Decision, training: TrainingShare | undefined): void {
    if (decision.outcome !== 'allow') return;
    deepFreeze(customer);
    for (const v of Object.values(decision)) deepFreeze(v);
    this.#cache.set(key, { customer, decision: Object.freeze({ ...decision }), training: training && deepFreeze({ groupKeys: [...training.groupKeys], ops: training.ops }) });
  }

  /** A reuse of `remembered`: the same decision with its own screening id and decision time. */
  static reuse(remembered: Remembered, screeningId: string, now: Date): Decision {
    return { ...remembered.decision, screeningId, decidedAt: now.toISOString() };
  }

  get size(): number {
    return this.#cache.size;
  }
}
