// The source registry: which official files make up each list source, their URLs and refresh cadence (data in lists/sources.json).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { KycError } from '../errors.js';

const fileSchema = z.object({
  /** File name as published, and as it appears in a seed directory. */
  name: z.string().min(1),
  url: z.url(),
  fallbackUrl: z.url().optional(),
  /** A source refresh fails when a required file cannot be had. */
  required: z.boolean().default(true),
  /** Another representation of the named file (e.g. CSL JSON vs. CSV): fetched only when that one fails. */
  alternativeOf: z.string().optional(),
});

const sourceSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  agency: z.string().optional(),
  /** The publisher's usual cadence in minutes (informational; KYCGATE_REFRESH_MINUTES sets the schedule). */
  cadenceMinutes: z.number().int().positive().optional(),
  files: z.array(fileSchema).min(1),
  landingPage: z.url().optional(),
});

const registrySchema = z.object({ $comment: z.string().optional(), sources: z.array(sourceSchema).min(1) });

export type SourceFile = z.infer<typeof fileSchema>;
export type ListSource = z.infer<typeof sourceSchema>;
export type SourceRegistry = readonly ListSource[];

/** lists/sources.json of this package. */
export const DEFAULT_REGISTRY_PATH = path.resolve(import.meta.dirname, '../../lists/sources.json');

/** Parses a registry document; throws KYC_ERR_CONFIG_INVALID naming the problem. */
export function parseRegistry(doc: unknown, origin = 'sources.json'): SourceRegistry {
  const parsed = registrySchema.safeParse(doc);
  if (!parsed.success) {
    throw new KycError('KYC_ERR_CONFIG_INVALID', `${origin}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const ids = new Set<string>();
  for (const s of parsed.data.sources) {
    if (ids.has(s.id)) throw new KycError('KYC_ERR_CONFIG_INVALID', `${origin}: duplicate source id ${s.id}`);
    ids.add(s.id);
  }
  return Object.freeze(parsed.data.sources.map((s) => Object.freeze(s)));
}

/** Loads the registry from `file` (default: lists/sources.json). */
export function loadRegistry(file: string = DEFAULT_REGISTRY_PATH): SourceRegistry {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new KycError('KYC_ERR_CONFIG_INVALID', `cannot read source registry ${file}: ${(err as Error).message}`);
  }
  return parseRegistry(doc, file);
}

/** The source with this id; throws KYC_ERR_INPUT_INVALID naming the known ones. */
export function getSource(registry: SourceRegistry, id: string): ListSource {
  const s = registry.find((x) => x.id === id);
  if (!s) throw new KycError('KYC_ERR_INPUT_INVALID', `unknown list source "${id}" (known: ${registry.map((x) => x.id).join(', ')})`);
  return s;
}

/** The source a file name belongs to (case-insensitive), if any: used to pick a source's files out of a seed directory. */
export function sourceOfFile(registry: SourceRegistry, fileName: string): ListSource | undefined {
  const base = path.basename(fileName).toLowerCase();
  return registry.find((s) => s.files.some((f) => f.name.toLowerCase() === base));
}
