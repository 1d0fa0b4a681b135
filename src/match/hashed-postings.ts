// Compact string-keyed postings for the typo and compound tables: 32-bit FNV-1a keys packed with ids in one sorted Float64Array.

/** FNV-1a offset basis (32-bit). */
export const FNV_START = 0x811c9dc5;

/** Continues an FNV-1a hash over the characters of `s` (hashing "ab" then "c" equals hashing "abc"). */
export function fnvAppend(h: number, s: string, skip = -1): number {
  for (let i = 0; i < s.length; i++) {
    if (i === skip) continue;
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** 32-bit FNV-1a hash of `s`, or of `s` without the character at `skip`. */
export function fnvHash(s: string, skip = -1): number {
  return fnvAppend(FNV_START, s, skip);
}

/** Ids (names, tokens) up to this bound fit beside a 32-bit key in a double's 53-bit mantissa. */
const ID_SPACE = 2 ** 21;

/**
 * A multimap from a 32-bit key (a string hash) to small integer ids. A hash collision only adds a
 * candidate (the scorer verifies every candidate), so strings need not be kept: ~8 bytes per posting.
 */
export class HashedPostings {
  private readonly packed: Float64Array;

  private constructor(packed: Float64Array) {
    this.packed = packed;
  }

  /** Number of (key, id) pairs. */
  get size(): number {
    return this.packed.length;
  }

  /** Visits every id stored under `key` (ascending). */
  forEach(key: number, visit: (id: number) => void): void {
    const p = this.packed;
    const lo = key * ID_SPACE;
    const hi = lo + ID_SPACE;
    let a = 0;
    let b = p.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (p[m]! < lo) a = m + 1;
      else b = m;
    }
    for (let k = a; k < p.length && p[k]! < hi; k++) visit(p[k]! - lo);
  }

  /** Collects pairs, then sorts and de-duplicates them into the immutable table. */
  static builder(): { add(key: number, id: number): void; build(): HashedPostings } {
    let buf = new Float64Array(1024);
    let n = 0;
    return {
      add(key: number, id: number) {
        if (id >= ID_SPACE) throw new RangeError(`id ${id} out of range`);
        if (n === buf.length) {
          const next = new Float64Array(buf.length * 2);
          next.set(buf);
          buf = next;
        }
        buf[n++] = key * ID_SPACE + id;
      },
      build() {
        const sorted = buf.subarray(0, n).sort();
        let m = 0;
        for (let k = 0; k < n; k++) if (m === 0 || sorted[k] !== sorted[m - 1]) sorted[m++] = sorted[k]!;
        const out = new HashedPostings(sorted.slice(0, m));
        buf = new Float64Array(0);
        return out;
      },
    };
  }
}
