// trade.gov Consolidated Screening List rows (CSV with 29 columns, or the API's JSON) → ListEntry[].
import type { Address, EntityType, ListCode, ListEntry, ListIdentifier } from '../model/index.js';
import { countryFromName } from '../model/countries.js';
import { KycError } from '../errors.js';
import { parseDelimited, parseError } from './text.js';
import { leadingAkaClause, splitAkaName, splitAltNames, splitCslAddresses } from './entity-list-text.js';
import { guessEntityType } from './entity-type.js';

/** The 29 CSV columns, in order. */
export const CSL_COLUMNS = [
  '_id', 'source', 'entity_number', 'type', 'programs', 'name', 'title', 'addresses', 'federal_register_notice',
  'start_date', 'end_date', 'standard_order', 'license_requirement', 'license_policy', 'call_sign', 'vessel_type',
  'gross_tonnage', 'gross_registered_tonnage', 'vessel_flag', 'vessel_owner', 'remarks', 'source_list_url',
  'alt_names', 'citizenships', 'dates_of_birth', 'nationalities', 'places_of_birth', 'source_information_url', 'ids',
] as const;

/** CSL `source` → list code: by the abbreviation in parentheses. */
export function cslListCode(source: string): ListCode | undefined {
  const abbr = /\(([^)]+)\)/.exec(source)?.[1]?.trim();
  switch (abbr) {
    case 'EL':
      return 'ENTITY_LIST';
    case 'DPL':
      return 'DPL';
    case 'MEU':
      return 'MEU';
    case 'SDN':
      return 'SDN';
    case 'UVL':
      return 'UVL';
    case 'ISN':
      return 'ISN';
    case 'DTC':
      return 'DTC';
    case 'SSI':
      return 'SSI';
    case 'PLC':
      return 'PLC';
    case 'CMIC':
      return 'CMIC';
    case 'CAP':
    case 'CAPTA':
      return 'CAPTA';
    case 'FSE':
      return 'FSE';
    case 'NS-MBS List':
    case 'NS-MBS':
      return 'NS-MBS';
    default:
      return undefined;
  }
}

const BIS_LISTS = new Set<ListCode>(['ENTITY_LIST', 'DPL', 'MEU', 'UVL']);

function typeOf(value: string | undefined, list: ListCode, name: string): EntityType {
  switch ((value ?? '').trim().toLowerCase()) {
    case 'individual':
      return 'individual';
    case 'vessel':
      return 'vessel';
    case 'aircraft':
      return 'aircraft';
    case 'entity':
      return 'organization';
    default:
      return guessEntityType(name, list);
  }
}

/** A CSL record in a layout-neutral shape (CSV fields, or the JSON API's structured values). */
export interface CslRecord {
  id: string;
  source: string;
  entityNumber?: string;
  type?: string;
  programs: string[];
  name: string;
  title?: string;
  /** CSV: the `;`-joined field; JSON: already structured. */
  addresses: string | Address[];
  federalRegisterNotice?: string;
  startDate?: string;
  endDate?: string;
  licenseRequirement?: string;
  licensePolicy?: string;
  remarks?: string;
  altNames: string | string[];
  datesOfBirth: string[];
  ids: ListIdentifier[];
  raw: Record<string, unknown>;
}

const opt = (v: string | undefined): string | undefined => {
  const t = v?.trim();
  return t ? t : undefined;
};

/** Maps one CSL record to a ListEntry; `undefined` list code throws (unknown source). */
export function cslRecordToEntry(rec: CslRecord, origin: string, file: string, line: number): ListEntry {
  const list = cslListCode(rec.source);
  if (!list) throw parseError(file, line, `unknown CSL source ${JSON.stringify(rec.source.slice(0, 80))}`);
  if (!rec.id) throw parseError(file, line, 'row has no _id');
  const primaryName = rec.name;
  if (!primaryName.trim()) throw parseError(file, line, `row ${rec.id} has no name`);
  const split = BIS_LISTS.has(list) ? splitAkaName(primaryName) : { name: primaryName.trim(), aliases: [], open: false };
  const aliases = [...split.aliases];
  let addresses: Address[];
  if (typeof rec.addresses === 'string') {
    let addrText = rec.addresses;
    if (BIS_LISTS.has(list)) {
      const lead = leadingAkaClause(addrText, split.open, split.aliases[0]?.type);
      aliases.push(...lead.aliases);
      addrText = lead.rest;
    }
    addresses = splitCslAddresses(addrText);
  } else addresses = rec.addresses;
  aliases.push(...splitAltNames(rec.altNames));
  const seen = new Set<string>([split.name.toLowerCase()]);
  const uniq = aliases.filter((a) => {
    const k = a.name.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const entry: ListEntry = {
    list,
    sourceId: rec.id,
    primaryName,
    name: split.name,
    aliases: uniq,
    entityType: typeOf(rec.type, list, split.name),
    addresses,
    programs: rec.programs,
    ids: rec.ids,
    dates: {},
    origin,
    raw: rec.raw,
  };
  const start = isoDay(rec.startDate);
  const end = isoDay(rec.endDate);
  if (start) entry.dates.start = start;
  if (end) entry.dates.end = end;
  if (rec.datesOfBirth.length) entry.dates.birth = rec.datesOfBirth;
  if (opt(rec.title)) entry.title = opt(rec.title);
  if (opt(rec.remarks)) entry.remarks = opt(rec.remarks);
  if (opt(rec.federalRegisterNotice)) entry.federalRegisterNotice = opt(rec.federalRegisterNotice);
  if (opt(rec.licenseRequirement)) entry.licenseRequirement = opt(rec.licenseRequirement);
  if (opt(rec.licensePolicy)) entry.licensePolicy = opt(rec.licensePolicy);
  return entry;
}

function isoDay(v: string | undefined): string | undefined {
  const t = v?.trim();
  if (!t) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(t);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** CSV `ids` field: "CN, 9111…, Unified Social Credit Code (USCC); 02 Aug 2021, Effective Date (CMIC)". */
function splitCslIds(field: string): ListIdentifier[] {
  if (!field.trim()) return [];
  const out: ListIdentifier[] = [];
  for (const item of field.split(/;\s*/)) {
    const parts = item.split(/,\s*/);
    if (parts.length < 2) continue;
    let country: string | undefined;
    if (parts.length >= 3 && /^[A-Z]{2}$/.test(parts[0]!.trim())) country = countryFromName(parts.shift()!.trim());
    const type = parts.pop()!.trim();
    const value = parts.join(', ').trim();
    if (!value || !type) continue;
    out.push(country ? { type, value, country } : { type, value });
  }
  return out;
}

/** True when the text starts with the CSL CSV header (`_id,source,…`). */
export function looksLikeCslCsv(text: string): boolean {
  return /^\uFEFF?"?_id"?,"?source"?,/.test(text);
}

/** Parses a trade.gov consolidated.csv (header row, 29 columns). */
export function parseCslCsv(file: string, text: string): { entries: ListEntry[]; rows: number } {
  const recs = parseDelimited(file, text);
  const header = recs.shift();
  if (!header || header.fields[0]?.replace(/^\uFEFF/, '') !== '_id' || header.fields[1] !== 'source') {
    throw new KycError('KYC_ERR_LIST_FORMAT', `${file}: line 1: not a CSL consolidated.csv (the header must start with _id,source)`, { file, line: 1 });
  }
  const cols = header.fields;
  const idx = (c: string) => cols.indexOf(c);
  for (const c of ['_id', 'source', 'name', 'addresses', 'alt_names'] as const) {
    if (idx(c) < 0) throw new KycError('KYC_ERR_LIST_VALIDATION', `${file}: line 1: required column ${c} is missing`, { file, line: 1 });
  }
  const entries: ListEntry[] = [];
  for (const r of recs) {
    if (r.fields.length !== cols.length) {
      throw parseError(file, r.line, `expected ${cols.length} columns, found ${r.fields.length} — the file may be truncated`);
    }
    const get = (c: string) => r.fields[idx(c)] ?? '';
    const raw: Record<string, unknown> = {};
    cols.forEach((c, i) => {
      if (r.fields[i]) raw[c] = r.fields[i];
    });
    const rec: CslRecord = {
      id: get('_id').trim(),
      source: get('source'),
      entityNumber: opt(get('entity_number')),
      type: get('type'),
      programs: get('programs')
        .split(/;\s*/)
        .map((p) => p.trim())
        .filter(Boolean),
      name: get('name'),
      title: get('title'),
      addresses: get('addresses'),
      federalRegisterNotice: get('federal_register_notice'),
      startDate: get('start_date'),
      endDate: get('end_date'),
      licenseRequirement: get('license_requirement'),
      licensePolicy: get('license_policy'),
      remarks: get('remarks'),
      altNames: get('alt_names'),
      datesOfBirth: get('dates_of_birth')
        .split(/;\s*/)
        .map((d) => d.trim())
        .filter(Boolean),
      ids: splitCslIds(get('ids')),
      raw,
    };
    entries.push(cslRecordToEntry(rec, `csl-csv:${file}`, file, r.line));
  }
  return { entries, rows: recs.length };
}
