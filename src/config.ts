// The only reader of process.env: parses, defaults, validates and freezes kycgate's configuration.
import { z } from 'zod';
import { KycError } from './errors.js';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const fraction = z.coerce.number().min(0).max(1);
const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(' or ')} URL`);

/** Every environment variable kycgate reads, with its default. Unknown `KYCGATE_*` variables are rejected. */
const schema = {
  /** HTTP port of `kycgate serve`. */
  PORT: int(0, 65535).default(8080),
  /** Interface `kycgate serve` binds. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** PostgreSQL URL; when unset and nothing answers at the default, an embedded PGlite database serves. */
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  /** Redis URL; when unset and nothing answers at the default, screening runs in-process only. */
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  /** Directory of official list files served offline instead of downloading. */
  KYCGATE_SEED_DIR: z.string().min(1).optional(),
  /** Where snapshots, the embedded database and caches live (outside git). */
  KYCGATE_DATA_DIR: z.string().min(1).default('.kycgate'),
  /** Default policy pack. */
  KYCGATE_POLICY: z.string().min(1).default('us-export-2026'),
  /** pino log level. */
  KYCGATE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** A new snapshot of a source must have at least this fraction of the previous one's entries. */
  KYCGATE_MIN_COUNT_FRACTION: fraction.default(0.9),
  /** Download official files (true) or only use the seed directory (false). Default: download unless a seed dir is set. */
  KYCGATE_DOWNLOAD: bool.optional(),
  /** Source registry (official URLs of each list source); default: the package's lists/sources.json. */
  KYCGATE_SOURCES_FILE: z.string().min(1).optional(),
  /** Refresh cadence of each source, in minutes. */
  KYCGATE_REFRESH_MINUTES: int(1, 7 * 24 * 60).default(360),
  /** Download timeout per file, ms. */
  KYCGATE_DOWNLOAD_TIMEOUT_MS: int(100, 600_000).default(60_000),
  /** Download size cap per file, bytes. */
  KYCGATE_DOWNLOAD_MAX_BYTES: int(1024, 2_000_000_000).default(300_000_000),
  /** BullMQ and Redis key prefix; must contain a `{hash tag}` so Redis Cluster keeps the keys one script touches in one slot. */
  KYCGATE_QUEUE_PREFIX: z
    .string()
    .regex(/\{[^{}]+\}/, 'must contain a Redis Cluster hash tag such as {kycgate}')
    .default('{kycgate}'),
  /** Inline latency budget of the demo route (`kycgate serve --demo`), ms; `kycgate.screen()` uses its own `budgetMs` option (default 50). */
  KYCGATE_LATENCY_BUDGET_MS: int(1, 60_000).default(50),
  /** Customers per rescreen job. */
  KYCGATE_RESCREEN_CHUNK: int(1, 100_000).default(1000),
  /** Worker concurrency per queue. */
  KYCGATE_WORKER_CONCURRENCY: int(1, 256).default(1),
  /** Start the BullMQ workers inside `kycgate serve` (the quick start); set false when workers run separately. */
  KYCGATE_EMBEDDED_WORKERS: bool.default(true),
  /** Requests per minute per client on public endpoints. */
  KYCGATE_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  /** Maximum JSON body size, bytes. */
  KYCGATE_BODY_LIMIT_BYTES: int(1024, 50_000_000).default(1_000_000),
  /** Lists not known current for this many hours (newest source retrieval, or the last refresh that found them unchanged) hold every decision for review (SCREENING_UNAVAILABLE); 0 = off. Seed-directory and `lists import` files count from their import. */
  KYCGATE_MAX_LIST_AGE_HOURS: int(0, 24 * 366).default(72),
  /** Name searches remembered per list snapshot (a repeated customer skips the index; a new snapshot starts empty); 0 = off. */
  KYCGATE_MATCH_CACHE_SIZE: int(0, 10_000_000).default(50_000),
  /** Allow decisions remembered by their exact input (from its second allow on) and reused for an identical request under the same lists, pack, rules and day (src/http/middleware/decision-memo.ts); 0 = off. */
  KYCGATE_DECISION_MEMO_SIZE: int(0, 1_000_000).default(10_000),
  /** Write allow decisions (write-behind) from a worker thread with its own PostgreSQL connections, off the event loop; PGlite always writes on the main thread. */
  KYCGATE_RECORDER_THREAD: bool.default(true),
  /** Nice value (0–19) the writer thread lowers its own CPU priority to (Linux, per thread), so recording yields the CPU to request handling; 0 leaves it. */
  KYCGATE_RECORDER_NICE: int(0, 19).default(10),
} as const;

const envSchema = z.object(schema);
export type Config = Readonly<z.infer<typeof envSchema>> & {
  /** True when DATABASE_URL / REDIS_URL were set explicitly (not defaulted). */
  readonly explicit: Readonly<{ database: boolean; redis: boolean }>;
};

export const DEFAULT_DATABASE_URL = 'postgres://127.0.0.1:5432/kycgate';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Names of every variable kycgate reads. */
export const CONFIG_VARIABLES = Object.freeze(Object.keys(schema));

/**
 * Reads and validates configuration. Unknown `KYCGATE_*` variables and invalid values throw
 * `KYC_ERR_CONFIG_INVALID` naming the variable. Empty strings count as unset.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    if (key in schema) picked[key] = value;
    else if (key.startsWith('KYCGATE_')) problems.push(`${key}: unknown variable (known: ${CONFIG_VARIABLES.filter((k) => k.startsWith('KYCGATE_')).join(', ')})`);
  }
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(picked[String(issue.path[0])])})`);
  }
  if (problems.length > 0 || !parsed.success) {
    throw new KycError('KYC_ERR_CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, { problems });
  }
  return Object.freeze({
    ...parsed.data,
    explicit: Object.freeze({ database: 'DATABASE_URL' in picked, redis: 'REDIS_URL' in picked }),
  });
}
