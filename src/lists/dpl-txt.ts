// BIS Denied Persons List dpl.txt (tab-separated, quoted, one row per address) → one ListEntry per person.
import { createHash } from 'node:crypto';
import type { Address, ListEntry } from '../model/index.js';
import { countryFromName } from '../model/countries.js';
import { KycError } from '../errors.js';
import { parseDelimited, parseError } from './text.js';
import { guessEntityType } from './entity-type.js';

export const DPL_COLUMNS = ['Name', 'Street_Address', 'City', 'State', 'Country', 'Postal_Code', 'Effective_Date', 'Expiration_Date', 'Standard_Order', 'Last_Update', 'Action', 'FR_Citation'] as const;

/** True when the text starts with the dpl.txt header row. */
export function looksLikeDplTxt(text: string): boolean {
  return /^"?Name"?\t"?Street_Address"?\t/.test(text);
}

/** "06/19/2003" → "2003-06-19"; implausible years (typos like 3033) → undefined. */
export function dplDate(v: string | undefined): string | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec((v ?? '').trim());
  if (!m) return undefined;
  const year = Number(m[3]);
  if (year < 1900 || year > 2200) return undefined;
  return `${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
}

/** Stable id of a DPL person: sha1 of list, name and first address. */
export function dplSourceId(name: string, firstAddress: string): string {
  return createHash('sha1').update(`DPL\n${name}\n${firstAddress}`).digest('hex');
}

/** Parses dpl.txt; rows with the same (trimmed, case-folded) name are one person with several addresses. */
export function parseDplTxt(file: string, text: string): { entries: ListEntry[]; rows: number } {
  const recs = parseDelimited(file, text, { delimiter: '\t' });
  const header = recs.shift();
  if (!header || header.fields[0] !== 'Name' || header.fields[1] !== 'Street_Address') {
    throw new KycError('KYC_ERR_LIST_FORMAT', `${file}: line 1: not a BIS dpl.txt (header must start with Name, Street_Address)`, { file, line: 1 });
  }
  const groups = new Map<string, { line: number; fields: string[] }[]>();
  for (const r of recs) {
    if (r.fields.length !== DPL_COLUMNS.length) {
      throw parseError(file, r.line, `expected ${DPL_COLUMNS.length} tab-separated columns, found ${r.fields.length} — the file may be truncated`);
    }
    const name = r.fields[0]!.trim().replace(/\s+/g, ' ');
    if (!name) throw parseError(file, r.line, 'row has no name');
    const key = name.toUpperCase();
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const entries: ListEntry[] = [];
  for (const rows of groups.values()) {
    const first = rows[0]!;
    const primaryName = first.fields[0]!;
    const name = primaryName.trim().replace(/\s+/g, ' ');
    const addresses: Address[] = rows.map(({ fields }) => {
      const [, street, city, state, country, postal] = fields.map((f) => f.trim());
      const raw = [street, city, state, postal, country].filter(Boolean).join(', ');
      const a: Address = { raw };
      if (street) a.line = street;
      if (city) a.city = city;
      if (state) a.region = state;
      if (postal) a.postalCode = postal;
      const c = country === 'PRC' ? 'CN' : countryFromName(country);
      if (c) a.country = c;
      return a;
    });
    const starts = rows.map((r) => dplDate(r.fields[6])).filter((d): d is string => !!d).sort();
    const ends = rows.map((r) => dplDate(r.fields[7])).filter((d): d is string => !!d).sort();
    const citations = [...new Set(rows.map((r) => r.fields[11]!.trim()).filter(Boolean))];
    const entry: ListEntry = {
      list: 'DPL',
      sourceId: dplSourceId(name, addresses[0]?.raw ?? ''),
      primaryName,
      name,
      aliases: [],
      entityType: guessEntityType(name, 'DPL'),
      addresses: addresses.filter((a) => a.raw),
      programs: [],
      ids: [],
      dates: {},
      origin: `dpl-txt:${file}`,
      raw: { rows: rows.map((r) => Object.fromEntries(DPL_COLUMNS.map((c, i) => [c, r.fields[i]]))) },
    };
    if (starts[0]) entry.dates.start = starts[0];
    if (ends.length) entry.dates.end = ends[ends.length - 1];
    if (citations.length) entry.federalRegisterNotice = citations.join('; ');
    const action = rows.map((r) => r.fields[10]!.trim()).filter(Boolean);
    if (action.length) entry.remarks = [...new Set(action)].join('; ');
    entries.push(entry);
  }
  return { entries, rows: recs.length };
}
