// When to rescreen besides list changes: a customer's screened data changing, and the dates dated rules switch on or off.
import type { Customer } from '../model/index.js';

/** The customer fields screening depends on: names, ownership, countries (not contact data or the compute request). */
function screenedView(c: Customer): unknown {
  return {
    name: c.name,
    type: c.type ?? 'organization',
    country: c.country ?? null,
    aliases: [...(c.aliases ?? [])].sort(),
    address: c.address?.country ?? null,
    parents: c.parents ?? [],
    owners: (c.beneficialOwners ?? []).map((o) => ({ n: o.name, t: o.type ?? 'individual', c: o.country ?? null, o: o.ownership ?? null })),
  };
}

/** True when `after` differs from `before` in anything screening reads: name, aliases, type, country, parents, owners. */
export function customerChangeNeedsRescreen(before: Customer | undefined, after: Customer): boolean {
  if (!before) return true;
  return JSON.stringify(screenedView(before)) !== JSON.stringify(screenedView(after));
}

/** A dated switch of a rule: the day it starts or stops applying. */
export interface RuleSwitch {
  day: string;
  what: string;
}

interface DatedPack {
  id: string;
  effectiveFrom?: string;
  ownership?: { rules: { id: string; inForce: { from: string | null; to: string | null }[] }[] };
}

interface DatedTables {
  groups?: Readonly<Record<string, { id: string; versions: { effectiveFrom: string | null; effectiveTo: string | null }[] }>>;
  equivalences?: readonly { country: string; effectiveFrom: string | null; effectiveTo: string | null }[];
}

/**
 * Every day on which the pack's dated rules or its country tables change what a screening decides
 * (e.g. the BIS Affiliates rule re-applying on 2026-11-10), sorted and unique by day+what.
 */
export function ruleSwitchDates(pack: DatedPack, tables: DatedTables = {}): RuleSwitch[] {
  const out = new Map<string, RuleSwitch>();
  const add = (day: string | null | undefined, what: string) => {
    if (day) out.set(`${day}\u0000${what}`, { day, what });
  };
  add(pack.effectiveFrom, `policy pack ${pack.id} takes effect`);
  for (const rule of pack.ownership?.rules ?? []) {
    for (const p of rule.inForce) {
      add(p.from, `${rule.id} applies`);
      add(p.to, `${rule.id} stops applying`);
    }
  }
  for (const g of Object.values(tables.groups ?? {})) {
    for (const v of g.versions) {
      add(v.effectiveFrom, `country group ${g.id} changes`);
      add(v.effectiveTo, `country group ${g.id} changes`);
    }
  }
  for (const e of tables.equivalences ?? []) {
    add(e.effectiveFrom, `${e.country} equivalence changes`);
    add(e.effectiveTo, `${e.country} equivalence changes`);
  }
  return [...out.values()].sort((a, b) => a.day.localeCompare(b.day) || a.what.localeCompare(b.what));
}

/**
 * Switches in (lastCheckedDay, today]: the ones a daily check must act on now. Never checked before:
 * only today's (past switches were in force when those customers were last screened).
 */
export function dueRuleSwitches(switches: readonly RuleSwitch[], lastCheckedDay: string | undefined, today: string): RuleSwitch[] {
  return switches.filter((s) => s.day <= today && (lastCheckedDay === undefined ? s.day === today : s.day > lastCheckedDay));
}
