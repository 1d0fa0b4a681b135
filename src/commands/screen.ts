// `kycgate screen`: NDJSON customers in, NDJSON decisions out, in order, streaming, in-process (no Redis, no database).
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { loadConfig } from '../config.js';
import { isKycError, KycError } from '../errors.js';
import type { Decision, ErrorRecord, Outcome } from '../model/index.js';
import { createLogger } from '../runtime/logger.js';
import { loadPolicyPack } from '../runtime/policy-runtime.js';
import { ScreeningEngine } from '../runtime/screening-engine.js';
import { emptyLine, idOf, RecordWriter } from './record-writer.js';

export interface ScreenCommandOptions {
  /** NDJSON customers. @defaultValue stdin */
  input?: string;
  /** NDJSON decisions. @defaultValue stdout */
  output?: string;
  /** Policy pack. @defaultValue config.KYCGATE_POLICY */
  policy?: string;
  /** Decision date (ISO 8601). @defaultValue the current time, per record */
  date?: string;
}

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime())) {
    throw new KycError('KYC_ERR_INPUT_INVALID', `--date ${JSON.stringify(value)} is not an ISO 8601 date (e.g. 2025-01-15 or 2026-11-10T00:00:00Z)`);
  }
  return d;
}

/**
 * Screens every line; a bad (or blank) line yields an error record and the rest go on. Exit code 0 once the input is
 * consumed or the reader went away (EPIPE); 1 when the decisions could not be written.
 */
export async function run(opts: ScreenCommandOptions): Promise<number> {
  const t0 = performance.now();
  const config = loadConfig();
  const logger = createLogger(config.KYCGATE_LOG_LEVEL, { command: 'screen' });
  const date = parseDate(opts.date);
  const pack = loadPolicyPack(opts.policy ?? config.KYCGATE_POLICY); // fail before loading lists
  const engine = await ScreeningEngine.start(config, logger);
  if (!engine.ready) throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', 'no list snapshot is loaded: set KYCGATE_SEED_DIR or run `kycgate lists import <dir>`');
  const startMs = performance.now() - t0;

  const input = opts.input ? createReadStream(opts.input) : process.stdin;
  const output: Writable = opts.output ? createWriteStream(opts.output) : process.stdout;
  const writer = new RecordWriter(output, logger, 'decisions');

  const counts: Record<Outcome | 'error', number> = { allow: 0, review: 0, deny: 0, error: 0 };
  const now = () => date ?? new Date();
  /** One input line → its decision or error record. */
  const screenLine = (text: string, line: number): Decision | ErrorRecord => {
    // one output line per input line: a blank line is a bad line too (a final newline ends the last line, it is not one)
    if (!text.trim()) return emptyLine(line);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return { id: null, line, error: { code: 'KYC_ERR_INPUT_JSON', message: `line ${line}: ${(err as Error).message}` } };
    }
    try {
      const decision = engine.screen(parsed, { policy: pack.id, now: now() });
      counts[decision.outcome]++;
      return decision;
    } catch (err) {
      if (!isKycError(err)) logger.error({ err, line }, 'unexpected error while screening a line');
      return { id: idOf(parsed), line, error: { code: isKycError(err) ? err.code : 'KYC_ERR_INTERNAL', message: (err as Error).message } };
    }
  };
  let line = 0;
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const text of lines) {
    line++;
    const record = screenLine(text, line);
    if ('error' in record) counts.error++;
    await writer.push(record);
    if (writer.closed) break;
  }
  const exitCode = await writer.close(opts.output !== undefined);
  const totalMs = performance.now() - t0;
  logger.info(
    { policy: pack.id, date: date?.toISOString(), lines: line, ...counts, startMs: Math.round(startMs), totalMs: Math.round(totalMs), snapshot: engine.snapshot?.id },
    'screening finished',
  );
  return exitCode;
}
