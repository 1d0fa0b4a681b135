// Shared plumbing of the benchmarks: paths, flags, a throw-away database, a forked server process, result files.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import v8 from 'node:v8';
import autocannon, { type RequestSpec } from 'autocannon';
import type { Express } from 'express';
import pg from 'pg';
import { createHttpServer } from '../src/http/http-server.js';

/** The repository root. */
export const ROOT = path.resolve(import.meta.dirname, '..');
/** The newest real list snapshot beside the repository (../shared/lists/current-2026). */
export const SEED_DIR = path.resolve(ROOT, '..', 'shared/lists/current-2026');
const PG_ADMIN = 'postgres://root@127.0.0.1:5432/postgres';

/** `--name value` from the command line, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** The q-quantile of an ascending array (0 when empty). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Listens on an ephemeral loopback port. */
export function listen(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const s = createHttpServer(app).listen(0, '127.0.0.1', () => resolve(s));
  });
}

/** Port a listening server got. */
export const portOf = (s: Server): number => (s.address() as { port: number }).port;

/** Runs `fn` with a fresh PostgreSQL database on 127.0.0.1:5432, dropped afterwards. */
export async function withTempDatabase<T>(prefix: string, fn: (dbName: string) => Promise<T>): Promise<T> {
  const dbName = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  try {
    return await fn(dbName);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * What a bench's server side starts from: the config (the seed lists, database `dbName`, log level warn; `env` adds or
 * overrides), its logger, the screening engine on the full index and the opened database. The screening core is
 * imported here, not at the top, so a load-generator process importing this kit does not load it.
 */
export async function startBenchRuntime(dbName: string, env: Record<string, string> = {}) {
  const [{ loadConfig }, { createLogger }, { ScreeningEngine }, { openDatabase }] = await Promise.all([
    import('../src/config.js'),
    import('../src/runtime/logger.js'),
    import('../src/runtime/screening-engine.js'),
    import('../src/store/database.js'),
  ]);
  const config = loadConfig({
    DATABASE_URL: `postgres://root@127.0.0.1:5432/${dbName}`,
    KYCGATE_SEED_DIR: SEED_DIR,
    KYCGATE_DATA_DIR: path.join(os.tmpdir(), 'kycgate-bench-data'),
    KYCGATE_LOG_LEVEL: 'warn',
    ...env,
  });
  const logger = createLogger(config.KYCGATE_LOG_LEVEL, { component: 'bench' });
  const [engine, db] = await Promise.all([ScreeningEngine.start(config, logger), openDatabase(config, logger)]);
  return { config, logger, engine, db };
}

/**
 * Forks this bench file as its `--server` side (tsx, IPC); resolves with the child and its first message.
 * `--node-flags "<flags>"` on the bench's command line passes Node/V8 flags to the server (e.g. `--trace-gc`), as
 * does `opts.flags`; with `opts.onStdoutLine` the server's stdout is read line by line (e.g. `--trace-gc-nvp`).
 */
export async function forkServer<M>(
  file: string,
  env: Record<string, string>,
  opts: { flags?: string[]; onStdoutLine?: (line: string) => boolean } = {},
): Promise<{ child: ChildProcess; ready: M }> {
  const flags = [...arg('node-flags', '').split(' ').filter(Boolean), ...(opts.flags ?? [])];
  const onLine = opts.onStdoutLine;
  const child = fork(file, ['--server'], { execArgv: [...flags, '--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', onLine ? 'pipe' : 'inherit', 'inherit', 'ipc'] });
  if (onLine) {
    // lines the caller does not take (the server's own output) go to stderr: stdout is the result's
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!onLine(line)) process.stderr.write(`${line}\n`);
    });
  }
  const [ready] = (await once(child, 'message')) as [M];
  return { child, ready };
}

/** Asks a forked server to stop ('stop' message), then kills it after 15 s. */
export async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.send('stop');
  await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 15_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Writes `bench/results/<name>.json` and prints the same JSON on stdout. */
export async function writeResult(name: string, result: unknown): Promise<void> {
  const text = `${JSON.stringify(result, null, 2)}\n`;
  await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
  await writeFile(path.join(ROOT, 'bench/results', `${name}.json`), text);
  process.stdout.write(text);
}

/** One response of a paced run: when it arrived (epoch ms), its latency (ms) and status. */
export interface PacedResponse {
  at: number;
  ms: number;
  status: number;
}

/** Latency summary of a paced run, from every response's own time (no histogram rounding). */
export interface PacedResult {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  total: number;
  rps: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  responses: PacedResponse[];
}

/**
 * Open-loop load at an even `rate` with autocannon. autocannon's own rate limit sends each connection's
 * quota for a second in one burst at the second's tick, so one instance at 500 req/s fires 500 requests at
 * once and measures how long that burst takes to drain. Here the rate is spread: `rate` connections of
 * 1 request/s each, in groups of `perTick` whose seconds start `perTick/rate` s apart (an autocannon instance
 * per group), so `perTick` requests leave every 10 ms at 500 req/s.
 */
export async function pacedLoad(opts: { url: string; rate: number; duration: number; request: () => RequestSpec; perTick?: number }): Promise<PacedResult> {
  const perTick = opts.perTick ?? 5;
  const groups = Math.max(1, Math.round(opts.rate / perTick));
  const responses: PacedResponse[] = [];
  const t0 = Date.now();
  const runs = Array.from({ length: groups }, async (_, g) => {
    await new Promise((r) => setTimeout(r, (g * 1000) / groups));
    const instance = autocannon({
      url: opts.url,
      connections: perTick,
      connectionRate: 1,
      duration: opts.duration,
      requests: [{ setupRequest: (req) => ({ ...req, ...opts.request() }) }],
    });
    // the returned instance is also an emitter of each response (client, status, bytes, ms)
    (instance as unknown as import('node:events').EventEmitter).on('response', (_c: unknown, status: number, _b: number, ms: number) => {
      responses.push({ at: Date.now(), ms, status });
    });
    return instance;
  });
  const results = await Promise.all(runs);
  const elapsed = (Date.now() - t0) / 1000;
  const sorted = responses.map((r) => r.ms).sort((a, b) => a - b);
  const round = (x: number) => Number(x.toFixed(2));
  const sum = (f: (r: (typeof results)[number]) => number) => results.reduce((n, r) => n + f(r), 0);
  return {
    p50Ms: round(quantile(sorted, 0.5)),
    p90Ms: round(quantile(sorted, 0.9)),
    p99Ms: round(quantile(sorted, 0.99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
    total: responses.length,
    rps: Number((responses.length / elapsed).toFixed(1)),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    responses,
  };
}

/** Old-space growth between consecutive scavenges since the last `take()`. */
export interface OldSpaceGrowth {
  scavenges: number;
  /** Summed growth over the intervals, bytes. */
  bytes: number;
  /** Scavenge-to-scavenge intervals counted (an interval with a major GC in it is left out: that frees old space). */
  intervals: number;
}

/**
 * Follows the old generation's growth from one scavenge to the next (promotion plus what is allocated there
 * directly), in this process; `take()` returns the figures since the last call and starts over.
 */
export function trackOldSpaceGrowth(): { take(): OldSpaceGrowth } {
  const oldSpaceUsed = () => v8.getHeapSpaceStatistics().find((x) => x.space_name === 'old_space')!.space_used_size;
  let last: number | undefined;
  let growth: OldSpaceGrowth = { scavenges: 0, bytes: 0, intervals: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as unknown as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MINOR) {
        last = undefined;
        continue;
      }
      const used = oldSpaceUsed();
      growth.scavenges += 1;
      if (last !== undefined) {
        growth.bytes += used - last;
        growth.intervals += 1;
      }
      last = used;
    }
  }).observe({ entryTypes: ['gc'] });
  return {
    take() {
      const taken = growth;
      growth = { scavenges: 0, bytes: 0, intervals: 0 };
      last = undefined;
      return taken;
    },
  };
}

/** Growth per request, KB: mean growth per interval ÷ requests per scavenge; null without a counted interval. */
export function oldSpaceGrowthKBPerRequest(g: OldSpaceGrowth, requests: number): number | null {
  if (g.intervals === 0 || g.scavenges === 0 || requests === 0) return null;
  return Number((g.bytes / g.intervals / (requests / g.scavenges) / 1024).toFixed(2));
}

/** Clock ticks per second of /proc/<pid>/stat and /proc/stat (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU time so far of every process whose name starts with `namePrefix`, ms: utime + stime from /proc, plus cutime +
 * cstime (its ended children's, e.g. PostgreSQL backends whose connection closed, counted by the postmaster).
 */
export function processesCpuMs(namePrefix: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!name.startsWith(namePrefix)) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return (ticks * 1000) / USER_HZ;
}

/** Busy CPU time so far of the whole machine, summed over its CPUs (every /proc/stat field but idle and iowait), ms. */
export function machineBusyCpuMs(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
  const ticks = fields.slice(0, 8).map(Number); // user nice system idle iowait irq softirq steal
  return ((ticks.reduce((a, b) => a + b, 0) - ticks[3]! - ticks[4]!) * 1000) / USER_HZ;
}
