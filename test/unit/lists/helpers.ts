// Shared helpers of the list tests: where the real list files are, and RawFile builders.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { RawFile } from '../../../src/lists/index.js';

/** ../shared/lists relative to the repository root. */
export const LISTS = resolve(import.meta.dirname, '../../../..', 'shared/lists');

export const RETRIEVED = '2026-11-01T00:00:00.000Z';

/** A RawFile read from ../shared/lists/<rel>. */
export function listFile(rel: string, name = basename(rel)): RawFile {
  const p = resolve(LISTS, rel);
  const buf = readFileSync(p);
  return { name, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), origin: p, retrievedAt: RETRIEVED };
}

/** A RawFile from text (or bytes) written in the test. */
export function textFile(name: string, content: string | Uint8Array): RawFile {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { name, bytes, origin: `test:${name}`, retrievedAt: RETRIEVED };
}

export const CURRENT_2026 = ['current-2026/SDN.CSV', 'current-2026/ALT.CSV', 'current-2026/ADD.CSV', 'current-2026/consolidated.csv'];
