// A snapshot's status for people and dashboards: sources, dates, counts per list, hashes, age.
import type { ListCode } from '../model/index.js';
import type { Snapshot } from './snapshot.js';

export interface SnapshotStatus {
  id: string;
  createdAt: string;
  ageSeconds: number;
  entries: number;
  counts: Partial<Record<ListCode, number>>;
  sources: {
    source: string;
    publishedAt?: string;
    retrievedAt: string;
    ageSeconds: number;
    counts: Partial<Record<ListCode, number>>;
    files: { name: string; origin: string; format: string; sha256: string; bytes: number; rows: number; entries: number; orphans?: number; publishedAt?: string }[];
  }[];
}

const age = (iso: string, now: Date) => Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));

/** Status of a snapshot as of `now`; a source's age counts from its publication date when known. */
export function snapshotStatus(s: Snapshot, now: Date): SnapshotStatus {
  return {
    id: s.id,
    createdAt: s.createdAt,
    ageSeconds: age(s.createdAt, now),
    entries: s.entries.length,
    counts: s.counts,
    sources: s.sources.map((src) => ({
      source: src.source,
      ...(src.publishedAt ? { publishedAt: src.publishedAt } : {}),
      retrievedAt: src.retrievedAt,
      ageSeconds: age(src.publishedAt ?? src.retrievedAt, now),
      counts: src.counts,
      files: src.files.map((f) => ({
        name: f.name,
        origin: f.origin,
        format: f.format,
        sha256: f.sha256,
        bytes: f.bytes,
        rows: f.rows,
        entries: f.entries,
        ...(f.orphans !== undefined ? { orphans: f.orphans } : {}),
        ...(f.publishedAt ? { publishedAt: f.publishedAt } : {}),
      })),
    })),
  };
}
