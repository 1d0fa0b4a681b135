// trade.gov Consolidated Screening List JSON (`{results:[…]}` as the live API serves it) → ListEntry[].
import type { Address, ListEntry, ListIdentifier } from '../model/index.js';
import { countryFromName } from '../model/countries.js';
import { KycError } from '../errors.js';
import { cslRecordToEntry, type CslRecord } from './csl.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(str).map((s) => s.trim()).filter(Boolean) : typeof v === 'string' && v.trim() ? v.split(/;\s*/) : [];

function addressOf(a: unknown): Address | undefined {
  if (!a || typeof a !== 'object') return undefined;
  const o = a as Record<string, unknown>;
  const line = str(o['address']).trim();
  const city = str(o['city']).trim();
  const region = str(o['state']).trim();
  const postal = str(o['postal_code']).trim();
  const countryText = str(o['country']).trim();
  const raw = [line, city, region, postal, countryText].filter(Boolean).join(', ');
  if (!raw) return undefined;
  const out: Address = { raw };
  if (line) out.line = line;
  if (city) out.city = city;
  if (region) out.region = region;
  if (postal) out.postalCode = postal;
  const c = countryFromName(countryText);
  if (c) out.country = c;
  return out;
}

function idOf(a: unknown): ListIdentifier | undefined {
  if (!a || typeof a !== 'object') return undefined;
  const o = a as Record<string, unknown>;
  const type = str(o['type']).trim();
  const value = str(o['number'] ?? o['value']).trim();
  if (!type || !value) return undefined;
  const c = countryFromName(str(o['country']));
  return c ? { type, value, country: c } : { type, value };
}

/** True when the text looks like the CSL JSON layout. */
export function looksLikeCslJson(text: string): boolean {
  return /^\s*\{/.test(text) && /"results"\s*:/.test(text.slice(0, 4096));
}

/** Parses CSL JSON. The "line" of an error is the 1-based index of the result. */
export function parseCslJson(file: string, text: string): { entries: ListEntry[]; rows: number } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
    const line = pos ? text.slice(0, Number(pos)).split('\n').length : undefined;
    throw new KycError('KYC_ERR_LIST_PARSE', `${file}: invalid JSON${line ? ` at line ${line}` : ''}: ${err instanceof Error ? err.message : String(err)}`, { file, line }, { cause: err });
  }
  const results = (doc as { results?: unknown }).results;
  if (!Array.isArray(results)) {
    throw new KycError('KYC_ERR_LIST_FORMAT', `${file}: line 1: not CSL JSON (no results array)`, { file, line: 1 });
  }
  const entries = results.map((r, i) => {
    if (!r || typeof r !== 'object') throw new KycError('KYC_ERR_LIST_PARSE', `${file}: result ${i + 1} is not an object`, { file, line: i + 1 });
    const o = r as Record<string, unknown>;
    const rec: CslRecord = {
      id: str(o['id'] ?? o['_id']).trim(),
      source: str(o['source']),
      entityNumber: str(o['entity_number']) || undefined,
      type: str(o['type']),
      programs: strs(o['programs']),
      name: str(o['name']),
      title: str(o['title']),
      addresses: Array.isArray(o['addresses']) ? o['addresses'].map(addressOf).filter((a): a is Address => !!a) : str(o['addresses']),
      federalRegisterNotice: str(o['federal_register_notice']),
      startDate: str(o['start_date']),
      endDate: str(o['end_date']),
      licenseRequirement: str(o['license_requirement']),
      licensePolicy: str(o['license_policy']),
      remarks: str(o['remarks']),
      altNames: strs(o['alt_names']),
      datesOfBirth: strs(o['dates_of_birth']),
      ids: Array.isArray(o['ids']) ? o['ids'].map(idOf).filter((x): x is ListIdentifier => !!x) : [],
      raw: o,
    };
    return cslRecordToEntry(rec, `csl-json:${file}`, file, i + 1);
  });
  return { entries, rows: results.length };
}
