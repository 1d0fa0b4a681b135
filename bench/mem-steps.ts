// Memory by loading step (RSS / heap after a full GC): entry cache read, parse, index build; prints JSON.
//   node --expose-gc --import tsx bench/mem-steps.ts [--parse]   (--parse: parse the seed files instead of the entry cache)
import { resolve } from 'node:path';
import { buildSnapshot } from '../src/lists/snapshot.js';
import { parseSourceFiles } from '../src/lists/parse-files.js';
import { buildIndex } from '../src/match/index.js';
import { readSeedDir } from '../src/sources/seed-dir.js';
import { loadStoredSnapshot } from '../src/runtime/lists-runtime.js';
import { loadConfig } from '../src/config.js';
import pino from 'pino';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (x: number) => Math.round(x / 2 ** 20);
const steps: Record<string, { rssMb: number; heapUsedMb: number; externalMb: number }> = {};
const mark = (name: string) => {
  gc();
  gc();
  const m = process.memoryUsage();
  steps[name] = { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external + m.arrayBuffers) };
};
mark('start');
let entries;
if (process.argv.includes('--parse')) {
  const files = await readSeedDir(resolve(import.meta.dirname, '../../shared/lists/current-2026'));
  mark('files read');
  entries = buildSnapshot(parseSourceFiles(files), new Date(0)).entries;
} else {
  const snap = await loadStoredSnapshot(loadConfig({ KYCGATE_DATA_DIR: resolve(import.meta.dirname, '../.kycgate') }), pino({ level: 'silent' }));
  entries = snap!.entries;
}
mark('entries loaded');
const index = buildIndex(entries);
mark('index built');
console.log(JSON.stringify({ entries: entries.length, names: index.nameCount, steps }, null, 1));
