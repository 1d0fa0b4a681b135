// Test fixtures for policy/screening unit tests: a tiny in-memory MatchIndex, the real packs and rule data, a context builder.
import type { MatchCandidate, MatchIndex } from '../../../src/match/types.js';
import type { Customer, Decision, ListCode, ListEntry } from '../../../src/model/index.js';
import { screenCustomer, type ScreeningContext } from '../../../src/screening/screen.js';
import { loadPolicyPack, loadRuleData } from '../../../src/runtime/policy-runtime.js';

export interface FakeRow {
  /** The screened name that finds this entry (case-insensitive exact). */
  query: string;
  list: ListCode;
  sourceId: string;
  primaryName?: string;
  score?: number;
  /** The country feature the matcher reports (it compares ISO codes literally). */
  country?: 'match' | 'mismatch' | 'unknown';
  entityType?: ListEntry['entityType'];
  /** Address countries of the entry (the screening re-compares them through the EAR's equivalences). */
  addressCountries?: string[];
}

export function entry(row: FakeRow): ListEntry {
  const name = row.primaryName ?? row.query;
  return {
    list: row.list,
    sourceId: row.sourceId,
    primaryName: name,
    name,
    aliases: [],
    entityType: row.entityType ?? 'organization',
    addresses: (row.addressCountries ?? []).map((country) => ({ country, raw: country })),
    programs: row.list === 'SDN' ? ['SDGT'] : [],
    ids: [],
    dates: {},
    origin: 'test',
    raw: {},
  };
}

/** A MatchIndex that returns fixed candidates for exact (case-insensitive) names. */
export function fakeIndex(rows: FakeRow[]): MatchIndex {
  return {
    entryCount: rows.length,
    nameCount: rows.length,
    search(query, options) {
      const out: MatchCandidate[] = [];
      for (const row of rows) {
        const score = row.score ?? 1;
        if (row.query.toLowerCase() !== query.name.toLowerCase() || score < options.minScore) continue;
        out.push({ entry: entry(row), matchedName: row.primaryName ?? row.query, score, pieces: [], features: { tokens: score, country: row.country ?? 'unknown' } });
      }
      return out.sort((a, b) => b.score - a.score).slice(0, options.limit ?? 20);
    },
  };
}

export const RULES = loadRuleData();
export const PACKS = { ai: loadPolicyPack('ai-diffusion-2025'), us: loadPolicyPack('us-export-2026') } as const;
export type PackKey = keyof typeof PACKS;

/** Screens with the real pack and rule data; `date` defaults to 2026-06-01 (Affiliates rule suspended, Cambodia out of D:5). */
export function decide(customer: Customer, pack: PackKey, opts: Partial<ScreeningContext> & { rows?: FakeRow[]; date?: string } = {}): Decision {
  const { rows = [], date = '2026-06-01', ...rest } = opts;
  return screenCustomer(customer, {
    index: fakeIndex(rows),
    lists: { version: 'snap-test', sources: { SDN: 'test' } },
    pack: PACKS[pack],
    rules: RULES,
    now: new Date(`${date}T12:00:00Z`),
    screeningId: 'test-screening',
    ...rest,
  });
}

export const codes = (d: Decision) => d.reasons.map((r) => r.code).sort();
export const reason = (d: Decision, code: string) => d.reasons.find((r) => r.code === code);
