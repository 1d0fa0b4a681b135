// Bytes → text and text → CSV records for the official list files, with errors that name the file and line.
import { parse, CsvError } from 'csv-parse/sync';
import { KycError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('windows-1252');

/**
 * Refuses bytes that are not a text list file at all (empty, binary, an HTML error page) and decodes
 * the rest: UTF-8 (falling back to Windows-1252, as older OFAC files are), BOM and trailing 0x1A
 * removed, line endings normalized to `\n`.
 */
export function decodeListText(name: string, bytes: Uint8Array): string {
  if (bytes.length === 0 || bytes.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x1a)) {
    throw new KycError('KYC_ERR_LIST_FORMAT', `${name}: the file is empty (line 1)`, { file: name, line: 1, reason: 'empty' });
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const line = lineAtByte(bytes, nul);
    throw new KycError('KYC_ERR_LIST_FORMAT', `${name}: binary content (NUL byte at line ${line}), not a list file`, {
      file: name,
      line,
      reason: 'binary',
    });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = latin1.decode(bytes);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const controls = countControls(text);
  if (controls > Math.max(8, text.length / 200)) {
    const line = lineOf(text, firstControl(text));
    throw new KycError('KYC_ERR_LIST_FORMAT', `${name}: binary content (control characters from line ${line}), not a list file`, {
      file: name,
      line,
      reason: 'binary',
    });
  }
  const head = text.slice(0, 512).trimStart().toLowerCase();
  if (head.startsWith('<!doctype') || head.startsWith('<html') || head.startsWith('<?xml') || /^<(head|body|title)\b/.test(head)) {
    throw new KycError('KYC_ERR_LIST_FORMAT', `${name}: an HTML/XML page (line 1), not a list file — the download probably returned an error page`, {
      file: name,
      line: 1,
      reason: 'html',
    });
  }
  return text.replace(/\x1a+\s*$/, '').replace(/\r\n?/g, '\n');
}

function countControls(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x1a) || c === 0xfffd) n++;
  }
  return n;
}

function firstControl(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x1a) || c === 0xfffd) return i;
  }
  return 0;
}

function lineAtByte(bytes: Uint8Array, at: number): number {
  let line = 1;
  for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** 1-based line number of character offset `at`. */
export function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** One CSV record with the line it starts on (1-based). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Parses delimited text into records (no header handling). Quote or structure errors throw
 * `KYC_ERR_LIST_PARSE` naming the file and line.
 */
export function parseDelimited(name: string, text: string, opts: { delimiter?: string } = {}): CsvRecord[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, {
      delimiter: opts.delimiter ?? ',',
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
      bom: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const line = err instanceof CsvError ? Number((err as CsvError & { lines?: number }).lines ?? 0) || undefined : undefined;
    const why = err instanceof Error ? err.message.replace(/^Invalid Record Length: /, '') : String(err);
    const hint = /Quote Not Closed/i.test(why) ? ' — the file is probably truncated' : '';
    throw new KycError('KYC_ERR_LIST_PARSE', `${name}: ${line ? `line ${line}: ` : ''}cannot parse: ${why}${hint}`, { file: name, line }, { cause: err });
  }
  // info.lines is the line the record ENDS on; records spanning lines start earlier.
  const out: CsvRecord[] = [];
  let prevEnd = 0;
  for (const r of rows) {
    out.push({ fields: r.record, line: prevEnd + 1 });
    prevEnd = r.info.lines;
  }
  return out;
}

/** `-0-` (with or without trailing space) and blanks → undefined; everything else trimmed. */
export function ofacValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  return v === '' || v === '-0-' ? undefined : v;
}

/** Throws `KYC_ERR_LIST_PARSE` naming file and line. */
export function parseError(file: string, line: number, message: string): KycError {
  return new KycError('KYC_ERR_LIST_PARSE', `${file}: line ${line}: ${message}`, { file, line });
}
