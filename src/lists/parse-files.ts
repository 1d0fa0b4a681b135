// Raw list files (bytes) → per-source entries and metadata, with format detection and validation.
import { createHash } from 'node:crypto';
import type { ListEntry } from '../model/index.js';
import { KycError } from '../errors.js';
import { decodeListText } from './text.js';
import { detectFormat, type DetectedFile, type SourceId } from './detect.js';
import { parseOfacCsv, type OfacFileText } from './ofac-csv.js';
import { parseCslCsv } from './csl.js';
import { parseCslJson } from './csl-json.js';
import { parseDplTxt } from './dpl-txt.js';
import { countByList, type SourceFileMeta, type SourceMeta } from './snapshot.js';

/** A file as read or downloaded, before parsing. */
export interface RawFile {
  name: string;
  bytes: Uint8Array;
  /** URL or seed path. */
  origin: string;
  retrievedAt: string;
}

export interface ParsedSource {
  source: SourceMeta;
  entries: ListEntry[];
}

const SOURCE_ORDER: readonly SourceId[] = ['ofac-sdn', 'ofac-cons', 'csl', 'dpl'];

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A publication date found in a path like `ofac-2024-07-02/SDN.CSV`. */
function dateInPath(origin: string): string | undefined {
  const m = /(?:^|[^\d])(\d{4}-\d{2}-\d{2})(?:[^\d]|$)/.exec(origin.replace(/[^/\\]*$/, ''));
  return m?.[1];
}

function latest(values: (string | undefined)[]): string | undefined {
  const v = values.filter((x): x is string => !!x).sort();
  return v[v.length - 1];
}

/** Publication date stated inside a file: dpl.txt's latest Last_Update. CSV layouts carry none. */
function publishedInContent(entries: readonly ListEntry[], format: string): string | undefined {
  if (format !== 'dpl-txt') return undefined;
  const dates: string[] = [];
  for (const e of entries) {
    for (const r of (e.raw['rows'] as Record<string, string>[] | undefined) ?? []) {
      const d = r['Last_Update']?.trim();
      if (d && /^\d{4}-\d{2}-\d{2}$/.test(d) && d <= '2200') dates.push(d);
    }
  }
  return latest(dates);
}

/** Decodes and detects one file without parsing it (throws like {@link parseSourceFiles}). */
export function classifyFile(raw: RawFile): DetectedFile {
  return detectFormat(raw.name, decodeListText(raw.name, raw.bytes));
}

interface Decoded {
  raw: RawFile;
  text: string;
  sha256: string;
  detected: DetectedFile;
}

/**
 * Parses a set of raw files into one result per source (`ofac-sdn`, `ofac-cons`, `csl`, `dpl`).
 * Throws `KYC_ERR_LIST_FORMAT` / `KYC_ERR_LIST_PARSE` naming the file and line, or
 * `KYC_ERR_LIST_VALIDATION` when a source is incomplete (ALT/ADD without its primary file) or empty.
 */
export function parseSourceFiles(files: readonly RawFile[]): ParsedSource[] {
  const decoded: Decoded[] = files.map((raw) => {
    const text = decodeListText(raw.name, raw.bytes);
    return { raw, text, sha256: sha256Hex(raw.bytes), detected: detectFormat(raw.name, text) };
  });
  const groups = new Map<SourceId, Decoded[]>();
  for (const d of decoded) {
    const g = groups.get(d.detected.source) ?? [];
    if (g.some((x) => x.raw.name.toUpperCase() === d.raw.name.toUpperCase() || (d.detected.role && x.detected.role === d.detected.role))) {
      throw new KycError('KYC_ERR_LIST_VALIDATION', `${d.raw.name}: two files for the same part of source ${d.detected.source} in one import`, { file: d.raw.name });
    }
    g.push(d);
    groups.set(d.detected.source, g);
  }
  const out: ParsedSource[] = [];
  for (const source of SOURCE_ORDER) {
    const group = groups.get(source);
    if (!group) continue;
    out.push(parseGroup(source, group));
  }
  return out;
}

function parseGroup(source: SourceId, group: Decoded[]): ParsedSource {
  const fileMetas: SourceFileMeta[] = [];
  let entries: ListEntry[];
  const meta = (d: Decoded, rows: number, count: number, orphans?: number, publishedAt?: string): SourceFileMeta => {
    const m: SourceFileMeta = {
      name: d.raw.name,
      sha256: d.sha256,
      bytes: d.raw.bytes.length,
      origin: d.raw.origin,
      retrievedAt: d.raw.retrievedAt,
      format: d.detected.format,
      rows,
      entries: count,
    };
    const pub = publishedAt ?? dateInPath(d.raw.origin);
    if (pub) m.publishedAt = pub;
    if (orphans !== undefined) m.orphans = orphans;
    return m;
  };
  if (source === 'ofac-sdn' || source === 'ofac-cons') {
    const primary = group.find((d) => d.detected.role === 'primary');
    if (!primary) {
      const names = group.map((d) => d.raw.name).join(', ');
      throw new KycError('KYC_ERR_LIST_VALIDATION', `${names}: source ${source} needs its primary file (${source === 'ofac-sdn' ? 'SDN.CSV' : 'CONS_PRIM.CSV'}) in the same set`, {
        file: group[0]!.raw.name,
        source,
      });
    }
    const texts: OfacFileText[] = group.map((d) => ({ name: d.raw.name, role: d.detected.role!, text: d.text }));
    const res = parseOfacCsv(source === 'ofac-sdn' ? 'sdn' : 'cons', texts);
    entries = res.entries;
    for (const d of group) {
      const s = res.files.find((f) => f.name === d.raw.name)!;
      fileMetas.push(meta(d, s.rows, s.entries, d.detected.role === 'primary' ? undefined : s.orphans));
    }
  } else {
    entries = [];
    for (const d of group) {
      const res = d.detected.format === 'csl-json' ? parseCslJson(d.raw.name, d.text) : d.detected.format === 'dpl-txt' ? parseDplTxt(d.raw.name, d.text) : parseCslCsv(d.raw.name, d.text);
      entries.push(...res.entries);
      fileMetas.push(meta(d, res.rows, res.entries.length, undefined, publishedInContent(res.entries, d.detected.format)));
    }
  }
  if (entries.length === 0) {
    throw new KycError('KYC_ERR_LIST_VALIDATION', `${group.map((d) => d.raw.name).join(', ')}: no entries (source ${source})`, { file: group[0]!.raw.name, source });
  }
  const sm: SourceMeta = {
    source,
    files: fileMetas,
    counts: countByList(entries),
    retrievedAt: latest(fileMetas.map((f) => f.retrievedAt))!,
  };
  // an OFAC set is as old as its primary file (ALT/ADD may be newer)
  const primaryMeta = source.startsWith('ofac-') ? fileMetas.find((f) => /^(SDN|CONS_PRIM)\.CSV$/i.test(f.name)) : undefined;
  const pub = primaryMeta ? primaryMeta.publishedAt : latest(fileMetas.map((f) => f.publishedAt));
  if (pub) sm.publishedAt = pub;
  return { source: sm, entries };
}

/** Total entries of a source. */
export function sourceTotal(s: SourceMeta): number {
  return Object.values(s.counts).reduce((a, b) => a + (b ?? 0), 0);
}

/**
 * Refuses a source whose entry count fell below `minFraction` of the previous snapshot of the same
 * source (`KYC_ERR_LIST_VALIDATION`, naming the files and both counts).
 */
export function validateAgainstPrevious(next: SourceMeta, prev: SourceMeta | undefined, minFraction: number): void {
  if (!prev) return;
  const n = sourceTotal(next);
  const p = sourceTotal(prev);
  if (p > 0 && n < p * minFraction) {
    const files = next.files.map((f) => f.name).join(', ');
    throw new KycError(
      'KYC_ERR_LIST_VALIDATION',
      `${files}: source ${next.source} has ${n} entries, below ${Math.round(minFraction * 100)}% of the ${p} in the current snapshot — refused (the file may be truncated; use --force to accept)`,
      { file: next.files[0]?.name, source: next.source, entries: n, previous: p, minFraction },
    );
  }
}
