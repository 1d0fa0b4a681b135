// Keeps loaded list entries small: the evidence rows (`raw`) deflated in blocks and inflated on access, repeated strings shared.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ListEntry } from '../model/index.js';

/** Entries per compressed block: larger compresses better, smaller inflates less per access. */
const BLOCK_SIZE = 32;
/** Strings up to this length are shared between entries (list codes, programs, countries, types, dates). */
const INTERN_MAX_LENGTH = 48;

const RAW_INDEX = Symbol('kycgate.rawIndex');
const RAW_STORE = Symbol('kycgate.rawStore');

/** The deflated `raw` values of one snapshot's entries; remembers the last block inflated (sequential reads). */
class RawStore {
  private lastBlock = -1;
  private lastRows: unknown[] = [];

  constructor(
    private readonly blocks: readonly Uint8Array[],
    readonly bytes: number,
  ) {}

  get(index: number): Record<string, unknown> {
    const b = Math.floor(index / BLOCK_SIZE);
    if (b !== this.lastBlock) {
      this.lastRows = JSON.parse(inflateRawSync(this.blocks[b]!).toString('utf8')) as unknown[];
      this.lastBlock = b;
    }
    // a fresh copy per read: callers may change it without changing the stored evidence
    return structuredClone(this.lastRows[index % BLOCK_SIZE]) as Record<string, unknown>;
  }
}

type CompactEntry = ListEntry & { [RAW_INDEX]: number; [RAW_STORE]: RawStore };

function getRaw(this: CompactEntry): Record<string, unknown> {
  return this[RAW_STORE].get(this[RAW_INDEX]);
}

/** Assigning `raw` replaces the stored row with an ordinary property. */
function setRaw(this: ListEntry, value: Record<string, unknown>): void {
  Object.defineProperty(this, 'raw', { value, writable: true, enumerable: true, configurable: true });
}

function internAll(value: unknown, pool: Map<string, string>): unknown {
  if (typeof value === 'string') {
    if (value.length > INTERN_MAX_LENGTH) return value;
    const shared = pool.get(value);
    if (shared !== undefined) return shared;
    pool.set(value, value);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => internAll(v, pool));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = internAll(v, pool);
    return out;
  }
  return value;
}

/**
 * Returns entries equal to the given ones (same fields, same values, `raw` included) that take less
 * memory: each entry's `raw` (the untouched source rows, ~half of a snapshot's size) is kept deflated,
 * 32 entries per block, and inflated when read (an accessor: JSON.stringify, spread and structuredClone
 * see it as usual); short strings repeated across entries are shared. The input entries are not changed.
 */
export function compactEntries(entries: readonly ListEntry[]): ListEntry[] {
  const pool = new Map<string, string>();
  const blocks: Uint8Array[] = [];
  let bytes = 0;
  for (let b = 0; b < entries.length; b += BLOCK_SIZE) {
    const rows = entries.slice(b, b + BLOCK_SIZE).map((e) => e.raw);
    const block = deflateRawSync(Buffer.from(JSON.stringify(rows), 'utf8'), { level: 1 });
    // own copy: a small Buffer may share a larger pooled ArrayBuffer
    blocks.push(new Uint8Array(block));
    bytes += block.byteLength;
  }
  const store = new RawStore(blocks, bytes);
  return entries.map((entry, i) => {
    const out: Record<string, unknown> = {};
    // same keys in the same order; `raw` becomes an accessor in its place
    for (const [k, v] of Object.entries(entry)) {
      if (k === 'raw') Object.defineProperty(out, 'raw', { get: getRaw, set: setRaw, enumerable: true, configurable: true });
      else out[k] = internAll(v, pool);
    }
    Object.defineProperty(out, RAW_INDEX, { value: i });
    Object.defineProperty(out, RAW_STORE, { value: store });
    return out as unknown as ListEntry;
  });
}

/** Compressed size of the evidence rows kept by compactEntries, or undefined for ordinary entries. */
export function compactRawBytes(entries: readonly ListEntry[]): number | undefined {
  const first = entries[0] as Partial<CompactEntry> | undefined;
  return first?.[RAW_STORE]?.bytes;
}
