// Customer exports (NDJSON or CSV files) for rescreening: split into byte-range chunks, read one chunk back.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse as parseCsvSync } from 'csv-parse/sync';
import type { Customer } from '../model/index.js';

export type ExportFormat = 'ndjson' | 'csv';

export interface FileChunk {
  start: number;
  end: number;
  /** 1-based line number of the chunk's first line. */
  firstLine: number;
  /** Non-empty lines (customers) in the chunk. */
  count: number;
}

/** The format of an export from its name: `.csv` is CSV, anything else NDJSON. */
export function exportFormat(file: string): ExportFormat {
  return /\.csv$/i.test(file) ? 'csv' : 'ndjson';
}

/**
 * Scans `file` once and cuts it into chunks of `chunkSize` non-empty lines, by byte offsets, so a
 * worker reads only its slice. CSV: the header line is skipped (each chunk reads it separately).
 */
export async function planFileChunks(file: string, format: ExportFormat, chunkSize: number): Promise<{ chunks: FileChunk[]; total: number }> {
  const chunks: FileChunk[] = [];
  let offset = 0;
  let line = 0;
  let lineStart = 0;
  let lineHasContent = false;
  let current: FileChunk | undefined;
  let total = 0;
  const endLine = (endOffset: number) => {
    line += 1;
    const isHeader = format === 'csv' && line === 1;
    if (lineHasContent && !isHeader) {
      if (!current) current = { start: lineStart, end: endOffset, firstLine: line, count: 0 };
      current.count += 1;
      current.end = endOffset;
      total += 1;
      if (current.count >= chunkSize) {
        chunks.push(current);
        current = undefined;
      }
    }
    lineStart = endOffset;
    lineHasContent = false;
  };
  for await (const buf of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (;;) {
      const nl = buf.indexOf(10, from);
      const stop = nl === -1 ? buf.length : nl;
      if (!lineHasContent) {
        for (let i = from; i < stop; i++) {
          const c = buf[i]!;
          if (c !== 32 && c !== 9 && c !== 13) {
            lineHasContent = true;
            break;
          }
        }
      }
      if (nl === -1) break;
      endLine(offset + nl + 1);
      from = nl + 1;
    }
    offset += buf.length;
  }
  if (offset > lineStart) endLine(offset);
  if (current) chunks.push(current);
  return { chunks, total };
}

async function readRange(file: string, start: number, end: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(end - start);
    let read = 0;
    while (read < buf.length) {
      const { bytesRead } = await fh.read(buf, read, buf.length - read, start + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buf.subarray(0, read).toString('utf8');
  } finally {
    await fh.close();
  }
}

async function readHeader(file: string): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    return nl === -1 ? text : text.slice(0, nl + 1);
  } finally {
    await fh.close();
  }
}

/** A line that could not be read as a customer (reported, the rest go on). */
export interface BadLine {
  line: number;
  id: string | null;
  message: string;
}

const splitList = (v: string | undefined) => (v ? v.split(';').map((s) => s.trim()).filter(Boolean) : undefined);

/**
 * Maps a CSV row to a Customer. Columns: `id`, `name` (required), `type`, `country`, `aliases` (`;`-separated),
 * `paymentFingerprint`, `accessIps` (`;`), and JSON columns `parents`, `beneficialOwners`, `identifiers`, `address`.
 */
export function customerFromCsvRow(row: Record<string, string>): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(row)) {
    const v = raw?.trim();
    if (!v) continue;
    if (k === 'aliases' || k === 'accessIps') out[k] = splitList(v);
    else if (k === 'parents' || k === 'beneficialOwners' || k === 'identifiers' || k === 'address' || k === 'request' || k === 'contact') out[k] = JSON.parse(v);
    else out[k] = v;
  }
  return out;
}

/** Reads one chunk back: raw customer objects (validated later by the screening engine) and lines that failed to parse. */
export async function readFileChunk(file: string, format: ExportFormat, chunk: Pick<FileChunk, 'start' | 'end' | 'firstLine'>): Promise<{ records: { line: number; value: unknown }[]; bad: BadLine[] }> {
  const text = await readRange(file, chunk.start, chunk.end);
  const records: { line: number; value: unknown }[] = [];
  const bad: BadLine[] = [];
  if (format === 'ndjson') {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!.trim();
      if (!l) continue;
      const lineNo = chunk.firstLine + i;
      try {
        records.push({ line: lineNo, value: JSON.parse(l) });
      } catch (err) {
        const m = /"id"\s*:\s*"([^"]*)"/.exec(l);
        bad.push({ line: lineNo, id: m?.[1] ?? null, message: (err as Error).message });
      }
    }
    return { records, bad };
  }
  const header = await readHeader(file);
  const rows = parseCsvSync(header + text, { columns: true, skip_empty_lines: true, relax_column_count: true, bom: true, info: true }) as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  for (const { record, info } of rows) {
    const lineNo = chunk.firstLine + info.lines - 2;
    try {
      records.push({ line: lineNo, value: customerFromCsvRow(record) });
    } catch (err) {
      bad.push({ line: lineNo, id: record.id ?? null, message: (err as Error).message });
    }
  }
  return { records, bad };
}

/** Iterates every customer of an export (used by delta selection and small rescreens). */
export async function* iterateExport(file: string, format: ExportFormat, chunkSize = 5000): AsyncGenerator<{ line: number; value: unknown }[]> {
  const { chunks } = await planFileChunks(file, format, chunkSize);
  for (const c of chunks) yield (await readFileChunk(file, format, c)).records;
}

export type { Customer };
