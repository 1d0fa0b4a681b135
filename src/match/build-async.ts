// Builds the name index without holding the event loop for long: entry names are normalized ahead, in slices.
import type { ListEntry } from '../model/index.js';
import { normalizeName, type NormalizedName, type NormalizeOptions } from '../normalize/index.js';
import { buildNameIndex, type IndexOptions } from './name-index.js';
import { entryNormalizeType, type TokenWeights } from './token-weights.js';
import type { MatchIndex } from './types.js';

/** How the async build yields. */
export interface AsyncBuildOptions {
  /** Entries normalized between two yields to the event loop (≈ 15 µs each). @defaultValue 200 */
  sliceEntries?: number;
  /** Yields to the event loop. @defaultValue a setImmediate promise (pending I/O runs in between) */
  yieldFn?: () => Promise<void>;
}

const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Same index as `buildIndex`, built in steps: the costly part (normalizing every entry name, ~70 % of
 * the build) runs in slices of `sliceEntries` entries with a yield between them; only the table
 * building at the end runs in one go. The entries must not change while it builds.
 */
export async function buildIndexAsync(
  entries: readonly ListEntry[],
  options: IndexOptions = {},
  opts: AsyncBuildOptions = {},
): Promise<MatchIndex & { readonly weights: TokenWeights }> {
  const slice = Math.max(1, opts.sliceEntries ?? 200);
  const yieldFn = opts.yieldFn ?? immediate;
  // results in the order the index asks for them (entry by entry, names in order), looked up by a cursor
  const raws: string[] = [];
  const types: NormalizeOptions['type'][] = [];
  const results: NormalizedName[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const o = { type: entryNormalizeType(entry) };
    for (const raw of [entry.name, entry.primaryName, ...entry.aliases.map((a) => a.name)]) {
      if (!raw) continue;
      raws.push(raw);
      types.push(o.type);
      results.push(normalizeName(raw, o));
    }
    if ((i + 1) % slice === 0) await yieldFn();
  }
  await yieldFn();
  let cursor = 0;
  let byKey: Map<string, number> | undefined;
  const normalize = (raw: string, o: NormalizeOptions = {}): NormalizedName => {
    // the index asks in the same order; should it not, find the name by key and go on from there
    if (cursor < raws.length && raws[cursor] === raw && types[cursor] === o.type) return results[cursor++]!;
    byKey ??= new Map(raws.map((r, k) => [`${types[k] ?? ''}\u0000${r}`, k]));
    const k = byKey.get(`${o.type ?? ''}\u0000${raw}`);
    if (k === undefined) return normalizeName(raw, o);
    cursor = k + 1;
    return results[k]!;
  };
  return buildNameIndex(entries, { ...options, normalize });
}
