// Generic words: English dictionary words (npm an-array-of-english-words, sorted), looked up by binary search — no Set, no copy.
import { createRequire } from 'node:module';

/**
 * The sorted word array (275k words, ≈ 10 MB of heap), loaded on first use. Loaded through Node's own
 * JSON loader: importing it as an ES module runs it through the tsx transform, ≈ 65 MB more peak RSS.
 */
let WORDS: readonly string[] | undefined;
function words(): readonly string[] {
  return (WORDS ??= createRequire(import.meta.url)('an-array-of-english-words') as readonly string[]);
}

/** True when `token` (lower-case a–z) is an English dictionary word ("branch", "technologies", "china"). */
export function isEnglishWord(token: string): boolean {
  const list = words();
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const w = list[mid]!;
    if (w === token) return true;
    if (w < token) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
