// A search cache in front of one immutable index: the same name, type, country and options give the same candidates.
import { LRUCache } from 'lru-cache';
import type { MatchCandidate, MatchIndex, NameQuery, SearchOptions } from './types.js';

/** What the cache reports (for metrics and benchmarks). */
export interface SearchCacheStats {
  hits: number;
  misses: number;
  size: number;
}

/** An index whose searches are remembered; `cacheStats` tells how often that paid. */
export type CachedMatchIndex = MatchIndex & { readonly cacheStats: SearchCacheStats };

/** Candidates are shared between callers: typed readonly and frozen (with their pieces and features), so no caller can alter another's result. */
const EMPTY: readonly MatchCandidate[] = Object.freeze([]);

/** Freezes a candidate, its score pieces and features. Its list entry is the snapshot's own, shared with every search anyway. */
function freezeCandidate(c: MatchCandidate): MatchCandidate {
  for (const piece of c.pieces) Object.freeze(piece);
  Object.freeze(c.pieces);
  Object.freeze(c.features);
  return Object.freeze(c);
}

/**
 * Wraps `index` so that a repeated search returns the candidates computed the first time. Sound because the index is
 * immutable: a list change builds a new index (and a new cache), so no result outlives the snapshot it came from.
 * Control planes screen the same customers again and again (every provisioning call of an account); most names
 * match nothing, and those empty results are cached too. `maxEntries` 0 returns `index` itself.
 */
export function withSearchCache(index: MatchIndex, maxEntries: number): MatchIndex | CachedMatchIndex {
  if (maxEntries <= 0) return index;
  const cache = new LRUCache<string, readonly MatchCandidate[]>({ max: maxEntries });
  let hits = 0;
  let misses = 0;
  return {
    get entryCount() {
      return index.entryCount;
    },
    get nameCount() {
      return index.nameCount;
    },
    get cacheStats() {
      return { hits, misses, size: cache.size };
    },
    search(query: NameQuery, options: SearchOptions): readonly MatchCandidate[] {
      const key = `${query.type ?? ''}\u0000${query.country ?? ''}\u0000${options.minScore}\u0000${options.limit ?? ''}\u0000${query.name}`;
      const cached = cache.get(key);
      if (cached) {
        hits += 1;
        return cached;
      }
      misses += 1;
      const found = index.search(query, options);
      const frozen = found.length === 0 ? EMPTY : Object.freeze(found.map(freezeCandidate));
      cache.set(key, frozen);
      return frozen;
    },
  };
}
