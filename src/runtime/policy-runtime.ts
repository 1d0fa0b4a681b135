// Loads the rule data in lists/ (policy packs, country-group tables, GPU catalog) from disk, validates it with zod, caches it.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { KycError } from '../errors.js';
import {
  countryGroupSchema,
  equivalencesSchema,
  gpuCatalogSchema,
  policyPackSchema,
  type CountryEquivalences,
  type CountryGroupTable,
  type PolicyPack,
  type RuleData,
} from '../policy/index.js';
import { deepFreeze } from './deep-freeze.js';

/** The project's own data directory (`lists/` at the package root). */
export const DEFAULT_RULES_DIR = resolve(import.meta.dirname, '../../lists');

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new KycError('KYC_ERR_RULES_INVALID', `cannot read rule file ${file}: ${(err as Error).message}`, { file }, { cause: err });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new KycError('KYC_ERR_RULES_INVALID', `invalid rule file ${file}: ${problems.join('; ')}`, { file, problems });
  }
  return deepFreeze(parsed.data);
}

const jsonFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

const ruleCache = new Map<string, RuleData>();
const packCache = new Map<string, PolicyPack>();

/** Country groups, equivalences and the GPU catalog from `dir` (default lists/), validated and frozen; cached per dir. */
export function loadRuleData(dir: string = DEFAULT_RULES_DIR): RuleData {
  const cached = ruleCache.get(dir);
  if (cached) return cached;
  const groups: Record<string, CountryGroupTable> = {};
  const equivalences: CountryEquivalences['entries'][number][] = [];
  const hash = createHash('sha256');
  const tiersDir = join(dir, 'tiers');
  for (const name of jsonFiles(tiersDir)) {
    const file = join(tiersDir, name);
    const text = readFileSync(file, 'utf8');
    hash.update(text);
    const kind = (JSON.parse(text) as { kind?: unknown }).kind;
    if (kind === 'country-group') {
      const g = readJson(file, countryGroupSchema);
      if (groups[g.id]) throw new KycError('KYC_ERR_RULES_INVALID', `country group ${g.id} is defined twice (${file})`, { file });
      groups[g.id] = g;
    } else if (kind === 'country-equivalences') {
      equivalences.push(...readJson(file, equivalencesSchema).entries);
    } else {
      throw new KycError('KYC_ERR_RULES_INVALID', `rule file ${file} has unknown kind ${JSON.stringify(kind)}`, { file });
    }
  }
  const gpuFile = join(dir, 'gpus.json');
  hash.update(readFileSync(gpuFile, 'utf8'));
  const gpus = readJson(gpuFile, gpuCatalogSchema);
  const latest = (g: CountryGroupTable) => g.versions.reduce((a, v) => ((v.effectiveFrom ?? '') > a ? (v.effectiveFrom ?? '') : a), '');
  const readable = [...Object.values(groups).map((g) => `${g.id}@${latest(g)}`), `gpus@${gpus.version}`].join(',');
  const data: RuleData = Object.freeze({
    groups: Object.freeze(groups),
    equivalences: Object.freeze(equivalences) as RuleData['equivalences'],
    gpus,
    version: `${readable}#${hash.digest('hex').slice(0, 8)}`,
  });
  ruleCache.set(dir, data);
  return data;
}

/** Every citation key a pack's rules refer to. */
function citeKeys(pack: PolicyPack): string[] {
  const cites = [pack.match.cite, ...pack.ownership.rules.map((r) => r.cite), ...Object.values(pack.headquarters.tiers).map((t) => t?.cite), pack.training.cite, pack.cluster.cite];
  return cites.flatMap((c) => (c === undefined ? [] : Array.isArray(c) ? c : [c]));
}

/** Names of the policy packs in `dir`/policy. */
export function listPolicyPacks(dir: string = DEFAULT_RULES_DIR): string[] {
  return jsonFiles(join(dir, 'policy')).map((f) => f.replace(/\.json$/, ''));
}

/**
 * The named policy pack, validated against the schema and the rule data (its country groups must exist); cached.
 * Throws KYC_ERR_UNKNOWN_POLICY naming the packs that exist.
 */
export function loadPolicyPack(name: string, dir: string = DEFAULT_RULES_DIR): PolicyPack {
  const key = `${dir}\u0000${name}`;
  const cached = packCache.get(key);
  if (cached) return cached;
  const available = listPolicyPacks(dir);
  if (!available.includes(name)) {
    throw new KycError('KYC_ERR_UNKNOWN_POLICY', `unknown policy pack ${JSON.stringify(name)}; available: ${available.join(', ')}`, { policy: name, available });
  }
  const file = join(dir, 'policy', `${name}.json`);
  const pack = readJson(file, policyPackSchema);
  if (pack.id !== name) throw new KycError('KYC_ERR_RULES_INVALID', `policy pack ${file} has id ${pack.id}, expected ${name}`, { file });
  const rules = loadRuleData(dir);
  for (const tier of ['1', '3'] as const) {
    for (const g of pack.tiers[tier].groups) {
      if (!rules.groups[g]) throw new KycError('KYC_ERR_RULES_INVALID', `policy pack ${name}: Tier ${tier} names unknown country group ${g}`, { file });
    }
  }
  for (const missing of citeKeys(pack).filter((k) => !(k in pack.citations))) {
    throw new KycError('KYC_ERR_RULES_INVALID', `policy pack ${name} cites ${missing}, which its citations do not define`, { file });
  }
  packCache.set(key, pack);
  return pack;
}
