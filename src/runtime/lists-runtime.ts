// Wires list files, the snapshot store and the pure list module: load the current snapshot, import new files.
import type { Config } from '../config.js';
import type { Logger } from './logger.js';
import { KycError, isKycError } from '../errors.js';
import {
  buildSnapshot,
  classifyFile,
  countByList,
  diffSnapshots,
  parseSourceFiles,
  sha256Hex,
  validateAgainstPrevious,
  type ParsedSource,
  type RawFile,
  type Snapshot,
  type SnapshotDiff,
} from '../lists/index.js';
import { SnapshotStore, type SnapshotManifest } from '../sources/snapshot-store.js';
import { readSeedDir } from '../sources/seed-dir.js';
import { compactEntries } from './compact-entries.js';

export { readSeedDir };

export interface ImportResult {
  /** The snapshot in force after the import (the new one, or the previous one when refused). */
  snapshot: Snapshot;
  diff?: SnapshotDiff;
  accepted: boolean;
  /** Why the import was refused. */
  reason?: string;
  /** The refusal as an error (code names the kind: format, parse, validation). */
  error?: KycError;
}

export interface ImportOptions {
  /** Accept even when a source's entry count falls below KYCGATE_MIN_COUNT_FRACTION of the previous one. */
  force?: boolean;
  /** The snapshot in force, if the caller holds it already (saves re-parsing it for the diff). */
  previous?: Snapshot;
  /** Clock for createdAt. @defaultValue `new Date()` */
  now?: Date;
}

/** Parses stored blobs back into a snapshot (entries are not stored; parsing is the load path). */
async function loadStored(store: SnapshotStore, manifest: SnapshotManifest, logger?: Logger): Promise<Snapshot> {
  const cached = await store.loadEntries(manifest.id);
  if (cached) {
    const entries = compactEntries(cached);
    return { id: manifest.id, createdAt: manifest.createdAt, sources: manifest.sources, entries, counts: countByList(entries) };
  }
  const built = compacted(buildSnapshot(orderLike(parseSourceFiles(await store.rawFiles(manifest)), manifest), new Date(manifest.createdAt)));
  await store.saveEntries(manifest.id, built.entries).catch((err: unknown) => logger?.warn({ err: String(err) }, 'could not cache parsed list entries'));
  return { ...built, id: manifest.id, createdAt: manifest.createdAt, sources: manifest.sources };
}

/** The snapshot with its entries in their compact in-memory form (evidence rows deflated until read). */
function compacted(snapshot: Snapshot): Snapshot {
  return { ...snapshot, entries: compactEntries(snapshot.entries) };
}

function orderLike(parts: ParsedSource[], manifest: SnapshotManifest): ParsedSource[] {
  const order = manifest.sources.map((s) => s.source);
  return [...parts].sort((a, b) => order.indexOf(a.source.source) - order.indexOf(b.source.source));
}

async function currentManifest(store: SnapshotStore): Promise<SnapshotManifest | undefined> {
  const id = await store.currentId();
  return id ? store.manifest(id) : undefined;
}

/** The snapshot in force in the store, or undefined. */
export async function loadStoredSnapshot(config: Config, logger: Logger): Promise<Snapshot | undefined> {
  const store = new SnapshotStore(config.KYCGATE_DATA_DIR);
  const manifest = await currentManifest(store);
  if (!manifest) return undefined;
  const t0 = performance.now();
  const snap = await loadStored(store, manifest, logger);
  logger.info({ snapshot: snap.id, entries: snap.entries.length, ms: Math.round(performance.now() - t0) }, 'list snapshot loaded');
  return snap;
}

const SOURCE_ORDER = ['ofac-sdn', 'ofac-cons', 'csl', 'dpl'];

/**
 * Imports list files as a new snapshot. Sources present in `files` replace the same sources of the
 * snapshot in force (an OFAC set missing some of its files keeps the stored ones, e.g. a new
 * ALT.CSV alone); other sources are kept. Each replaced source is validated against its previous
 * version (entry count ≥ KYCGATE_MIN_COUNT_FRACTION unless `force`). Accepted snapshots are stored
 * content-addressed under KYCGATE_DATA_DIR and `current` is moved atomically. A refused import
 * leaves the previous snapshot in force and returns `accepted: false` with the reason; when there is
 * no previous snapshot the refusal is thrown.
 */
export async function importFiles(files: RawFile[], config: Config, logger: Logger, opts: ImportOptions = {}): Promise<ImportResult> {
  const store = new SnapshotStore(config.KYCGATE_DATA_DIR);
  const now = opts.now ?? new Date();
  const prevManifest = await currentManifest(store);
  let previous: Snapshot | undefined = opts.previous && prevManifest && opts.previous.id === prevManifest.id ? opts.previous : undefined;
  const loadPrevious = async () => (previous ??= prevManifest ? await loadStored(store, prevManifest) : undefined);

  const refuse = async (err: unknown): Promise<ImportResult> => {
    if (!isKycError(err)) throw err;
    logger.error({ code: err.code, files: files.map((f) => f.name), details: err.details }, `list import refused: ${err.message}`);
    try {
      await store.recordRejection({ at: now.toISOString(), files: files.map((f) => f.origin), code: err.code, reason: err.message });
    } catch {
      /* the store may be read-only; the refusal is logged */
    }
    const prev = await loadPrevious();
    if (!prev) throw err;
    return { snapshot: prev, accepted: false, reason: err.message, error: err };
  };

  let parts: ParsedSource[];
  let allFiles: RawFile[];
  try {
    const replaced = new Set(files.map((f) => classifyFile(f).source as string));
    const prevFiles = prevManifest ? await store.rawFiles(prevManifest) : [];
    const prevSourceOf = new Map<string, string>();
    for (const s of prevManifest?.sources ?? []) for (const f of s.files) prevSourceOf.set(f.sha256 + f.name, s.source);
    const newNames = new Set(files.map((f) => f.name.toUpperCase()));
    const carried = prevFiles.filter((f) => {
      const src = prevSourceOf.get(sha256Hex(f.bytes) + f.name) ?? '';
      if (!replaced.has(src)) return true; // untouched source
      return src.startsWith('ofac-') && !newNames.has(f.name.toUpperCase()); // complete an OFAC set
    });
    allFiles = [...files, ...carried];
    parts = parseSourceFiles(allFiles).sort((a, b) => SOURCE_ORDER.indexOf(a.source.source) - SOURCE_ORDER.indexOf(b.source.source));
    for (const p of parts) {
      if (!replaced.has(p.source.source)) continue;
      const prevSource = prevManifest?.sources.find((s) => s.source === p.source.source);
      if (!opts.force) validateAgainstPrevious(p.source, prevSource, config.KYCGATE_MIN_COUNT_FRACTION);
    }
  } catch (err) {
    return refuse(err);
  }

  const built = compacted(buildSnapshot(parts, now));
  parts = [];
  if (prevManifest && built.id === prevManifest.id) {
    const prev = (await loadPrevious())!;
    logger.info({ snapshot: prev.id }, 'list import: files unchanged, snapshot kept');
    return { snapshot: prev, accepted: true, diff: { from: prev.id, to: prev.id, added: [], removed: [], changed: [] } };
  }
  const existing = await store.manifest(built.id);
  const snapshot: Snapshot = existing ? { ...built, createdAt: existing.createdAt } : built;
  const bySha = new Map(allFiles.map((f) => [sha256Hex(f.bytes), f.bytes]));
  await store.save({ id: snapshot.id, createdAt: snapshot.createdAt, sources: snapshot.sources }, [...bySha].map(([sha256, bytes]) => ({ sha256, bytes })));
  await store.saveEntries(snapshot.id, snapshot.entries).catch((err: unknown) => logger.warn({ err: String(err) }, 'could not cache parsed list entries'));
  await store.setCurrent(snapshot.id);
  const prev = await loadPrevious();
  await store.pruneEntryCaches(prev ? [snapshot.id, prev.id] : [snapshot.id]);
  const diff = prev ? diffSnapshots(prev, snapshot) : undefined;
  logger.info(
    { snapshot: snapshot.id, previous: prev?.id, counts: snapshot.counts, added: diff?.added.length, removed: diff?.removed.length, changed: diff?.changed.length },
    'list snapshot accepted',
  );
  return diff ? { snapshot, diff, accepted: true } : { snapshot, accepted: true };
}

/** True when every seed file is part of the stored snapshot already (same name and sha256). */
function seedUnchanged(files: RawFile[], manifest: SnapshotManifest): boolean {
  const stored = new Set(manifest.sources.flatMap((s) => s.files.map((f) => `${f.name}\u0000${f.sha256}`)));
  return files.every((f) => stored.has(`${f.name}\u0000${sha256Hex(f.bytes)}`));
}

/**
 * The snapshot to serve. With KYCGATE_SEED_DIR set, the seed is imported first when its files
 * changed (validated like any import; a refused seed leaves the stored snapshot in force). Without
 * a seed, the stored current snapshot. `undefined` when there is none. When the data directory
 * cannot be written, the seed is served from memory.
 */
export async function loadCurrentSnapshot(config: Config, logger: Logger): Promise<Snapshot | undefined> {
  const seed = config.KYCGATE_SEED_DIR;
  if (!seed) return loadStoredSnapshot(config, logger);
  const t0 = performance.now();
  const files = await readSeedDir(seed);
  const store = new SnapshotStore(config.KYCGATE_DATA_DIR);
  const manifest = await currentManifest(store);
  if (manifest && seedUnchanged(files, manifest)) return loadStoredSnapshot(config, logger);
  try {
    const res = await importFiles(files, config, logger);
    logger.info({ seed, snapshot: res.snapshot.id, accepted: res.accepted, ms: Math.round(performance.now() - t0) }, 'seed directory loaded');
    return res.snapshot;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM' || code === 'ENOSPC') {
      logger.warn({ dataDir: config.KYCGATE_DATA_DIR, code }, 'data directory not writable: serving the seed snapshot from memory');
      return compacted(buildSnapshot(parseSourceFiles(files), new Date()));
    }
    throw err;
  }
}
