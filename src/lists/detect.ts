// Recognises which official list format a file is, by its name and its content.
import { KycError } from '../errors.js';
import { looksLikeCslCsv } from './csl.js';
import { looksLikeCslJson } from './csl-json.js';
import { looksLikeDplTxt } from './dpl-txt.js';
import { OFAC_COLUMNS, type OfacRole } from './ofac-csv.js';

/** Source ids: one per publisher file set. */
export type SourceId = 'ofac-sdn' | 'ofac-cons' | 'csl' | 'dpl';

export type FileFormat = 'ofac-csv' | 'csl-csv' | 'csl-json' | 'dpl-txt';

export interface DetectedFile {
  source: SourceId;
  format: FileFormat;
  role?: OfacRole;
}

const OFAC_NAMES: Record<string, { source: SourceId; role: OfacRole }> = {
  'SDN.CSV': { source: 'ofac-sdn', role: 'primary' },
  'ALT.CSV': { source: 'ofac-sdn', role: 'alt' },
  'ADD.CSV': { source: 'ofac-sdn', role: 'add' },
  'SDN_COMMENTS.CSV': { source: 'ofac-sdn', role: 'comments' },
  'CONS_PRIM.CSV': { source: 'ofac-cons', role: 'primary' },
  'CONS_ALT.CSV': { source: 'ofac-cons', role: 'alt' },
  'CONS_ADD.CSV': { source: 'ofac-cons', role: 'add' },
  'CONS_COMMENTS.CSV': { source: 'ofac-cons', role: 'comments' },
};

/** Number of comma-separated fields of the first record (quotes respected, first line only). */
function firstLineColumns(text: string): number {
  const line = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : undefined);
  let n = 1;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) n++;
  }
  return n;
}

function ofacRoleByColumns(text: string): OfacRole | undefined {
  if (!/^\d+,/.test(text)) return undefined;
  const cols = firstLineColumns(text);
  if (cols === OFAC_COLUMNS.primary) return 'primary';
  if (cols === OFAC_COLUMNS.add) return 'add';
  if (cols === OFAC_COLUMNS.alt) return 'alt';
  if (cols === OFAC_COLUMNS.comments) return 'comments';
  return undefined;
}

/**
 * Detects the format of a decoded file. The file name decides between look-alikes (SDN vs CONS);
 * the content must agree with it, or `KYC_ERR_LIST_FORMAT` names the file and line 1.
 */
export function detectFormat(name: string, text: string): DetectedFile {
  const base = (name.split(/[\\/]/).pop() ?? name).toUpperCase();
  const byName = OFAC_NAMES[base];
  if (byName) {
    if (looksLikeCslCsv(text) || looksLikeDplTxt(text) || looksLikeCslJson(text)) {
      throw new KycError('KYC_ERR_LIST_FORMAT', `${name}: line 1: named like an OFAC ${byName.role} file but has a header row of another format`, { file: name, line: 1 });
    }
    if (!/^\d+,/.test(text)) {
      throw new KycError('KYC_ERR_LIST_FORMAT', `${name}: line 1: an OFAC CSV row must start with the entry number (no header): ${JSON.stringify(text.slice(0, 60))}`, { file: name, line: 1 });
    }
    return { source: byName.source, format: 'ofac-csv', role: byName.role };
  }
  if (looksLikeCslCsv(text)) return { source: 'csl', format: 'csl-csv' };
  if (looksLikeCslJson(text)) return { source: 'csl', format: 'csl-json' };
  if (looksLikeDplTxt(text)) return { source: 'dpl', format: 'dpl-txt' };
  const role = ofacRoleByColumns(text);
  if (role) return { source: /CONS/.test(base) ? 'ofac-cons' : 'ofac-sdn', format: 'ofac-csv', role };
  throw new KycError(
    'KYC_ERR_LIST_FORMAT',
    `${name}: line 1: not a known list format (OFAC SDN/CONS CSV, trade.gov CSL CSV/JSON, BIS dpl.txt): ${JSON.stringify(text.slice(0, 60))}`,
    { file: name, line: 1 },
  );
}
