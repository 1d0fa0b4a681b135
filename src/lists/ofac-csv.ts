// OFAC legacy CSV files (SDN.CSV / ALT.CSV / ADD.CSV / SDN_COMMENTS.CSV and the CONS_* twins) → ListEntry[].
import type { Address, Alias, AliasType, EntityType, ListCode, ListEntry } from '../model/index.js';
import { countryFromName } from '../model/countries.js';
import { ofacValue, parseDelimited, parseError } from './text.js';
import { birthDatesFromRemarks, idsFromRemarks } from './remarks.js';

/** Roles of the files in one OFAC set. */
export type OfacRole = 'primary' | 'alt' | 'add' | 'comments';

/** Column counts per role; primary rows carry 12 fields. */
export const OFAC_COLUMNS: Readonly<Record<OfacRole, number>> = { primary: 12, alt: 5, add: 6, comments: 2 };

const PRIMARY_COLUMNS = ['ent_num', 'SDN_Name', 'SDN_Type', 'Program', 'Title', 'Call_Sign', 'Vess_type', 'Tonnage', 'GRT', 'Vess_flag', 'Vess_owner', 'Remarks'] as const;

export interface OfacFileText {
  name: string;
  role: OfacRole;
  text: string;
}

export interface OfacFileStats {
  name: string;
  rows: number;
  /** Distinct entries the file's rows belong to. */
  entries: number;
  /** Rows naming an ent_num absent from the primary file. */
  orphans: number;
}

export interface OfacParseResult {
  entries: ListEntry[];
  files: OfacFileStats[];
}

/** Splits OFAC program strings like `IRAN] [SDGT` (also `[IRAN] [SDGT]`). */
export function splitOfacPrograms(value: string | undefined): string[] {
  const v = ofacValue(value);
  if (!v) return [];
  return v
    .replace(/^\[/, '')
    .replace(/\]$/, '')
    .split(/\]\s*\[/)
    .map((p) => p.trim())
    .filter(Boolean);
}

function entityTypeOf(value: string | undefined): EntityType {
  switch (ofacValue(value)?.toLowerCase()) {
    case 'individual':
      return 'individual';
    case 'vessel':
      return 'vessel';
    case 'aircraft':
      return 'aircraft';
    default:
      return 'organization';
  }
}

/** List code of a non-SDN (CONS) entry from its programs. */
export function consListCode(programs: readonly string[]): ListCode {
  const has = (re: RegExp) => programs.some((p) => re.test(p));
  if (has(/^NS-PLC$/)) return 'PLC';
  if (has(/^UKRAINE-EO13662$/)) return 'SSI';
  if (has(/^CMIC-EO13959$/) || has(/^CMIC/)) return 'CMIC';
  if (has(/^FSE-/)) return 'FSE';
  if (has(/^561-Related$/) || has(/CAPTA/)) return 'CAPTA';
  return 'NS-MBS';
}

function entNum(file: string, line: number, value: string | undefined): string {
  const v = (value ?? '').trim();
  if (!/^\d+$/.test(v)) throw parseError(file, line, `ent_num must be a number, got ${JSON.stringify(v.slice(0, 40))}`);
  return v;
}

function checkColumns(file: string, role: OfacRole, fields: string[], line: number): void {
  const want = OFAC_COLUMNS[role];
  if (fields.length !== want) {
    throw parseError(file, line, `expected ${want} columns (${role} file), found ${fields.length} — the file may be truncated or not an OFAC ${role} file`);
  }
}

/**
 * Parses one OFAC CSV set. `kind` `sdn` yields list `SDN`; `cons` derives the list from programs.
 * ALT/ADD/COMMENTS rows for ent_nums missing from the primary file are counted as orphans, not errors.
 * Without a primary file, no entries are produced (every secondary row is an orphan).
 */
export function parseOfacCsv(kind: 'sdn' | 'cons', files: readonly OfacFileText[]): OfacParseResult {
  const primaries = files.filter((f) => f.role === 'primary');
  const byId = new Map<string, ListEntry>();
  const stats: OfacFileStats[] = [];
  for (const f of primaries) {
    const recs = parseDelimited(f.name, f.text);
    for (const r of recs) {
      checkColumns(f.name, 'primary', r.fields, r.line);
      const [id0, name0, type, program, title, callSign, vessType, tonnage, grt, vessFlag, vessOwner, remarks0] = r.fields;
      const id = entNum(f.name, r.line, id0);
      const primaryName = (name0 ?? '').trim();
      if (!primaryName || primaryName === '-0-') throw parseError(f.name, r.line, `entry ${id} has no name`);
      const programs = splitOfacPrograms(program);
      const remarks = ofacValue(remarks0);
      const raw: Record<string, unknown> = {};
      PRIMARY_COLUMNS.forEach((c, i) => (raw[c] = r.fields[i]));
      const entry: ListEntry = {
        list: kind === 'sdn' ? 'SDN' : consListCode(programs),
        sourceId: id,
        primaryName,
        name: primaryName,
        aliases: [],
        entityType: entityTypeOf(type),
        addresses: [],
        programs,
        ids: idsFromRemarks(remarks),
        dates: {},
        origin: `ofac-csv:${f.name}`,
        raw,
      };
      const birth = entry.entityType === 'individual' ? birthDatesFromRemarks(remarks) : [];
      if (birth.length) entry.dates.birth = birth;
      const t = ofacValue(title);
      if (t) entry.title = t;
      if (remarks) entry.remarks = remarks;
      const vessel = {
        callSign: ofacValue(callSign),
        vesselType: ofacValue(vessType),
        tonnage: ofacValue(tonnage),
        grossRegisteredTonnage: ofacValue(grt),
        flag: ofacValue(vessFlag),
        owner: ofacValue(vessOwner),
      };
      if (vessel.callSign) entry.ids.push({ type: 'Call Sign', value: vessel.callSign });
      if (vessel.flag) {
        const c = countryFromName(vessel.flag);
        if (c) entry.ids.push({ type: 'Vessel Flag', value: vessel.flag, country: c });
      }
      byId.set(id, entry);
    }
    stats.push({ name: f.name, rows: recs.length, entries: recs.length, orphans: 0 });
  }

  for (const f of files) {
    if (f.role === 'primary') continue;
    const recs = parseDelimited(f.name, f.text);
    const seen = new Set<string>();
    let orphans = 0;
    for (const r of recs) {
      checkColumns(f.name, f.role, r.fields, r.line);
      const id = entNum(f.name, r.line, r.fields[0]);
      seen.add(id);
      const entry = byId.get(id);
      if (!entry) {
        orphans++;
        continue;
      }
      if (f.role === 'alt') applyAlt(entry, r.fields, f.name);
      else if (f.role === 'add') applyAdd(entry, r.fields);
      else applyComment(entry, r.fields);
    }
    stats.push({ name: f.name, rows: recs.length, entries: seen.size, orphans });
  }
  return { entries: [...byId.values()], files: stats };
}

function pushRaw(entry: ListEntry, key: string, row: Record<string, unknown>): void {
  const list = (entry.raw[key] as unknown[] | undefined) ?? [];
  list.push(row);
  entry.raw[key] = list;
}

function applyAlt(entry: ListEntry, fields: string[], file: string): void {
  const [, altNum, altType, altName, altRemarks] = fields;
  const name = ofacValue(altName);
  if (!name) return;
  const t = (ofacValue(altType) ?? 'aka').toLowerCase().replace(/\./g, '');
  const type: AliasType = t === 'fka' ? 'fka' : t === 'nka' ? 'nka' : /weak/i.test(ofacValue(altRemarks) ?? '') ? 'weak_aka' : 'aka';
  const alias: Alias = { name, type };
  entry.aliases.push(alias);
  pushRaw(entry, 'alt', { file, alt_num: altNum, alt_type: altType, alt_name: altName, alt_remarks: altRemarks });
}

function applyAdd(entry: ListEntry, fields: string[]): void {
  const [, addNum, street, cityStateZip, country, addRemarks] = fields;
  const line = ofacValue(street);
  const city = ofacValue(cityStateZip);
  const countryText = ofacValue(country);
  const parts = [line, city, countryText].filter(Boolean);
  if (parts.length === 0) return;
  const addr: Address = { raw: parts.join(', ') };
  if (line) addr.line = line;
  if (city) addr.city = city;
  const iso = countryFromName(countryText);
  if (iso) addr.country = iso;
  entry.addresses.push(addr);
  pushRaw(entry, 'add', { add_num: addNum, address: street, city_state_zip: cityStateZip, country, add_remarks: addRemarks });
}

function applyComment(entry: ListEntry, fields: string[]): void {
  const extra = ofacValue(fields[1]);
  if (!extra) return;
  entry.remarks = entry.remarks ? `${entry.remarks} ${extra}` : extra;
  for (const id of idsFromRemarks(extra)) entry.ids.push(id);
  entry.raw['Remarks_Extended'] = fields[1];
}
