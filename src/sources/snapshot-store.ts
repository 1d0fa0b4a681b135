// Content-addressed snapshot store on disk: raw file blobs by sha256, one manifest per snapshot, an atomic `current` pointer.
import { mkdir, readFile, rename, writeFile, access, readdir, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RawFile } from '../lists/parse-files.js';
import type { SourceMeta } from '../lists/snapshot.js';
import type { ListEntry } from '../model/index.js';

/** What is stored per snapshot: everything but the entries (they are re-parsed from the blobs). */
export interface SnapshotManifest {
  id: string;
  createdAt: string;
  sources: SourceMeta[];
}

/**
 * Layout under `<dataDir>/lists`: `blobs/<sha256>` (raw files, written once), `snapshots/<id>.json`
 * (manifests), `current` (id of the snapshot in force, replaced by rename), `announced` (id of the last
 * snapshot a refresh announced and delta-planned), `rejected.json` (last refusal),
 * and `cache/<id>.entries.json` (parsed entries: loading them is ~5× faster than re-parsing the blobs;
 * derived data, safe to delete).
 */
export class SnapshotStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = resolve(dataDir, 'lists');
  }

  private async atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, path);
  }

  /** Writes blobs (skipping ones already present) and the manifest; does not move `current`. */
  async save(manifest: SnapshotManifest, files: readonly { sha256: string; bytes: Uint8Array }[]): Promise<void> {
    await mkdir(join(this.root, 'blobs'), { recursive: true });
    await mkdir(join(this.root, 'snapshots'), { recursive: true });
    for (const f of files) {
      const p = join(this.root, 'blobs', f.sha256);
      try {
        await access(p);
      } catch {
        await this.atomicWrite(p, f.bytes);
      }
    }
    await this.atomicWrite(join(this.root, 'snapshots', `${manifest.id}.json`), JSON.stringify(manifest, null, 1));
  }

  /** Points `current` at a saved snapshot (write temp file + rename: readers see old or new, never half). */
  async setCurrent(id: string): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await this.atomicWrite(join(this.root, 'current'), `${id}\n`);
  }

  /** Id of the snapshot in force, or undefined when none was accepted yet. */
  async currentId(): Promise<string | undefined> {
    try {
      return (await readFile(join(this.root, 'current'), 'utf8')).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Id of the last snapshot a refresh announced (published on Redis and delta-planned), or undefined
   * when none was recorded. `current` ahead of it means an import was not announced yet (e.g. the job
   * died right after the import): the next refresh announces it.
   */
  async announcedId(): Promise<string | undefined> {
    try {
      return (await readFile(join(this.root, 'announced'), 'utf8')).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /** Records that `id` was announced and its delta rescreen enqueued (write temp file + rename). */
  async setAnnounced(id: string): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await this.atomicWrite(join(this.root, 'announced'), `${id}\n`);
  }

  async manifest(id: string): Promise<SnapshotManifest | undefined> {
    try {
      return JSON.parse(await readFile(join(this.root, 'snapshots', `${id}.json`), 'utf8')) as SnapshotManifest;
    } catch {
      return undefined;
    }
  }

  /** The raw files of a manifest, read back from the blobs. */
  async rawFiles(manifest: SnapshotManifest): Promise<RawFile[]> {
    const out: RawFile[] = [];
    for (const s of manifest.sources) {
      for (const f of s.files) {
        const buf = await readFile(join(this.root, 'blobs', f.sha256));
        out.push({ name: f.name, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), origin: f.origin, retrievedAt: f.retrievedAt });
      }
    }
    return out;
  }

  /** Caches the parsed entries of a snapshot (best effort). */
  async saveEntries(id: string, entries: readonly ListEntry[]): Promise<void> {
    await mkdir(join(this.root, 'cache'), { recursive: true });
    // non-ASCII escaped: the file then reads back as a one-byte string (half the memory of a two-byte one)
    const json = JSON.stringify(entries).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    await this.atomicWrite(join(this.root, 'cache', `${id}.entries.json`), json);
  }

  /** Cached entries of a snapshot, or undefined when absent or unreadable. */
  async loadEntries(id: string): Promise<ListEntry[] | undefined> {
    try {
      const v = JSON.parse(await readFile(join(this.root, 'cache', `${id}.entries.json`), 'utf8')) as unknown;
      return Array.isArray(v) ? (v as ListEntry[]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Deletes entry caches of snapshots other than `keep` (manifests and blobs stay). */
  async pruneEntryCaches(keep: readonly string[]): Promise<void> {
    let names: string[];
    try {
      names = await readdir(join(this.root, 'cache'));
    } catch {
      return;
    }
    const wanted = new Set(keep.map((id) => `${id}.entries.json`));
    await Promise.all(names.filter((n) => n.endsWith('.entries.json') && !wanted.has(n)).map((n) => unlink(join(this.root, 'cache', n)).catch(() => undefined)));
  }

  /** Records the last refused import (shown by `lists status`). */
  async recordRejection(rejection: { at: string; files: string[]; code: string; reason: string }): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await this.atomicWrite(join(this.root, 'rejected.json'), JSON.stringify(rejection, null, 1));
  }

  async lastRejection(): Promise<{ at: string; files: string[]; code: string; reason: string } | undefined> {
    try {
      return JSON.parse(await readFile(join(this.root, 'rejected.json'), 'utf8'));
    } catch {
      return undefined;
    }
  }
}
