// Country tiers on a date: Tier 1 (US + AIA), Tier 3 (D:5 + Macau, Hong Kong as China), Tier 2 everything else.
import type { CountryGroupTable, PolicyPack, RuleData } from './schema.js';
import { inPeriod, isoDay } from './dates.js';

export type Tier = 1 | 2 | 3;

export interface TierResult {
  tier: Tier;
  /** The ISO code as given (upper case). */
  country: string;
  /** The destination the EAR treats it as (e.g. HK → CN), when different. */
  treatedAs?: string;
  /** Why: the group (with the version in force) or explicit country that put it in its tier. */
  basis: string;
}

/** The version of a dated group table in force on `day`; before the first recorded version, the earliest one. */
export function groupVersion(table: CountryGroupTable, day: string): CountryGroupTable['versions'][number] {
  const found = table.versions.find((v) => inPeriod(day, v.effectiveFrom, v.effectiveTo));
  if (found) return found;
  const first = [...table.versions].sort((a, b) => (a.effectiveFrom ?? '').localeCompare(b.effectiveFrom ?? ''))[0];
  if (!first) throw new Error(`country group ${table.id} has no versions`);
  return first;
}

function versionLabel(table: CountryGroupTable, v: CountryGroupTable['versions'][number]): string {
  return `${table.id} (table in force from ${v.effectiveFrom ?? 'its first record'}${v.effectiveTo ? ` to ${v.effectiveTo}` : ''})`;
}

/** The country the EAR treats `country` as on `day` (HK → CN since 2020-12-23), or itself. */
export function treatedAs(country: string, day: string, rules: RuleData): string {
  const eq = rules.equivalences.find((e) => e.country === country && inPeriod(day, e.effectiveFrom, e.effectiveTo));
  return eq ? eq.treatedAs : country;
}

function inTier(code: string, day: string, tier: '1' | '3', pack: PolicyPack, rules: RuleData): string | undefined {
  const def = pack.tiers[tier];
  if (def.countries.includes(code)) return `named in Tier ${tier} of pack ${pack.id}`;
  for (const id of def.groups) {
    const table = rules.groups[id];
    if (!table) throw new Error(`policy pack names unknown country group ${id}`);
    const v = groupVersion(table, day);
    if (v.members.includes(code)) return `member of Country Group ${versionLabel(table, v)}`;
  }
  return undefined;
}

/** The tier of an ISO alpha-2 country on `at`, under the pack's tier definitions and the dated tables. */
export function countryTier(country: string, at: Date, pack: PolicyPack, rules: RuleData): TierResult {
  const day = isoDay(at);
  const key = `${day}\u0000${country}`;
  let byPack = tierMemo.get(rules);
  if (!byPack) tierMemo.set(rules, (byPack = new WeakMap()));
  let memo = byPack.get(pack);
  if (!memo) byPack.set(pack, (memo = new Map()));
  let result = memo.get(key);
  if (!result) {
    if (memo.size >= TIER_MEMO_MAX) memo.clear();
    result = Object.freeze(tierOf(country, day, pack, rules));
    memo.set(key, result);
  }
  return result;
}

/** Tier answers per rule data, pack, day and country: pure, asked for every party of every screening. */
const tierMemo = new WeakMap<RuleData, WeakMap<PolicyPack, Map<string, TierResult>>>();
const TIER_MEMO_MAX = 10_000;

function tierOf(country: string, day: string, pack: PolicyPack, rules: RuleData): TierResult {
  const code = country.toUpperCase();
  const mapped = treatedAs(code, day, rules);
  const base = mapped !== code ? { country: code, treatedAs: mapped } : { country: code };
  const via = mapped !== code ? `${code} treated as ${mapped} under the EAR; ${mapped} ` : '';
  const t3 = inTier(mapped, day, '3', pack, rules);
  if (t3) return { ...base, tier: 3, basis: `${via}${t3}`.trim() };
  const t1 = inTier(mapped, day, '1', pack, rules);
  if (t1) return { ...base, tier: 1, basis: `${via}${t1}`.trim() };
  return { ...base, tier: 2, basis: `${via}not in Tier 1 (US + AIA) or Tier 3 (D:5 + Macau) on ${day}`.trim() };
}
