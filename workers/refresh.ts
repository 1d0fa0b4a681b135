// Refresh worker: fetch a source's files (download behind its breaker, or the seed dir offline), import, announce, plan a delta rescreen.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../src/config.js';
import { KycError, isKycError } from '../src/errors.js';
import type { RawFile } from '../src/lists/parse-files.js';
import type { RefreshJobData, RefreshJobResult } from '../src/queue/jobs.js';
import { publishSnapshot } from '../src/queue/pubsub.js';
import type { SourceBreakers } from '../src/sources/breaker.js';
import { downloadFile } from '../src/sources/download.js';
import { getSource, type ListSource, type SourceRegistry } from '../src/sources/registry.js';
import { readSeedDir } from '../src/sources/seed-dir.js';
import { updateSourceStatus } from '../src/sources/source-status.js';
import { importFiles } from '../src/runtime/lists-runtime.js';
import type { Logger } from '../src/runtime/logger.js';
import type { EngineLike, Snapshot } from './ports.js';

export interface RefreshDeps {
  config: Config;
  logger: Logger;
  registry: SourceRegistry;
  breakers: SourceBreakers;
  /** Command connection (status, publish); without it (Redis down, in-process refresh) neither happens. */
  redis?: Redis;
  prefix: string;
  /** This process's engine: swapped at once (other processes follow the announcement). */
  engine?: EngineLike;
  /** Called with (previous, next) after an accepted change, e.g. to plan a delta rescreen. */
  onAccepted?: (info: { previous?: Snapshot; snapshot: Snapshot; diff?: RefreshJobResult['diff'] & object; rawDiff?: unknown }) => Promise<void>;
  now?: () => Date;
}

/** Whether refresh downloads: KYCGATE_DOWNLOAD, else download unless a seed directory is set. */
export function downloadsEnabled(config: Config): boolean {
  return config.KYCGATE_DOWNLOAD ?? !config.KYCGATE_SEED_DIR;
}

/** Failures that no retry will fix: the file itself is wrong (format, parse, validation). */
function isContentError(err: unknown): boolean {
  if (!isKycError(err)) return false;
  if (err.code === 'KYC_ERR_LIST_FORMAT' || err.code === 'KYC_ERR_LIST_PARSE' || err.code === 'KYC_ERR_LIST_VALIDATION') return true;
  return err.code === 'KYC_ERR_SOURCE_DOWNLOAD' && (err.details?.kind === 'html' || err.details?.kind === 'too-large');
}

/** Downloads a source's files (conditional GET; alternatives and fallback URLs when the main one fails). */
async function downloadSource(source: ListSource, deps: RefreshDeps): Promise<{ files: RawFile[]; changed: boolean }> {
  const cacheDir = path.resolve(deps.config.KYCGATE_DATA_DIR, 'downloads');
  const files: RawFile[] = [];
  let changed = false;
  const have = new Set<string>();
  for (const f of source.files) {
    if (f.alternativeOf && have.has(f.alternativeOf)) continue;
    let lastErr: unknown;
    for (const url of [f.url, f.fallbackUrl].filter((u): u is string => !!u)) {
      try {
        const r = await downloadFile(url, {
          cacheDir,
          cacheName: path.join(source.id, f.name),
          timeoutMs: deps.config.KYCGATE_DOWNLOAD_TIMEOUT_MS,
          maxBytes: deps.config.KYCGATE_DOWNLOAD_MAX_BYTES,
        });
        if (r.status === 'fresh') changed = true;
        const bytes = await readFile(r.path);
        files.push({ name: f.name, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), origin: url, retrievedAt: r.meta.retrievedAt });
        have.add(f.name);
        lastErr = undefined;
        break;
      } catch (err) {
        lastErr = err;
        deps.logger.warn({ source: source.id, file: f.name, url, err: (err as Error).message }, 'list file download failed');
      }
    }
    if (lastErr && f.required && !source.files.some((o) => o.alternativeOf === f.name)) throw lastErr;
  }
  if (files.length === 0) throw new KycError('KYC_ERR_SOURCE_DOWNLOAD', `${source.id}: no file could be downloaded`, { source: source.id, kind: 'network' });
  return { files, changed };
}

/** The source's files out of the seed directory (offline). */
async function seedFiles(source: ListSource, seedDir: string): Promise<RawFile[]> {
  const names = new Set(source.files.map((f) => f.name.toLowerCase()));
  const files = (await readSeedDir(seedDir)).filter((f) => names.has(f.name.toLowerCase()));
  // one representation of an alternative (CSL CSV vs JSON)
  const byName = new Set(files.map((f) => f.name.toLowerCase()));
  return files.filter((f) => {
    const spec = source.files.find((s) => s.name.toLowerCase() === f.name.toLowerCase());
    return !(spec?.alternativeOf && byName.has(spec.alternativeOf.toLowerCase()));
  });
}

/**
 * Refreshes one source. Malformed or refused files fail the job without retry (UnrecoverableError)
 * and the previous snapshot keeps serving; network failures throw plain errors so BullMQ retries
 * with backoff. Downloads and their validation run through the source's circuit breaker, so
 * repeated 500s, hangs, truncated or HTML files open it. Status goes to Redis for `lists status`.
 */
export async function processRefresh(job: Pick<Job<RefreshJobData>, 'data'>, deps: RefreshDeps): Promise<RefreshJobResult> {
  const { source: sourceId, force } = job.data;
  const now = deps.now ?? (() => new Date());
  const source = getSource(deps.registry, sourceId);
  const redis = deps.redis;
  const status = async (patch: Parameters<typeof updateSourceStatus>[3]) => (redis ? updateSourceStatus(redis, deps.prefix, sourceId, patch, now()).catch(() => undefined) : undefined);
  const previous = deps.engine?.snapshot;

  const attempt = async (): Promise<RefreshJobResult> => {
    let files: RawFile[];
    if (downloadsEnabled(deps.config)) {
      const d = await downloadSource(source, deps);
      if (!d.changed && !force) return { source: sourceId, status: 'unchanged', ...(previous ? { snapshotId: previous.id } : {}) };
      files = d.files;
    } else {
      const seed = deps.config.KYCGATE_SEED_DIR;
      if (!seed) throw new UnrecoverableError('downloads are off (KYCGATE_DOWNLOAD=false) and no KYCGATE_SEED_DIR is set');
      files = await seedFiles(source, seed);
      if (files.length === 0) return { source: sourceId, status: 'unchanged', reason: `no ${sourceId} files in the seed directory` };
    }
    const res = await importFiles(files, deps.config, deps.logger, { ...(force ? { force } : {}), ...(previous ? { previous } : {}), now: now() });
    if (!res.accepted) throw res.error ?? new KycError('KYC_ERR_LIST_VALIDATION', res.reason ?? 'refused');
    const diff = res.diff ? { added: res.diff.added.length, removed: res.diff.removed.length, changed: res.diff.changed.length } : undefined;
    const changedSnapshot = res.snapshot.id !== previous?.id;
    if (changedSnapshot) {
      if (deps.engine) await (deps.engine.swapAsync?.(res.snapshot) ?? deps.engine.swap(res.snapshot));
      if (redis) await publishSnapshot(redis, deps.prefix, res.snapshot.id);
      if (deps.onAccepted) await deps.onAccepted({ ...(previous ? { previous } : {}), snapshot: res.snapshot, ...(diff ? { diff } : {}), rawDiff: res.diff });
    }
    return {
      source: sourceId,
      status: changedSnapshot ? 'accepted' : 'unchanged',
      snapshotId: res.snapshot.id,
      ...(previous ? { previousSnapshotId: previous.id } : {}),
      ...(diff ? { diff } : {}),
    };
  };

  try {
    const result = await deps.breakers.fire(sourceId, attempt);
    await status({ lastSuccessAt: now().toISOString(), consecutiveFailures: 0, ...(result.snapshotId ? { snapshotId: result.snapshotId } : {}), breaker: deps.breakers.state(sourceId) });
    deps.logger.info({ ...result }, 'list source refreshed');
    return result;
  } catch (err) {
    const e = err instanceof UnrecoverableError ? err : isKycError(err) ? err : new KycError('KYC_ERR_SOURCE_DOWNLOAD', (err as Error).message, { kind: 'network' });
    const code = isKycError(e) ? e.code : 'KYC_ERR_SOURCE_DOWNLOAD';
    const prevStatus = await status({});
    await status({
      breaker: deps.breakers.state(sourceId),
      lastFailureAt: now().toISOString(),
      lastError: { code, message: e.message, ...(isKycError(e) && typeof e.details?.kind === 'string' ? { kind: e.details.kind } : {}) },
      consecutiveFailures: (prevStatus?.consecutiveFailures ?? 0) + 1,
      lastRefusal: { at: now().toISOString(), reason: `${code}: ${e.message}` },
    });
    deps.logger.error({ source: sourceId, code, err: e.message }, 'list source refresh failed; the previous snapshot keeps serving');
    if (isContentError(e) || err instanceof UnrecoverableError) throw new UnrecoverableError(`${code}: ${e.message}`);
    throw e;
  }
}
