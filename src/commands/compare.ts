// `kycgate compare`: NDJSON name pairs {"a","b","type"?,"id"?} in, {"id"?,"score","match","pieces"} out, one line per pair, in order.
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import { loadConfig, type Config } from '../config.js';
import { isKycError, KycError } from '../errors.js';
import { compareNames, defaultTokenWeights, tokenWeightsFromEntries, type TokenWeights } from '../match/index.js';
import type { ErrorRecord } from '../model/index.js';
import { loadCurrentSnapshot } from '../runtime/lists-runtime.js';
import { createLogger } from '../runtime/logger.js';
import { loadPolicyPack } from '../runtime/policy-runtime.js';
import { SnapshotStore } from '../sources/snapshot-store.js';
import { emptyLine, idOf, RecordWriter } from './record-writer.js';

export interface CompareCommandOptions {
  /** NDJSON pairs. @defaultValue stdin */
  input?: string;
  /** NDJSON results. @defaultValue stdout */
  output?: string;
}

/** Review threshold used when the default policy pack cannot be read. */
export const FALLBACK_REVIEW_THRESHOLD = 0.85;

/** Extra fields (e.g. an `id`, labels) are allowed and ignored; `id` is echoed in the output record. */
const pairSchema = z.object({
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

/**
 * Token weights from the loaded lists, or the built-in defaults when no lists are configured (no KYCGATE_SEED_DIR and
 * no stored snapshot). Lists that are configured but fail to load are an error (KYC_ERR_LISTS_UNAVAILABLE), not a
 * silent fall-back: the scores would differ from the ones screening gives.
 */
async function weightsFor(config: Config, logger: Logger): Promise<TokenWeights> {
  const configured = config.KYCGATE_SEED_DIR !== undefined || (await new SnapshotStore(config.KYCGATE_DATA_DIR).currentId()) !== undefined;
  if (!configured) {
    logger.info('no list snapshot configured: built-in token weights');
    return defaultTokenWeights();
  }
  const where = config.KYCGATE_SEED_DIR !== undefined ? `KYCGATE_SEED_DIR ${config.KYCGATE_SEED_DIR}` : `the snapshot store in ${config.KYCGATE_DATA_DIR}`;
  let snapshot: Awaited<ReturnType<typeof loadCurrentSnapshot>>;
  try {
    snapshot = await loadCurrentSnapshot(config, logger);
  } catch (err) {
    throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', `lists are configured (${where}) but could not be loaded: ${(err as Error).message}`, { cause: String(err) }, { cause: err });
  }
  if (!snapshot) throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', `lists are configured (${where}) but no snapshot could be loaded`);
  logger.info({ snapshot: snapshot.id, entries: snapshot.entries.length }, 'token weights from the list snapshot');
  return tokenWeightsFromEntries(snapshot.entries);
}

/**
 * Scores every pair line; a bad (or blank) line yields an error record and the rest go on. Exit code 0 once the input
 * is consumed or the reader went away (EPIPE, e.g. `| head`); 1 when the results could not be written.
 */
export async function run(opts: CompareCommandOptions): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.KYCGATE_LOG_LEVEL, { command: 'compare' });
  const threshold = reviewThreshold(config, logger);
  const weights = await weightsFor(config, logger);

  const input = opts.input ? createReadStream(opts.input) : process.stdin;
  const output: Writable = opts.output ? createWriteStream(opts.output) : process.stdout;
  const writer = new RecordWriter(output, logger, 'results');
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    await writer.push(compareLine(text, line, threshold, weights, logger));
    if (writer.closed) break;
  }
  return writer.close(opts.output !== undefined);
}

/** One input line → `{id?, score, match, pieces}` or an error record (with the pair's `id` when it has one). */
function compareLine(text: string, line: number, threshold: number, weights: TokenWeights, logger: Logger): unknown {
  // one output line per input line: a blank line is a bad line too (a final newline ends the last line, it is not one)
  if (!text.trim()) return emptyLine(line);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { id: null, line, error: { code: 'KYC_ERR_INPUT_JSON', message: `line ${line}: ${(err as Error).message}` } } satisfies ErrorRecord;
  }
  const id = idOf(parsed);
  try {
    const pair = pairSchema.safeParse(parsed);
    if (!pair.success) {
      const issue = pair.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : '(root)';
      const message = `line ${line}: ${where}: ${issue?.message ?? 'invalid pair'}; expected {"a": name, "b": name, "type"?: "organization"|"individual"}`;
      return { id, line, error: { code: 'KYC_ERR_INPUT_INVALID', message } } satisfies ErrorRecord;
    }
    const { a, b, type } = pair.data;
    const r = compareNames(a, b, { weights, ...(type ? { type } : {}) });
    return { ...(id !== null ? { id } : {}), score: r.score, match: r.score >= threshold, pieces: r.pieces };
  } catch (err) {
    const code = isKycError(err) ? err.code : 'KYC_ERR_INTERNAL';
    if (code === 'KYC_ERR_INTERNAL') logger.error({ err, line }, 'unexpected error while comparing a line');
    return { id, line, error: { code, message: (err as Error).message } } satisfies ErrorRecord;
  }
}
