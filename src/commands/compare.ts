// `kycgate compare`: NDJSON name pairs {"a","b","type"?} in, {"score","match","pieces"} out, one line per pair, in order.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import { loadConfig, type Config } from '../config.js';
import { isKycError } from '../errors.js';
import { compareNames, defaultTokenWeights, tokenWeightsFromEntries, type TokenWeights } from '../match/index.js';
import type { ErrorRecord } from '../model/index.js';
import { loadCurrentSnapshot } from '../runtime/lists-runtime.js';
import { createLogger } from '../runtime/logger.js';
import { loadPolicyPack } from '../runtime/policy-runtime.js';

export interface CompareCommandOptions {
  /** NDJSON pairs. @defaultValue stdin */
  input?: string;
  /** NDJSON results. @defaultValue stdout */
  output?: string;
}

/** Review threshold used when the default policy pack cannot be read. */
export const FALLBACK_REVIEW_THRESHOLD = 0.85;

const pairSchema = z.strictObject({
  a: z.string().min(1),
  b: z.string().min(1),
  type: z.enum(['organization', 'individual']).optional(),
});

type Logger = ReturnType<typeof createLogger>;

/** The default pack's review threshold, or 0.85 when no pack can be read. */
function reviewThreshold(config: Config, logger: Logger): number {
  try {
    return loadPolicyPack(config.KYCGATE_POLICY).match.reviewThreshold;
  } catch (err) {
    logger.warn({ err: (err as Error).message, policy: config.KYCGATE_POLICY }, `policy pack unreadable: match threshold ${FALLBACK_REVIEW_THRESHOLD}`);
    return FALLBACK_REVIEW_THRESHOLD;
  }
}

/** Token weights from the loaded lists, or the built-in defaults when no lists are configured. */
async function weightsFor(config: Config, logger: Logger): Promise<TokenWeights> {
  try {
    const snapshot = await loadCurrentSnapshot(config, logger);
    if (snapshot) {
      logger.info({ snapshot: snapshot.id, entries: snapshot.entries.length }, 'token weights from the list snapshot');
      return tokenWeightsFromEntries(snapshot.entries);
    }
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'list snapshot unavailable: built-in token weights');
    return defaultTokenWeights();
  }
  logger.info('no list snapshot configured: built-in token weights');
  return defaultTokenWeights();
}

/** Scores every pair line; a bad line yields an error record and the rest go on. */
export async function run(opts: CompareCommandOptions): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.KYCGATE_LOG_LEVEL, { command: 'compare' });
  const threshold = reviewThreshold(config, logger);
  const weights = await weightsFor(config, logger);

  const input = opts.input ? createReadStream(opts.input) : process.stdin;
  const output: Writable = opts.output ? createWriteStream(opts.output) : process.stdout;
  let buffer = '';
  const flush = async () => {
    if (!buffer) return;
    const chunk = buffer;
    buffer = '';
    if (!output.write(chunk)) await once(output, 'drain');
  };
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (!text.trim()) continue;
    let record: unknown;
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw Object.assign(new Error(`line ${line}: ${(err as Error).message}`), { kycCode: 'KYC_ERR_INPUT_JSON' });
      }
      const pair = pairSchema.safeParse(parsed);
      if (!pair.success) {
        const issue = pair.error.issues[0];
        const where = issue?.path.length ? issue.path.join('.') : '(root)';
        throw Object.assign(new Error(`line ${line}: ${where}: ${issue?.message ?? 'invalid pair'}; expected {"a": name, "b": name, "type"?: "organization"|"individual"}`), {
          kycCode: 'KYC_ERR_INPUT_INVALID',
        });
      }
      const { a, b, type } = pair.data;
      const r = compareNames(a, b, { weights, ...(type ? { type } : {}) });
      record = { score: r.score, match: r.score >= threshold, pieces: r.pieces };
    } catch (err) {
      const code = (err as { kycCode?: string }).kycCode ?? (isKycError(err) ? err.code : 'KYC_ERR_INTERNAL');
      if (code === 'KYC_ERR_INTERNAL') logger.error({ err, line }, 'unexpected error while comparing a line');
      record = { id: null, line, error: { code, message: (err as Error).message } } satisfies ErrorRecord;
    }
    buffer += `${JSON.stringify(record)}\n`;
    if (buffer.length >= 64 * 1024) await flush();
  }
  await flush();
  if (opts.output) {
    output.end();
    await once(output, 'finish');
  }
  return 0;
}
