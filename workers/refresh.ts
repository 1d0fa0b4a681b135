// Refresh worker: fetch a source's files (download behind its breaker, or the seed dir offline), import, announce, plan a delta rescreen.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../src/config.js';
import { KycError, isKycError } from '../src/errors.js';
import { sha256Hex, type RawFile } from '../src/lists/parse-files.js';
import type { RefreshJobData, RefreshJobResult } from '../src/queue/jobs.js';
import { publishSnapshot } from '../src/queue/pubsub.js';
import type { SourceBreakers } from '../src/sources/breaker.js';
import { downloadFile } from '../src/sources/download.js';
import { getSource, type ListSource, type SourceRegistry } from '../src/sources/registry.js';
import { readSeedDir } from '../src/sources/seed-dir.js';
import { updateSourceStatus } from '../src/sources/source-status.js';
import { SnapshotStore } from '../src/sources/snapshot-store.js';
import { importFiles, loadStoredSnapshot } from '../src/runtime/lists-runtime.js';
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
  /**
   * Called when a snapshot is announced, e.g. to plan a delta rescreen from `fromSnapshotId` (the snapshot
   * announced before it) to `snapshot`. Also called again for a snapshot that was imported but never
   * announced (a refresh that died after the import): it must be idempotent (fixed job id).
   */
  onAccepted?: (info: { previous?: Snapshot; snapshot: Snapshot; fromSnapshotId?: string; diff?: RefreshJobResult['diff'] & object; rawDiff?: unknown }) => Promise<void>;
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

/** sha256 of every file of the snapshot in force: a cached download is only "unchanged" when it is one of them. */
async function acceptedFileHashes(store: SnapshotStore): Promise<Set<string>> {
  const id = await store.currentId();
  const manifest = id ? await store.manifest(id) : undefined;
  return new Set((manifest?.sources ?? []).flatMap((s) => s.files.map((f) => f.sha256)));
}

/**
 * Downloads a source's files (conditional GET; alternatives and fallback URLs when the main one fails).
 * A 304 counts as unchanged only when the cached copy is intact (its sha256 is the one recorded at
 * download) and part of the accepted snapshot; a copy that was never accepted (the import after its
 * download died or was refused) is imported again, a damaged one is downloaded again without validators.
 */
async function downloadSource(source: ListSource, deps: RefreshDeps, accepted: ReadonlySet<string>): Promise<{ files: RawFile[]; changed: boolean }> {
  const cacheDir = path.resolve(deps.config.KYCGATE_DATA_DIR, 'downloads');
  const files: RawFile[] = [];
  let changed = false;
  const have = new Set<string>();
  for (const f of source.files) {
    if (f.alternativeOf && have.has(f.alternativeOf)) continue;
    let lastErr: unknown;
    for (const url of [f.url, f.fallbackUrl].filter((u): u is string => !!u)) {
      try {
        const opts = {
          cacheDir,
          cacheName: path.join(source.id, f.name),
          timeoutMs: deps.config.KYCGATE_DOWNLOAD_TIMEOUT_MS,
          maxBytes: deps.config.KYCGATE_DOWNLOAD_MAX_BYTES,
        };
        let r = await downloadFile(url, opts);
        let bytes = await readFile(r.path);
        if (r.status === 'not-modified' && sha256Hex(bytes) !== r.meta.sha256) {
          deps.logger.warn({ source: source.id, file: f.name }, 'cached list file does not match its recorded sha256: downloading it again');
          r = await downloadFile(url, { ...opts, conditional: false });
          bytes = await readFile(r.path);
        }
        if (r.status === 'fresh') changed = true;
        else if (!accepted.has(r.meta.sha256)) {
          deps.logger.info({ source: source.id, file: f.name }, 'not modified, but the cached copy was never accepted: importing it');
          changed = true;
        }
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

  const store = new SnapshotStore(deps.config.KYCGATE_DATA_DIR);

  /**
   * Makes the snapshot in force known: swaps this process's engine to it, publishes it and lets
   * `onAccepted` plan the delta from the last announced snapshot, then records it as announced. Runs after
   * every import and also when nothing new was fetched, so a snapshot imported by a refresh that died
   * before announcing it is announced by the next one. Returns what was announced, or undefined.
   */
  const announce = async (imported?: { snapshot: Snapshot; diff?: RefreshJobResult['diff']; rawDiff?: { from: string } }): Promise<{ snapshot: Snapshot; from?: string } | undefined> => {
    const currentId = await store.currentId();
    if (!currentId) return undefined;
    const announced = await store.announcedId();
    if (announced === currentId && previous?.id === currentId) return undefined;
    // before any record (first run, or an upgrade), the snapshot this process served stands for the announced one
    const from = announced ?? imported?.rawDiff?.from ?? previous?.id;
    if (from === currentId && previous?.id === currentId) {
      if (redis && announced === undefined) await store.setAnnounced(currentId);
      return undefined;
    }
    const snapshot = imported?.snapshot.id === currentId ? imported.snapshot : previous?.id === currentId ? previous : await loadStoredSnapshot(deps.config, deps.logger);
    if (!snapshot || snapshot.id !== currentId) return undefined;
    if (deps.engine) await (deps.engine.swapAsync?.(snapshot) ?? deps.engine.swap(snapshot));
    if (from === currentId) return undefined; // this process was behind; the snapshot itself was announced already
    if (redis) await publishSnapshot(redis, deps.prefix, snapshot.id);
    if (deps.onAccepted) {
      await deps.onAccepted({
        ...(previous ? { previous } : {}),
        snapshot,
        ...(from ? { fromSnapshotId: from } : {}),
        ...(imported?.diff ? { diff: imported.diff } : {}),
        ...(imported?.rawDiff ? { rawDiff: imported.rawDiff } : {}),
      });
    }
    // recorded only with Redis: without it (an in-process refresh) nobody was told, the next worker refresh tells them
    if (redis) await store.setAnnounced(snapshot.id);
    return { snapshot, ...(from ? { from } : {}) };
  };

  const attempt = async (): Promise<RefreshJobResult> => {
    let files: RawFile[];
    if (downloadsEnabled(deps.config)) {
      const d = await downloadSource(source, deps, await acceptedFileHashes(store));
      if (!d.changed && !force) {
        const done = await announce();
        if (done) return { source: sourceId, status: 'accepted', snapshotId: done.snapshot.id, ...(done.from ? { previousSnapshotId: done.from } : {}), reason: 'announced a snapshot imported earlier' };
        const id = (await store.currentId()) ?? previous?.id;
        return { source: sourceId, status: 'unchanged', ...(id ? { snapshotId: id } : {}) };
      }
      files = d.files;
    } else {
      const seed = deps.config.KYCGATE_SEED_DIR;
      if (!seed) throw new UnrecoverableError('downloads are off (KYCGATE_DOWNLOAD=false) and no KYCGATE_SEED_DIR is set');
      files = await seedFiles(source, seed);
      if (files.length === 0) return { source: sourceId, status: 'unchanged', reason: `no ${sourceId} files in the seed directory` };
    }
    const res = await importFiles(files, deps.config, deps.logger, { ...(force ? { force } : {}), ...(previous ? { previous } : {}), now: now() });
    if (!res.accepted) throw res.error ?? new KycError('KYC_ERR_LIST_VALIDATION', res.reason ?? 'refused');
    const changedContent = res.diff && res.diff.from !== res.diff.to;
    const diff = res.diff && changedContent ? { added: res.diff.added.length, removed: res.diff.removed.length, changed: res.diff.changed.length } : undefined;
    const done = await announce({ snapshot: res.snapshot, ...(diff ? { diff } : {}), ...(res.diff && changedContent ? { rawDiff: res.diff } : {}) });
    const changedSnapshot = done !== undefined || res.snapshot.id !== previous?.id;
    return {
      source: sourceId,
      status: changedSnapshot ? 'accepted' : 'unchanged',
      snapshotId: res.snapshot.id,
      ...(done?.from ? { previousSnapshotId: done.from } : previous && previous.id !== res.snapshot.id ? { previousSnapshotId: previous.id } : {}),
      ...(diff ? { diff } : {}),
    };
  };

  try {
    const result = await deps.breakers.fire(sourceId, attempt);
    await status({ lastSuccessAt: now().toISOString(), consecutiveFailures: 0, ...(result.snapshotId ? { snapshotId: result.snapshotId } : {}), breaker: deps.breakers.state(sourceId) });
    if (result.snapshotId) {
      // the lists in force are confirmed current: the list-age check counts from now, here and (re-announced) elsewhere
      deps.engine?.noteListsVerified?.(result.snapshotId, now());
      if (redis && result.status === 'unchanged') await publishSnapshot(redis, deps.prefix, result.snapshotId).catch(() => undefined);
    }
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
