// Reads a forked server's `--trace-gc-nvp` lines and sums them per V8 isolate (main thread apart from worker threads).
import { quantile } from './kit.js';

/** One isolate's young-generation collections since the last `take()`. */
export interface IsolateGc {
  /** Bytes allocated in the young generation (V8's `allocated`, summed over scavenges). */
  allocatedBytes: number;
  /** Bytes moved to the old generation by scavenges (`promoted`). */
  promotedBytes: number;
  /** Pause of each scavenge, ms. */
  scavengeMs: number[];
  /** Pause of each mark-compact, ms. */
  markCompactMs: number[];
}

/** What a run's scavenges cost per request: the main thread's, and the young allocation of every other thread. */
export interface GcPerRequest {
  mainAllocatedKB: number;
  mainPromotedKB: number;
  mainScavenges: number;
  mainScavengeMedianMs: number;
  mainScavengeMaxMs: number;
  mainMarkCompacts: number;
  /** Young allocation of the other isolates (worker threads: the decision writer, the TypeScript loader), KB per request. */
  otherThreadsAllocatedKB: number;
}

/** A `name=value` field of an nvp line (NaN when absent). */
const field = (line: string, name: string): number => Number(new RegExp(` ${name}=([\\d.]+)`).exec(line)?.[1] ?? Number.NaN);

/**
 * `--trace-gc-nvp` prints one line per collection, prefixed `[pid:isolate]`, for every isolate of the process: a
 * worker thread's collections land in the same stream. The main isolate is the one that collected most before the
 * server said it was ready (it built the list index; worker threads had hardly started).
 */
export class IsolateGcTrace {
  #byIsolate = new Map<string, IsolateGc>();
  #linesBeforeReady = new Map<string, number>();
  #main: string | undefined;

  /** Feeds one stdout line; false when it is not a GC line. */
  line(text: string): boolean {
    const isolate = /^\[\d+:(0x[0-9a-f]+)\]/.exec(text)?.[1];
    if (!isolate || !text.includes(' gc=')) return false;
    if (this.#main === undefined) {
      this.#linesBeforeReady.set(isolate, (this.#linesBeforeReady.get(isolate) ?? 0) + 1);
      return true;
    }
    let gc = this.#byIsolate.get(isolate);
    if (!gc) this.#byIsolate.set(isolate, (gc = { allocatedBytes: 0, promotedBytes: 0, scavengeMs: [], markCompactMs: [] }));
    const pause = field(text, 'pause');
    if (text.includes(' gc=s ')) {
      gc.allocatedBytes += field(text, 'allocated') || 0;
      gc.promotedBytes += field(text, 'promoted') || 0;
      gc.scavengeMs.push(pause);
    } else if (/ gc=m[cs] /.test(text)) {
      gc.markCompactMs.push(pause);
    }
    return true;
  }

  /** The server is ready: the main isolate is now known. */
  ready(): void {
    this.#main = [...this.#linesBeforeReady].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  }

  /** The main isolate's and the others' collections since the last call, and starts over. */
  take(): { main: IsolateGc | undefined; others: IsolateGc[] } {
    const taken = this.#byIsolate;
    this.#byIsolate = new Map();
    return { main: taken.get(this.#main ?? ''), others: [...taken].filter(([k]) => k !== this.#main).map(([, v]) => v) };
  }
}

/** Sums runs' traces into per-request figures. */
export function gcPerRequest(runs: readonly { main: IsolateGc | undefined; others: IsolateGc[] }[], requests: number): GcPerRequest {
  const kb = (bytes: number) => Number((bytes / Math.max(1, requests) / 1024).toFixed(1));
  const mains = runs.flatMap((r) => (r.main ? [r.main] : []));
  const pauses = mains.flatMap((m) => m.scavengeMs).sort((a, b) => a - b);
  return {
    mainAllocatedKB: kb(mains.reduce((n, m) => n + m.allocatedBytes, 0)),
    mainPromotedKB: kb(mains.reduce((n, m) => n + m.promotedBytes, 0)),
    mainScavenges: pauses.length,
    mainScavengeMedianMs: quantile(pauses, 0.5),
    mainScavengeMaxMs: pauses.at(-1) ?? 0,
    mainMarkCompacts: mains.reduce((n, m) => n + m.markCompactMs.length, 0),
    otherThreadsAllocatedKB: kb(runs.flatMap((r) => r.others).reduce((n, o) => n + o.allocatedBytes, 0)),
  };
}
