// Snapshot model: all entries of one accepted set of list files, with per-source metadata and a content address.
import { createHash } from 'node:crypto';
import type { ListCode, ListEntry } from '../model/index.js';

/** One file of a source, as accepted. */
export interface SourceFileMeta {
  name: string;
  sha256: string;
  bytes: number;
  /** URL or seed path. */
  origin: string;
  /** Date the publisher put on the file, when the file has one. */
  publishedAt?: string;
  retrievedAt: string;
  format: string;
  rows: number;
  entries: number;
  /** Secondary rows (ALT/ADD/COMMENTS) naming an entry missing from the primary file. */
  orphans?: number;
}

/** One source (publisher file set) in a snapshot. */
export interface SourceMeta {
  /** 'ofac-sdn' | 'ofac-cons' | 'csl' | 'dpl' */
  source: string;
  files: SourceFileMeta[];
  counts: Partial<Record<ListCode, number>>;
  publishedAt?: string;
  retrievedAt: string;
}

export interface Snapshot {
  /** Content address: `snap-<sha256 prefix>` over the sources' file hashes. */
  id: string;
  createdAt: string;
  sources: SourceMeta[];
  entries: readonly ListEntry[];
  counts: Partial<Record<ListCode, number>>;
}

/** Bumped when parsing changes what the same bytes produce (part of the content address). */
export const PARSER_VERSION = 1;

/** Entry counts per list. */
export function countByList(entries: readonly ListEntry[]): Partial<Record<ListCode, number>> {
  const counts: Partial<Record<ListCode, number>> = {};
  for (const e of entries) counts[e.list] = (counts[e.list] ?? 0) + 1;
  return counts;
}

/** Content address of a set of sources: same files → same id. */
export function snapshotId(sources: readonly SourceMeta[]): string {
  const h = createHash('sha256').update(`kycgate-snapshot-v${PARSER_VERSION}\n`);
  for (const s of [...sources].sort((a, b) => a.source.localeCompare(b.source))) {
    h.update(`${s.source}\n`);
    for (const f of [...s.files].sort((a, b) => a.name.localeCompare(b.name))) h.update(`${f.name}\t${f.sha256}\n`);
  }
  return `snap-${h.digest('hex').slice(0, 20)}`;
}

/** Merge rank of an entry's origin: OFAC's own files beat the CSL copy of the same entry. */
function rank(e: ListEntry): number {
  if (e.origin.startsWith('ofac-csv')) return 0;
  if (e.origin.startsWith('dpl-txt')) return 1;
  return 2;
}

/**
 * Merges two entries with the same list and sourceId: `primary` (OFAC file) keeps names, aliases,
 * programs and type; the other fills in what it lacks (addresses, ids, birth dates, title, remarks).
 */
export function mergeEntries(primary: ListEntry, other: ListEntry): ListEntry {
  const merged: ListEntry = { ...primary, dates: { ...primary.dates }, raw: { ...primary.raw, [other.origin]: other.raw } };
  if (primary.addresses.length === 0 && other.addresses.length > 0) merged.addresses = other.addresses;
  else if (primary.addresses.length > 0 && other.addresses.length > 0) {
    // CSL addresses carry ISO codes even when OFAC spelled the country oddly: fill gaps by position
    merged.addresses = primary.addresses.map((a, i) => (a.country || !other.addresses[i]?.country ? a : { ...a, country: other.addresses[i]!.country }));
  }
  const idKeys = new Set(primary.ids.map((i) => `${i.type}\u0000${i.value}`));
  const extraIds = other.ids.filter((i) => !idKeys.has(`${i.type}\u0000${i.value}`));
  if (extraIds.length) merged.ids = [...primary.ids, ...extraIds];
  if (!merged.dates.birth?.length && other.dates.birth?.length) merged.dates.birth = other.dates.birth;
  if (!merged.dates.start && other.dates.start) merged.dates.start = other.dates.start;
  if (!merged.dates.end && other.dates.end) merged.dates.end = other.dates.end;
  if (!merged.title && other.title) merged.title = other.title;
  if (!merged.remarks && other.remarks) merged.remarks = other.remarks;
  if (merged.programs.length === 0) merged.programs = other.programs;
  if (rank(primary) === rank(other)) {
    // the same row repeated in one file (the CSL does this for BIS entries listed under several
    // countries): keep every alias and address
    const names = new Set([merged.name.toLowerCase(), ...merged.aliases.map((a) => a.name.toLowerCase())]);
    const moreAliases = other.aliases.filter((a) => !names.has(a.name.toLowerCase()) && names.add(a.name.toLowerCase()));
    if (moreAliases.length) merged.aliases = [...merged.aliases, ...moreAliases];
    const raws = new Set(merged.addresses.map((a) => a.raw));
    const moreAddresses = other.addresses.filter((a) => !raws.has(a.raw) && raws.add(a.raw));
    if (moreAddresses.length) merged.addresses = [...merged.addresses, ...moreAddresses];
    merged.raw = { ...primary.raw, duplicates: [...((primary.raw['duplicates'] as unknown[]) ?? []), other.raw] };
  }
  return merged;
}

/** Lists for which a source is the publisher's own file. */
const OFAC_AUTHORITATIVE: Readonly<Record<string, readonly ListCode[]>> = {
  'ofac-sdn': ['SDN'],
  'ofac-cons': ['SSI', 'PLC', 'CMIC', 'NS-MBS', 'CAPTA', 'FSE'],
};

/** Parsed output of one source, input to {@link buildSnapshot}. */
export interface SourcePart {
  source: SourceMeta;
  entries: readonly ListEntry[];
}

/**
 * Builds a snapshot: one entry per (list, sourceId) — when OFAC files and the CSL both carry an SDN
 * (or non-SDN) entry, they are merged with the OFAC file winning names and aliases.
 */
export function buildSnapshot(parts: readonly SourcePart[], now: Date): Snapshot {
  const byKey = new Map<string, ListEntry>();
  // lists whose own OFAC file is part of the snapshot: the CSL copy only enriches those entries, and
  // CSL rows the OFAC file no longer has (delisted, or an older CSL) are dropped
  const authoritative = new Set<string>();
  for (const p of parts) for (const l of OFAC_AUTHORITATIVE[p.source.source] ?? []) authoritative.add(l);
  const ofacKeys = new Set<string>();
  for (const p of parts) if (OFAC_AUTHORITATIVE[p.source.source]) for (const e of p.entries) ofacKeys.add(`${e.list}\u0000${e.sourceId}`);
  const all = parts.flatMap((p) =>
    OFAC_AUTHORITATIVE[p.source.source] ? p.entries : p.entries.filter((e) => !authoritative.has(e.list) || ofacKeys.has(`${e.list}\u0000${e.sourceId}`)),
  );
  const ordered = all.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i);
  for (const { e } of ordered) {
    const key = `${e.list}\u0000${e.sourceId}`;
    const prev = byKey.get(key);
    byKey.set(key, prev ? mergeEntries(prev, e) : e);
  }
  // stable order: by source order of first appearance in the input
  const entries = [...byKey.values()];
  const sources = parts.map((p) => p.source);
  return {
    id: snapshotId(sources),
    createdAt: now.toISOString(),
    sources,
    entries,
    counts: countByList(entries),
  };
}

/** `Decision.lists`: the snapshot id, and per list code the publication (or retrieval) date and file hash. */
export function snapshotVersion(s: Snapshot): { version: string; sources: Record<string, string> } {
  const sources: Record<string, string> = {};
  // the primary source of a list: the one that carries most of its entries
  const best = new Map<string, { n: number; label: string }>();
  for (const src of s.sources) {
    const main = src.files.find((f) => f.entries > 0) ?? src.files[0];
    const date = (src.publishedAt ?? src.retrievedAt).slice(0, 10);
    const label = `${date} ${src.source} sha256:${main?.sha256.slice(0, 12) ?? ''}`.trim();
    for (const [list, n] of Object.entries(src.counts)) {
      const cur = best.get(list);
      if (!cur || (n ?? 0) > cur.n) best.set(list, { n: n ?? 0, label });
    }
  }
  for (const list of Object.keys(s.counts).sort()) sources[list] = best.get(list)?.label ?? s.id;
  return { version: s.id, sources };
}
