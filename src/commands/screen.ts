// `kycgate screen`: NDJSON customers in, NDJSON decisions out, in order, streaming, in-process (no Redis, no database).
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { loadConfig } from '../config.js';
import { isKycError, KycError } from '../errors.js';
import type { ErrorRecord, Outcome } from '../model/index.js';
import { createLogger } from '../runtime/logger.js';
import { loadPolicyPack } from '../runtime/policy-runtime.js';
import { ScreeningEngine } from '../runtime/screening-engine.js';

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

const FLUSH_BYTES = 64 * 1024;
/** Output waits at most this long for more lines before it is written. */
const IDLE_FLUSH_MS = 20;

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime())) {
    throw new KycError('KYC_ERR_INPUT_INVALID', `--date ${JSON.stringify(value)} is not an ISO 8601 date (e.g. 2025-01-15 or 2026-11-10T00:00:00Z)`);
  }
  return d;
}

function idOf(value: unknown): string | null {
  if (value && typeof value === 'object' && 'id' in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return String(id);
  }
  return null;
}

/** Screens every line; a bad line yields an error record and the rest go on. Exit code 0 once the input is consumed. */
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
  let buffer = '';
  let closed = false; // the reader went away (EPIPE, e.g. `| head`): stop quietly
  output.on('error', (err: NodeJS.ErrnoException) => {
    closed = true;
    if (err.code !== 'EPIPE') logger.error({ err }, 'cannot write decisions');
  });
  const flush = async () => {
    if (!buffer || closed) return;
    const chunk = buffer;
    buffer = '';
    try {
      if (!output.write(chunk)) await Promise.race([once(output, 'drain'), once(output, 'close')]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
      closed = true;
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const idleFlush = () => {
    timer = undefined;
    flush().catch((err: unknown) => logger.error({ err }, 'cannot write decisions'));
  };

  const counts: Record<Outcome | 'error', number> = { allow: 0, review: 0, deny: 0, error: 0 };
  let line = 0;
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const text of lines) {
    line++;
    if (!text.trim()) continue;
    let record: unknown;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      parsed = undefined;
      record = { id: null, line, error: { code: 'KYC_ERR_INPUT_JSON', message: `line ${line}: ${(err as Error).message}` } } satisfies ErrorRecord;
    }
    if (!record) {
      try {
        const decision = engine.screen(parsed, { policy: pack.id, now: date ?? new Date() });
        counts[decision.outcome]++;
        record = decision;
      } catch (err) {
        const code = isKycError(err) ? err.code : 'KYC_ERR_INTERNAL';
        if (!isKycError(err)) logger.error({ err, line }, 'unexpected error while screening a line');
        record = { id: idOf(parsed), line, error: { code, message: (err as Error).message } } satisfies ErrorRecord;
      }
    }
    if ('error' in (record as object)) counts.error++;
    buffer += `${JSON.stringify(record)}\n`;
    if (buffer.length >= FLUSH_BYTES) await flush();
    else timer ??= setTimeout(idleFlush, IDLE_FLUSH_MS); // a waiting producer still gets its answers
    if (closed) break;
  }
  clearTimeout(timer);
  await flush();
  if (opts.output && !closed) {
    output.end();
    await once(output, 'finish');
  }
  const totalMs = performance.now() - t0;
  logger.info(
    { policy: pack.id, date: date?.toISOString(), lines: line, ...counts, startMs: Math.round(startMs), totalMs: Math.round(totalMs), snapshot: engine.snapshot?.id },
    'screening finished',
  );
  return 0;
}
