// Difference between two snapshots by (list, sourceId): added, removed, and changed entries.
import type { ListEntry } from '../model/index.js';
import type { Snapshot } from './snapshot.js';

export interface SnapshotDiff {
  from: string;
  to: string;
  added: ListEntry[];
  removed: ListEntry[];
  changed: { before: ListEntry; after: ListEntry }[];
}

const key = (e: ListEntry) => `${e.list}\u0000${e.sourceId}`;

/** The parts of an entry that matter for screening: name, aliases, addresses, programs. */
function fingerprint(e: ListEntry): string {
  return JSON.stringify([
    e.name,
    e.primaryName,
    e.aliases.map((a) => `${a.type}:${a.name}`).sort(),
    e.addresses.map((a) => `${a.raw}|${a.country ?? ''}`).sort(),
    [...e.programs].sort(),
  ]);
}

/** True when name, aliases, addresses or programs differ. */
export function entryChanged(a: ListEntry, b: ListEntry): boolean {
  return fingerprint(a) !== fingerprint(b);
}

export function diffSnapshots(a: Snapshot, b: Snapshot): SnapshotDiff {
  const before = new Map(a.entries.map((e) => [key(e), e]));
  const after = new Map(b.entries.map((e) => [key(e), e]));
  const added: ListEntry[] = [];
  const removed: ListEntry[] = [];
  const changed: { before: ListEntry; after: ListEntry }[] = [];
  for (const [k, e] of after) {
    const old = before.get(k);
    if (!old) added.push(e);
    else if (entryChanged(old, e)) changed.push({ before: old, after: e });
  }
  for (const [k, e] of before) if (!after.has(k)) removed.push(e);
  return { from: a.id, to: b.id, added, removed, changed };
}
