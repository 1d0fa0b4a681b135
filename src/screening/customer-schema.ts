// Zod schema of the Customer input contract; parseCustomer turns unknown JSON into a Customer or a path-naming KycError.
import { z } from 'zod';
import { KycError } from '../errors.js';
import type { Customer, Parent } from '../model/index.js';

const text = z.string().trim().min(1, 'must be a non-empty string');
/** Countries are kept as given (upper-cased); malformed codes become INCOMPLETE_IDENTITY, not a schema error. */
const country = z.string().trim().transform((c) => c.toUpperCase());
const partyType = z.enum(['organization', 'individual']);
/** Ownership outside 0..1 is kept and reported as INCOMPLETE_IDENTITY by the screening. */
const ownership = z.number().finite();

const parentSchema: z.ZodType<Parent> = z.lazy(() =>
  z.object({
    name: text,
    country: country.optional(),
    ownership: ownership.optional(),
    aliases: z.array(text).optional(),
    parents: z.array(parentSchema).optional(),
  }),
);

const addressSchema = z.object({
  line1: z.string().optional(),
  line2: z.string().optional(),
  city: z.string().optional(),
  region: z.string().optional(),
  postalCode: z.string().optional(),
  country: country.optional(),
});

export const customerSchema: z.ZodType<Customer> = z.object({
  id: z.union([text, z.number().finite().transform(String)]),
  name: text,
  type: partyType.optional(),
  country: country.optional(),
  aliases: z.array(text).optional(),
  address: addressSchema.optional(),
  parents: z.array(parentSchema).optional(),
  beneficialOwners: z
    .array(z.object({ name: text, type: partyType.optional(), country: country.optional(), ownership: ownership.optional() }))
    .optional(),
  identifiers: z.array(z.object({ type: text, value: text, country: country.optional() })).optional(),
  contact: z.object({ email: z.string().optional(), phone: z.string().optional() }).optional(),
  paymentFingerprint: z.string().optional(),
  accessIps: z.array(z.string()).optional(),
  request: z
    .object({
      gpuModel: text,
      gpuCount: z.number().int('must be a whole number of GPUs').positive(),
      hours: z.number().finite().positive(),
      purpose: z.enum(['training', 'fine-tuning', 'inference', 'other']).optional(),
    })
    .optional(),
}) as unknown as z.ZodType<Customer>;

/** Parses one customer. Throws KYC_ERR_INPUT_INVALID naming each offending path (e.g. `request.gpuCount: …`). */
export function parseCustomer(input: unknown): Customer {
  const result = customerSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(customer)'}: ${i.message}`);
  throw new KycError('KYC_ERR_INPUT_INVALID', `invalid customer: ${problems.join('; ')}`, { problems });
}
