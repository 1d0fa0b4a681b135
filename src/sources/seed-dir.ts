// Reads the official list files of a seed directory (offline snapshots) as RawFile[].
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RawFile } from '../lists/parse-files.js';
import { KycError } from '../errors.js';

/** File names kycgate recognises in a seed directory (case-insensitive). */
const KNOWN = /^(SDN|ALT|ADD|SDN_COMMENTS|CONS_PRIM|CONS_ALT|CONS_ADD|CONS_COMMENTS)\.CSV$|^consolidated\.(csv|json)$|^dpl\.txt$/i;

/** True when a file name is one of the official list files. */
export function isListFileName(name: string): boolean {
  return KNOWN.test(name);
}

/** Official list files below `dir` (subdirectories included, e.g. `official/ofac-2024-07-02/SDN.CSV`). */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (d.isDirectory()) out.push(...(await listFiles(join(dir, d.name))));
    else if (d.isFile() && isListFileName(d.name)) out.push(join(dir, d.name));
  }
  return out;
}

/**
 * Reads a file, or every official list file below a directory (other files such as README or
 * MANIFEST are skipped). `retrievedAt` is the file's modification time.
 */
export async function readSeedDir(dir: string): Promise<RawFile[]> {
  const root = resolve(dir);
  let st;
  try {
    st = await stat(root);
  } catch (err) {
    throw new KycError('KYC_ERR_LIST_FORMAT', `${dir}: cannot read list files: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file: dir }, { cause: err });
  }
  const paths = st.isDirectory() ? await listFiles(root) : [root];
  if (paths.length === 0) {
    throw new KycError('KYC_ERR_LIST_FORMAT', `${dir}: no official list files (SDN.CSV, ALT.CSV, ADD.CSV, CONS_*.CSV, consolidated.csv/json, dpl.txt)`, { file: dir });
  }
  return Promise.all(
    paths.map(async (p) => {
      const [bytes, s] = await Promise.all([readFile(p), stat(p)]);
      return { name: p.split(/[\\/]/).pop()!, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), origin: p, retrievedAt: s.mtime.toISOString() };
    }),
  );
}
