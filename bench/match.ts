// Name-matching benchmark: kycgate's index vs naive fuse.js over the same list names, side by side; prints JSON.
//   node --import tsx bench/match.ts [--queries 2000] [--fuse-queries 20] [--eval]
// Writes bench/results/match.json; with --eval also runs ../shared/eval/score.mjs into bench/results/eval-dev.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fuse from 'fuse.js';
import { buildSnapshot } from '../src/lists/snapshot.js';
import { parseSourceFiles } from '../src/lists/parse-files.js';
import { buildIndex } from '../src/match/index.js';
import { compactEntries } from '../src/runtime/compact-entries.js';
import type { Customer } from '../src/model/index.js';
import { readSeedDir } from '../src/sources/seed-dir.js';

const root = resolve(import.meta.dirname, '..');
const seedDir = resolve(root, '../shared/lists/current-2026');
const casesFile = resolve(root, '../shared/eval/dev.ndjson');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const nQueries = arg('--queries', 2000);
const nFuse = arg('--fuse-queries', 20);
const REVIEW = 0.85;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

// lists
let t = performance.now();
// as the runtime holds them (src/runtime/lists-runtime.ts): entries compacted, parse intermediates released
const parsed = buildSnapshot(parseSourceFiles(await readSeedDir(seedDir)), new Date(0));
const snapshot = { id: parsed.id, entries: compactEntries(parsed.entries) };
parsed.entries = [];
const loadMs = performance.now() - t;

// index build; RSS with all lists loaded and the index built (after a full GC), then two more builds for the median
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const builds: number[] = [];
t = performance.now();
let index = buildIndex(snapshot.entries);
builds.push(performance.now() - t);
gc();
gc();
const rssMb = process.memoryUsage().rss / 2 ** 20;
const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
for (let i = 0; i < 2; i++) {
  t = performance.now();
  index = buildIndex(snapshot.entries);
  builds.push(performance.now() - t);
}
builds.sort((a, b) => a - b);
gc();

const customers: Customer[] = readFileSync(casesFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, nQueries)
  .map((l) => (JSON.parse(l) as { customer: Customer }).customer);

// kycgate: one warm-up pass over the queries (JIT, lazy transliteration tables), then time each query
for (const c of customers) index.search({ name: c.name, type: c.type ?? 'organization' }, { minScore: REVIEW, limit: 20 });
const times: number[] = [];
let flagged = 0;
const t0 = performance.now();
for (const c of customers) {
  const s = performance.now();
  const hits = index.search({ name: c.name, type: c.type ?? 'organization' }, { minScore: REVIEW, limit: 20 });
  times.push(performance.now() - s);
  if (hits.length) flagged++;
}
const loopMs = performance.now() - t0;
times.sort((a, b) => a - b);

// naive fuse.js: one linear scan over every name and alias per query (a subset of the queries: it is slow)
const names = snapshot.entries.flatMap((e) => [e.name, ...e.aliases.map((a) => a.name)]);
t = performance.now();
const fuse = new Fuse(names, { includeScore: true, ignoreLocation: true, threshold: 0.3 });
const fuseBuildMs = performance.now() - t;
const step = Math.max(1, Math.floor(customers.length / nFuse));
const fuseTimes: number[] = [];
const subset: Customer[] = [];
for (let i = 0; i < customers.length && subset.length < nFuse; i += step) subset.push(customers[i]!);
for (const c of subset) {
  const s = performance.now();
  fuse.search(c.name, { limit: 20 });
  fuseTimes.push(performance.now() - s);
}
// kycgate on the very same queries, in its own loop (timed right after a fuse scan, a query pays for the
// caches and garbage fuse left behind); the median of 5 runs per query
const kgSame = subset.map((c) => {
  const runs: number[] = [];
  for (let round = 0; round < 5; round++) {
    const s = performance.now();
    index.search({ name: c.name, type: c.type ?? 'organization' }, { minScore: REVIEW, limit: 20 });
    runs.push(performance.now() - s);
  }
  return runs.sort((a, b) => a - b)[2]!;
});
fuseTimes.sort((a, b) => a - b);
kgSame.sort((a, b) => a - b);
const fuseP50 = pct(fuseTimes, 0.5);
const meanFuse = fuseTimes.reduce((a, b) => a + b, 0) / fuseTimes.length;
const meanKg = times.reduce((a, b) => a + b, 0) / times.length;

const result = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, note: 'shared 2-core machine; figures are noisy' },
  lists: { entries: index.entryCount, names: index.nameCount, loadMs: Math.round(loadMs), snapshot: snapshot.id },
  kycgate: {
    queries: customers.length,
    flagged,
    p50Ms: r3(pct(times, 0.5)),
    p99Ms: r3(pct(times, 0.99)),
    meanMs: r3(meanKg),
    maxMs: r3(times[times.length - 1]!),
    queriesPerSecond: Math.round((customers.length / loopMs) * 1000),
  },
  fuse: {
    queries: fuseTimes.length,
    names: names.length,
    buildMs: Math.round(fuseBuildMs),
    p50Ms: r3(fuseP50),
    p99Ms: r3(pct(fuseTimes, 0.99)),
    meanMs: r3(meanFuse),
    queriesPerSecond: r3(1000 / meanFuse),
    kycgateP50MsSameQueries: r3(pct(kgSame, 0.5)),
  },
  /** fuse.js median / kycgate median over the same queries (the fuse subset). */
  speedupVsFuse: Math.round(fuseP50 / pct(kgSame, 0.5)),
  /** fuse.js median (subset) / kycgate median over all queries. */
  speedupVsFuseAllQueries: Math.round(fuseP50 / pct(times, 0.5)),
  speedupVsFuseMean: Math.round(meanFuse / meanKg),
  screeningsPerSecond: Math.round((customers.length / loopMs) * 1000),
  p50Ms: r3(pct(times, 0.5)),
  p99Ms: r3(pct(times, 0.99)),
  indexBuildMs: Math.round(builds[1]!),
  indexBuildRunsMs: builds.map(Math.round),
  rssMb: Math.round(rssMb),
  heapUsedMb: Math.round(heapMb),
};
mkdirSync(resolve(root, 'bench/results'), { recursive: true });
writeFileSync(resolve(root, 'bench/results/match.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));

if (process.argv.includes('--eval')) {
  const out = resolve(root, 'bench/results/eval-dev.json');
  const res = spawnSync(process.execPath, [resolve(root, '../shared/eval/score.mjs'), '--json', out, '--', process.execPath, resolve(root, 'src/bin.mjs'), 'screen'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, KYCGATE_SEED_DIR: '../shared/lists/current-2026', KYCGATE_LOG_LEVEL: 'warn' },
  });
  if (res.status !== 0) process.exitCode = res.status ?? 1;
}
