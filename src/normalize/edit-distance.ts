// Optimal-string-alignment edit distance (insert, delete, substitute, swap neighbours), bounded for speed.

const BUF = 128;
let row0 = new Int32Array(BUF);
let row1 = new Int32Array(BUF);
let row2 = new Int32Array(BUF);

/** Edit distance of `a` and `b` counting an adjacent transposition as one edit; `max + 1` once above `max`. */
export function osaDistance(a: string, b: string, max: number): number {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (lb + 1 > row0.length) {
    const n = 2 * (lb + 1);
    row0 = new Int32Array(n);
    row1 = new Int32Array(n);
    row2 = new Int32Array(n);
  }
  // three reused rows: two back (transpositions), previous, current
  let prev2 = row0;
  let prev = row1;
  let cur = row2;
  for (let j = 0; j <= lb; j++) prev[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    const caPrev = i > 1 ? a.charCodeAt(i - 2) : -1;
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = prev[j - 1]! + (ca === cb ? 0 : 1);
      const del = prev[j]! + 1;
      if (del < v) v = del;
      const ins = cur[j - 1]! + 1;
      if (ins < v) v = ins;
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && caPrev === cb) {
        const tr = prev2[j - 2]! + 1;
        if (tr < v) v = tr;
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[lb]!;
}
