// Structured facts (birth dates, identifiers) pulled out of OFAC free-text remarks ("DOB 25 Mar 1973; Passport X (Iran)").
import type { ListIdentifier } from '../model/index.js';
import { countryFromName } from '../model/countries.js';

const MONTHS: Record<string, string> = {
  jan: '01', feb: '02', mar: '03', apr: '04', may: '05', jun: '06',
  jul: '07', aug: '08', sep: '09', oct: '10', nov: '11', dec: '12',
};

/** "25 Mar 1973" → "1973-03-25", "Mar 1973" → "1973-03", "1973" → "1973"; undefined when not a date. */
export function ofacDate(text: string): string | undefined {
  const t = text.trim().replace(/^circa\s+/i, '');
  let m = /^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$/.exec(t);
  if (m) {
    const mon = MONTHS[m[2]!.toLowerCase()];
    return mon ? `${m[3]}-${mon}-${m[1]!.padStart(2, '0')}` : undefined;
  }
  m = /^([A-Za-z]{3})[a-z]* (\d{4})$/.exec(t);
  if (m) {
    const mon = MONTHS[m[1]!.toLowerCase()];
    return mon ? `${m[2]}-${mon}` : undefined;
  }
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) return t;
  m = /^(\d{4})$/.exec(t);
  return m ? t : undefined;
}

/** Birth dates named in remarks ("DOB 1960 to 1962" yields both ends). */
export function birthDatesFromRemarks(remarks: string | undefined): string[] {
  if (!remarks) return [];
  const out: string[] = [];
  for (const m of remarks.matchAll(/(?:^|;\s*)(?:alt\. )?DOB ([^;]+)/g)) {
    for (const part of m[1]!.split(/\s+to\s+/)) {
      const d = ofacDate(part);
      if (d) out.push(d);
    }
  }
  return [...new Set(out)];
}

const ID_TYPES = [
  'Passport', 'National ID No.', 'Tax ID No.', 'SWIFT/BIC', 'Registration Number', 'Cedula No.', 'NIT #', 'RFC',
  'C.U.R.P.', 'Identification Number', 'Business Registration Number', 'Unified Social Credit Code (USCC)',
  'Government Gazette Number', 'Vessel Registration Identification', 'IMO', 'MMSI', 'Aircraft Serial Identification',
  'Website', 'Email Address', 'Phone Number', 'BIK (RU)', 'Company Number', 'D-U-N-S Number', 'Legal Entity Number',
  'Public Security and Immigration No.', 'Stateless Person ID Card', 'Residency Number', 'Personal ID Card',
  "Driver's License No.", 'SSN', 'UK Company Number', 'Trade License No.', 'Commercial Registry Number',
];
const ID_RE = new RegExp(
  `^(?:alt\\. )?(${ID_TYPES.map((t) => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')}) (.+?)(?: \\(([^)]+)\\))?\\.?$`,
);

/** Identifiers named in remarks: passports, national ids, tax ids, SWIFT/BIC, IMO numbers, websites… */
export function idsFromRemarks(remarks: string | undefined): ListIdentifier[] {
  if (!remarks) return [];
  const out: ListIdentifier[] = [];
  for (const seg of remarks.split(/;\s*/)) {
    const m = ID_RE.exec(seg.trim());
    if (!m) continue;
    const value = m[2]!.replace(/\s+(issued|expires)\b.*$/i, '').trim();
    if (!value) continue;
    const country = countryFromName(m[3]);
    out.push(country ? { type: m[1]!, value, country } : { type: m[1]!, value });
  }
  return out;
}
