// Splits the regulation-style text of BIS rows: a.k.a./f.k.a. clauses into aliases, several addresses in one field.
import type { Address, Alias, AliasType } from '../model/index.js';
import { countryFromName, isIsoCountry } from '../model/countries.js';
import { guessEntityType } from './entity-type.js';

const AKA_RE = /\(?\s*,?\s*\b(a\.k\.a\.?|f\.k\.a\.?|n\.k\.a\.?|also known as|formerly known as|now known as)\s*,?/i;

function akaType(marker: string): AliasType {
  const m = marker.toLowerCase();
  if (m.startsWith('f') || m.startsWith('formerly')) return 'fka';
  if (m.startsWith('n')) return 'nka';
  return 'aka';
}

/** Cleans one alias candidate: quotes, brackets, leading "and", trailing punctuation. */
export function cleanAlias(text: string): string {
  let t = text.trim();
  t = t.replace(/^(and|or)\s+/i, '').replace(/^the following (one |two |three |\w+ )?alias(es)?:?\s*/i, '');
  t = t.replace(/^[\s,;:(]+/, '').replace(/[\s,;:)]+$/, '');
  // quotes: drop only unbalanced ones at the edges
  const opens = (t.match(/[“"]/g) ?? []).length;
  const closes = (t.match(/[”"]/g) ?? []).length;
  if (/^[“"]/.test(t) && !/[”"]$/.test(t) && opens > closes - (t.includes('"') ? opens : 0)) t = t.replace(/^[“"]\s*/, '');
  if (/[”"]$/.test(t) && !/[“"]/.test(t.slice(0, -1))) t = t.replace(/\s*[”"]$/, '');
  // wrapped whole in quotes: “MEC”
  const wrapped = /^[“"]([^“”"]+)[”"]$/.exec(t);
  if (wrapped) t = wrapped[1]!.trim();
  if (t.endsWith('.') && !/\b(co|ltd|inc|corp|s\.a|llc|jsc|a\.s|gmbh|pte|bhd|l\.p|no|st)\.$/i.test(t)) t = t.slice(0, -1).trim();
  // an opening "(" left without its ")"
  if (t.split('(').length > t.split(')').length) t = `${t})`;
  return t.trim();
}

/** Splits a list of aliases separated by `;`, `; and`, ` and ` (regulation text). */
export function splitAliasList(text: string): string[] {
  return text
    .split(/;\s*(?:and\s+)?|,\s+and\s+|\s+and\s+(?=[A-Z0-9“"'])/)
    .map(cleanAlias)
    .filter((a) => a.length > 1 && /\p{L}/u.test(a));
}

/**
 * Removes a.k.a./f.k.a. clauses from a name: "Mesbah Energy Company (a.k.a. “MEC”)" →
 * name "Mesbah Energy Company", aliases [MEC]. `open` is true when the clause was cut off (no `)`),
 * i.e. it continues in the next field.
 */
export function splitAkaName(primaryName: string): { name: string; aliases: Alias[]; open: boolean } {
  const m = AKA_RE.exec(primaryName);
  if (!m || m.index === 0) return { name: primaryName.trim(), aliases: [], open: false };
  const name = primaryName.slice(0, m.index).replace(/[\s,(]+$/, '').trim();
  let rest = primaryName.slice(m.index + m[0].length);
  const open = m[0].includes('(') && !rest.includes(')');
  const close = rest.lastIndexOf(')');
  if (close >= 0) rest = rest.slice(0, close);
  const type = akaType(m[1]!);
  const aliases = splitAkaClauses(rest, type);
  return { name: name || primaryName.trim(), aliases, open };
}

/** Aliases in a clause that may itself contain further a.k.a./f.k.a. markers. */
function splitAkaClauses(text: string, type: AliasType): Alias[] {
  const out: Alias[] = [];
  let current = type;
  let rest = text;
  for (;;) {
    const m = AKA_RE.exec(rest);
    const chunk = m ? rest.slice(0, m.index) : rest;
    for (const n of splitAliasList(chunk)) {
      // "Lin Rongnan, Steven Lim and Yong Nam Lim": commas separate personal names
      const pieces = n.split(/,\s+/);
      const people = pieces.length > 1 && pieces.every((p) => guessEntityType(p, 'ENTITY_LIST') === 'individual');
      for (const name of people ? pieces : [n]) out.push({ name, type: current });
    }
    if (!m) break;
    current = akaType(m[1]!);
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

/**
 * Aliases from a CSL `alt_names` field (`;`-separated; items may carry their own a.k.a. clauses).
 */
export function splitAltNames(field: string | readonly string[] | undefined): Alias[] {
  if (!field) return [];
  const items = typeof field === 'string' ? field.split(/;\s*/) : field;
  const out: Alias[] = [];
  for (const item of items) {
    const m = AKA_RE.exec(item);
    if (m && m.index > 0) {
      const base = cleanAlias(item.slice(0, m.index));
      if (base) out.push({ name: base, type: 'aka' });
      out.push(...splitAkaClauses(item.slice(m.index + m[0].length), akaType(m[1]!)));
    } else {
      const n = cleanAlias(item);
      if (n.length > 1 && /\p{L}/u.test(n)) out.push({ name: n, type: 'aka' });
      // regulation text sometimes runs an address into the alias: "Zaliv Shipyard LLC. 4 Tankistov Street, Kerch, …"
      const cut = /^(.{3,}?[\p{L})'’”])[.,]\s+\d/u.exec(n);
      if (cut && n.slice(cut[1]!.length).includes(',') && countryInText(n)) out.push({ name: cleanAlias(cut[1]!), type: 'aka' });
    }
  }
  return out;
}

/**
 * The leading a.k.a. clause of a BIS addresses field ("(a.k.a. Lin Rongnan, Steven Lim), 14K Block…"),
 * or the continuation of a name's cut-off clause (`continued`): returns aliases and the remaining text.
 */
export function leadingAkaClause(addresses: string, continued: boolean, type: AliasType = 'aka'): { aliases: Alias[]; rest: string } {
  const t = addresses.trim();
  if (continued) {
    const close = t.indexOf(')');
    if (close < 0) return { aliases: [], rest: t };
    return { aliases: splitAkaClauses(t.slice(0, close), type), rest: t.slice(close + 1).replace(/^[\s,.;]+/, '') };
  }
  const m = /^\(\s*(a\.k\.a\.?|f\.k\.a\.?|also known as|formerly known as)\s*,?\s*/i.exec(t);
  if (!m) return { aliases: [], rest: t };
  const close = t.indexOf(')', m[0].length);
  if (close < 0) return { aliases: [], rest: t };
  return { aliases: splitAkaClauses(t.slice(m[0].length, close), akaType(m[1]!)), rest: t.slice(close + 1).replace(/^[\s,.;]+/, '') };
}

/** The trailing `, XX` ISO country code the CSL appends to an address, if any. */
function trailingIso(text: string): { body: string; country?: string } {
  const m = /,\s*([A-Z]{2})\s*$/.exec(text);
  if (m && isIsoCountry(m[1]!)) return { body: text.slice(0, m.index).trim(), country: m[1]! };
  return { body: text.trim() };
}

/** Country named by the last comma-separated segment ("…, Kabul, Afghanistan."), if any. */
function countryInText(text: string): string | undefined {
  const cleaned = text.replace(/\([^)]*\)/g, ' ').replace(/[.\s]+$/, '');
  const segs = cleaned.split(/,\s*/).map((s) => s.trim()).filter(Boolean);
  for (let i = segs.length - 1; i >= Math.max(0, segs.length - 2); i--) {
    const seg = segs[i]!.replace(/\s+\d[\d\s-]*$/, '').replace(/^\d[\d\s-]*\s+/, '');
    const c = countryFromName(seg);
    if (c) return c;
  }
  return undefined;
}

/**
 * Splits a CSL `addresses` field into addresses. SDN rows: `street, city, XX; street, XX`.
 * BIS rows: regulation text with several addresses separated by `;` / `; and` / `, and`, the ISO
 * code appended once at the end.
 */
export function splitCslAddresses(field: string | undefined): Address[] {
  if (!field || !field.trim()) return [];
  const only = field.trim();
  if (/^[A-Z]{2}$/.test(only)) return isIsoCountry(only) ? [{ raw: only, country: only }] : [];
  const whole = trailingIso(field);
  const parts = whole.body
    .split(/;\s*(?:and\s+)?|,\s+and\s+(?=\S)/)
    .map((p) => p.replace(/^(and|Address:|Alt Address:)\s*/i, '').trim())
    .filter((p) => p.length > 0);
  const out: Address[] = [];
  for (const part of parts) {
    const own = trailingIso(part);
    const text = own.body.replace(/\s*\((see|also see)[^)]*\)\.?/gi, '').replace(/[\s.,]+$/, '').trim();
    if (!text) continue;
    const country = own.country ?? countryInText(text) ?? (parts.length === 1 ? whole.country : undefined) ?? whole.country;
    const addr: Address = { raw: part };
    const segs = text.split(/,\s*/);
    // a trailing country name is the country, not the city
    if (segs.length > 1 && countryFromName(segs[segs.length - 1]!.replace(/[.\s]+$/, '')) !== undefined) segs.pop();
    if (segs.length > 1) {
      addr.line = segs.slice(0, -1).join(', ');
      addr.city = segs[segs.length - 1];
    } else addr.line = text;
    if (country) addr.country = country;
    out.push(addr);
  }
  return out;
}
