// Zod schemas and types of the rule data in lists/: policy packs, dated country-group tables, the GPU catalog.
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO date YYYY-MM-DD');
const country = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code');
const outcome = z.enum(['allow', 'review', 'deny']);
const tierKey = z.enum(['1', '2', '3']);
const purpose = z.enum(['training', 'fine-tuning', 'inference', 'other']);

/** A half-open date interval [from, to); `null` means open-ended. */
export const periodSchema = z.object({ from: isoDate.nullable(), to: isoDate.nullable() }).strict();

export const countryGroupSchema = z
  .object({
    kind: z.literal('country-group'),
    id: z.string().min(1),
    title: z.string().min(1),
    citations: z.array(z.string().min(1)).min(1),
    versions: z
      .array(
        z
          .object({
            effectiveFrom: isoDate.nullable(),
            effectiveTo: isoDate.nullable(),
            members: z.array(country).min(1),
            note: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type CountryGroupTable = z.infer<typeof countryGroupSchema>;

export const equivalencesSchema = z
  .object({
    kind: z.literal('country-equivalences'),
    id: z.string().min(1),
    title: z.string().min(1),
    entries: z.array(
      z
        .object({ country, treatedAs: country, effectiveFrom: isoDate.nullable(), effectiveTo: isoDate.nullable(), citation: z.string().min(1) })
        .strict(),
    ),
  })
  .strict();
export type CountryEquivalences = z.infer<typeof equivalencesSchema>;

export const PRECISIONS = ['FP4', 'FP8', 'INT8', 'FP16', 'BF16', 'TF32'] as const;
export type Precision = (typeof PRECISIONS)[number];
/** Bit length of each precision, for TPP (3A090 Technical Note 1). */
export const PRECISION_BITS: Readonly<Record<Precision, number>> = Object.freeze({ FP4: 4, FP8: 8, INT8: 8, FP16: 16, BF16: 16, TF32: 32 });

export const gpuModelSchema = z
  .object({
    vendor: z.string().min(1),
    name: z.string().min(1),
    aliases: z.array(z.string().min(1)).default([]),
    /** Dense peak TFLOP/s (TOP/s for INT8) per precision. */
    dense: z.partialRecord(z.enum(PRECISIONS), z.number().positive()),
    tpp: z.number().positive(),
    datasheet: z.string().min(1),
    source: z.string().min(1),
  })
  .strict();
export type GpuModel = z.infer<typeof gpuModelSchema>;

export const gpuCatalogSchema = z
  .object({
    kind: z.literal('gpu-catalog'),
    version: z.string().min(1),
    title: z.string(),
    unit: z.string(),
    tppRule: z.string(),
    trainingRule: z.string(),
    models: z.record(z.string().min(1), gpuModelSchema),
  })
  .strict();
export type GpuCatalog = z.infer<typeof gpuCatalogSchema>;

const cite = z.union([z.string(), z.array(z.string())]);

export const policyPackSchema = z
  .object({
    kind: z.literal('policy-pack'),
    id: z.string().regex(/^[a-z0-9-]+$/),
    version: z.string().min(1),
    title: z.string().min(1),
    summary: z.string().min(1),
    effectiveFrom: isoDate,
    citations: z.record(z.string(), z.string().min(1)),
    tiers: z
      .object({
        '1': z.object({ countries: z.array(country), groups: z.array(z.string()) }).strict(),
        '3': z.object({ countries: z.array(country), groups: z.array(z.string()) }).strict(),
      })
      .strict(),
    match: z
      .object({
        reviewThreshold: z.number().min(0).max(1),
        denyThreshold: z.number().min(0).max(1),
        maxHits: z.number().int().positive(),
        /** When true, a name hit whose country disagrees with the party's stays at review. */
        denyNeedsCountryAgreement: z.boolean(),
        /** The most a list match on a parent or beneficial owner leads to by itself; ownership rules decide beyond it. */
        relatedPartyMax: outcome,
        cite: cite.optional(),
      })
      .strict()
      .refine((m) => m.denyThreshold >= m.reviewThreshold, 'denyThreshold must be ≥ reviewThreshold'),
    lists: z.record(z.string(), z.object({ outcome, rule: z.string().min(1) }).strict()),
    defaultListOutcome: outcome,
    ownership: z
      .object({
        threshold: z.number().gt(0).max(1),
        rules: z.array(
          z
            .object({
              id: z.string().min(1),
              title: z.string().min(1),
              lists: z.array(z.string()).min(1),
              outcome,
              inForce: z.array(periodSchema).min(1),
              outcomeWhenNotInForce: outcome.nullable(),
              whenNotInForce: z.string().optional(),
              cite: cite.optional(),
            })
            .strict(),
        ),
      })
      .strict(),
    headquarters: z
      .object({
        tiers: z.partialRecord(
          tierKey,
          z
            .object({ noRequest: outcome, purposes: z.record(purpose, outcome), rule: z.string().min(1), cite: cite.optional() })
            .strict(),
        ),
      })
      .strict(),
    training: z
      .object({
        threshold: z.number().positive(),
        utilization: z.number().gt(0).max(1),
        precisions: z.array(z.enum(PRECISIONS)).min(1),
        purposes: z.array(purpose),
        unknownPurpose: purpose,
        tiers: z.partialRecord(tierKey, outcome),
        aggregation: z.object({ windowDays: z.number().positive(), groupBy: z.literal('ultimate-parent') }).strict(),
        rule: z.string().min(1),
        cite: cite.optional(),
      })
      .strict(),
    cluster: z
      .object({
        enabled: z.boolean(),
        threshold: z.number().positive(),
        rate: z.literal('max-dense'),
        tiers: z.partialRecord(tierKey, outcome),
        rule: z.string().min(1),
        cite: cite.optional(),
      })
      .strict(),
  })
  .strict();
export type PolicyPack = z.infer<typeof policyPackSchema>;

/** Every table a decision may consult, besides the pack: country groups by id, equivalences, GPU catalog. */
export interface RuleData {
  groups: Readonly<Record<string, CountryGroupTable>>;
  equivalences: CountryEquivalences['entries'];
  gpus: GpuCatalog;
  /** A short fingerprint of the tables' versions, named in decisions. */
  version: string;
}
