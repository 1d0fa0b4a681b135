// Benchmark: the demo provisioning route with and without kycgate's middleware, at fixed request rates, side by side.
//   node --import tsx bench/middleware.ts [--rates 200,500] [--duration 10] [--accounts 2000|0] [--policy us-export-2026] [--pacing even|burst] [--breakdown] [--out middleware]
// Prints JSON; writes bench/results/<out>.json. Needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379).
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { arg, forkServer, listen, pacedLoad, portOf, SEED_DIR, stopServer, withTempDatabase, writeResult } from './kit.js';

/** Server side (child process): one engine, database, queue and aggregator; two apps (guarded, bare) on two ports. */
async function server(): Promise<void> {
  const dbName = process.env['BENCH_DB']!;
  const { loadConfig } = await import('../src/config.js');
  const { createApp } = await import('../src/http/app.js');
  const { DecisionRecorder } = await import('../src/http/middleware/decision-recorder.js');
  const { ScreeningQueue } = await import('../src/queue/screening-queue.js');
  const { ReviewService } = await import('../src/store/services/review-service.js');
  const { TrainingAggregator } = await import('../src/runtime/aggregation.js');
  const { createLogger } = await import('../src/runtime/logger.js');
  const { connectRedis } = await import('../src/runtime/redis.js');
  const { ScreeningEngine } = await import('../src/runtime/screening-engine.js');
  const { openDatabase } = await import('../src/store/database.js');
  const { decisionStore } = await import('../src/store/threaded-writer.js');
  const prefix = `{kycbench${randomBytes(3).toString('hex')}}`;
  const config = loadConfig({
    DATABASE_URL: `postgres://root@127.0.0.1:5432/${dbName}`,
    KYCGATE_SEED_DIR: SEED_DIR,
    KYCGATE_DATA_DIR: path.join(os.tmpdir(), 'kycgate-bench-data'),
    KYCGATE_LOG_LEVEL: 'warn',
    KYCGATE_RATE_LIMIT_PER_MINUTE: '1000000',
    KYCGATE_QUEUE_PREFIX: prefix,
    KYCGATE_POLICY: process.env['BENCH_POLICY'] ?? 'us-export-2026',
  });
  const logger = createLogger(config.KYCGATE_LOG_LEVEL, { component: 'bench' });
  const [engine, db] = await Promise.all([ScreeningEngine.start(config, logger), openDatabase(config, logger)]);
  const review = new ReviewService(db);
  const writes = decisionStore(db, review, config.KYCGATE_RECORDER_THREAD, logger);
  const recorder = new DecisionRecorder(writes.store, logger);
  const queue = new ScreeningQueue({ url: 'redis://127.0.0.1:6379', prefix, logger });
  await queue.ready();
  const aggRedis = connectRedis('redis://127.0.0.1:6379', { failFast: true });
  const aggregator = new TrainingAggregator(aggRedis, prefix, 365 * 86_400);
  const common = { config, logger, engine, review, recorder, queue, aggregator };
  const guarded = await listen(createApp({ ...common, demo: true }));
  const bare = await listen(createApp({ ...common, demo: { guard: false } }));
  // diagnosis variants (--breakdown): the middleware without write-behind persistence / without the Redis aggregate
  const noPersist = await listen(createApp({ ...common, review: undefined, recorder: undefined, demo: true }));
  const noAggregate = await listen(createApp({ ...common, aggregator: undefined, demo: true }));
  const servers = [guarded, bare, noPersist, noAggregate];
  process.send!({ guarded: portOf(guarded), bare: portOf(bare), noPersist: portOf(noPersist), noAggregate: portOf(noAggregate), snapshot: engine.snapshot?.id });
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  let elu = performance.eventLoopUtilization();
  // garbage-collection pauses of the main thread per run (major = mark-compact)
  let gc = { count: 0, totalMs: 0, maxMs: 0, majorCount: 0, majorMaxMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const major = (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
      gc.count += 1;
      gc.totalMs += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
      if (major) {
        gc.majorCount += 1;
        gc.majorMaxMs = Math.max(gc.majorMaxMs, e.duration);
      }
    }
  }).observe({ entryTypes: ['gc'] });
  // --profile DIR: a CPU profile of the server's main thread per run (between two 'cpu' messages)
  const profiles = process.env['BENCH_PROFILE_DIR'] ? await profiler(process.env['BENCH_PROFILE_DIR']) : undefined;
  process.on('message', async (msg) => {
    if (msg === 'cpu') {
      await recorder.flush(); // count the write-behind work of the run just finished
      await profiles?.next();
      const u = process.cpuUsage();
      const busy = performance.eventLoopUtilization(elu);
      elu = performance.eventLoopUtilization();
      const round = (x: number) => Number(x.toFixed(1));
      const gcRun = { count: gc.count, totalMs: round(gc.totalMs), maxMs: round(gc.maxMs), majorCount: gc.majorCount, majorMaxMs: round(gc.majorMaxMs) };
      gc = { count: 0, totalMs: 0, maxMs: 0, majorCount: 0, majorMaxMs: 0 };
      process.send!({ cpuMs: (u.user + u.system) / 1000, mainThreadMs: busy.active, gc: gcRun, loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6 });
      loopDelay.reset();
      return;
    }
    if (msg !== 'stop') return;
    for (const s of servers) s.close();
    await recorder.close(10_000);
    await writes.close();
    await queue.queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    const keys = await aggRedis.keys(`${prefix}*`).catch(() => []);
    for (let i = 0; i < keys.length; i += 500) await aggRedis.del(...keys.slice(i, i + 500)).catch(() => {});
    aggRedis.disconnect();
    await db.close();
    process.exit(0);
  });
}

/** Starts the V8 profiler; each `next()` writes the profile so far to `dir` (numbered) and starts a new one. */
async function profiler(dir: string): Promise<{ next: () => Promise<void> }> {
  const { Session } = await import('node:inspector/promises');
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  let n = 0;
  return {
    async next() {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(path.join(dir, `run-${String(n++).padStart(2, '0')}.cpuprofile`), JSON.stringify(profile));
      await session.post('Profiler.start');
    },
  };
}

const WORDS = ['Blue', 'River', 'Summit', 'Harbor', 'Maple', 'Quantum', 'Orbit', 'Cedar', 'Atlas', 'Nimbus', 'Granite', 'Falcon', 'Silver', 'Prairie', 'Coral', 'Vertex'];
const KINDS = ['Cloud', 'Analytics', 'Robotics', 'Labs', 'Compute', 'Software', 'Systems', 'Data'];
const FORMS = ['Inc', 'LLC', 'GmbH', 'Ltd', 'Pte. Ltd.', 'K.K.', 'S.A.', 'B.V.'];
const COUNTRIES = ['US', 'DE', 'SG', 'JP', 'GB', 'FR', 'CA', 'NL'];

/** How many accounts send the requests (`--accounts`); 0: every request from a new account with a never-seen name. */
const ACCOUNTS = Number(arg('accounts', '2000'));
/** Policy pack the server screens under (`--policy`). */
const POLICY = arg('policy', 'us-export-2026');

/** Account `a`'s organization: distinct for every a < 16·16·16·8·8 (mixed radix over the word lists). */
function orgName(a: number): string {
  const digits: string[] = [];
  let n = a;
  for (const list of [FORMS, KINDS, WORDS, WORDS, WORDS]) {
    digits.push(list[n % list.length]!);
    n = Math.floor(n / list.length);
  }
  const [form, kind, w1, w2, w3] = digits;
  return a < 16 * 16 * 8 * 8 ? `${w1} ${w2} ${kind} ${form}` : `${w3} ${w1} ${w2} ${kind} ${form}`;
}

let nextNewAccount = 0;

/** Unlisted customers (allow path), the shape of DESIGN.md's middleware example; account `i mod ACCOUNTS` asks. */
function body(i: number): string {
  const a = ACCOUNTS > 0 ? (i * 7919) % ACCOUNTS : nextNewAccount++;
  return JSON.stringify({
    accountId: `acct-${a}`,
    org: orgName(a),
    country: COUNTRIES[a % COUNTRIES.length],
    gpu: 'H100-SXM',
    count: 8,
    hours: 24,
    purpose: i % 2 ? 'inference' : 'training',
  });
}

let child: ChildProcess | undefined;

/** Server process CPU time so far, ms (after draining its write-behind buffer). */
type ServerStats = { cpuMs: number; mainThreadMs: number; gc: Record<string, number>; loopDelayP99Ms: number; loopDelayMaxMs: number };

async function serverStats(): Promise<ServerStats> {
  child!.send('cpu');
  const [msg] = (await once(child!, 'message')) as [ServerStats];
  return msg;
}

/** `even` (default): arrivals spread over each second (kit.ts pacedLoad); `burst`: autocannon's own overallRate (each second's quota at once over 20 connections). */
const PACING = arg('pacing', 'even');

async function load(port: number, rate: number, duration: number) {
  const cpu0 = (await serverStats()).cpuMs;
  let i = 0;
  const request = () => ({ method: 'POST', path: '/v1/instances', headers: { 'content-type': 'application/json' }, body: body(i++) });
  const url = `http://127.0.0.1:${port}`;
  const res =
    PACING === 'burst'
      ? await autocannon({ url, connections: 20, duration, overallRate: rate, requests: [{ setupRequest: (req) => ({ ...req, ...request() }) }] }).then((r) => ({
          p50Ms: r.latency.p50,
          p90Ms: r.latency.p90,
          p99Ms: r.latency.p99,
          maxMs: r.latency.max,
          rps: r.requests.average,
          total: r.requests.total,
          non2xx: r.non2xx,
          errors: r.errors,
        }))
      : await pacedLoad({ url, rate, duration, perTick: 10, request });
  const stats = await serverStats();
  const cpuMs = stats.cpuMs - cpu0;
  return {
    p50Ms: res.p50Ms,
    p90Ms: res.p90Ms,
    p99Ms: res.p99Ms,
    maxMs: res.maxMs,
    rps: res.rps,
    total: res.total,
    non2xx: res.non2xx,
    errors: res.errors,
    serverCpuMsPerRequest: Number((cpuMs / Math.max(1, res.total)).toFixed(3)),
    mainThreadMsPerRequest: Number((stats.mainThreadMs / Math.max(1, res.total)).toFixed(3)),
    eventLoopDelayP99Ms: Number(stats.loopDelayP99Ms.toFixed(1)),
    eventLoopDelayMaxMs: Number(stats.loopDelayMaxMs.toFixed(1)),
    gcPauses: stats.gc,
  };
}

async function main(): Promise<void> {
  const rates = arg('rates', '200,500').split(',').map(Number);
  const duration = Number(arg('duration', '10'));
  const loadAtStart = os.loadavg().map((l) => Number(l.toFixed(2)));
  await withTempDatabase('kycgate_bench', async (dbName) => {
    try {
      const started = await forkServer<{ guarded: number; bare: number; noPersist: number; noAggregate: number; snapshot: string }>(import.meta.filename, { BENCH_DB: dbName, BENCH_POLICY: POLICY, ...(arg('profile', '') ? { BENCH_PROFILE_DIR: path.resolve(arg('profile', '')) } : {}) });
      child = started.child;
      const ports = started.ready;
      // warm-up: JIT, connection pools, the index's first queries
      await load(ports.guarded, 200, 3);
      await load(ports.bare, 200, 3);
      type Run = Awaited<ReturnType<typeof load>>;
      const results: { rate: number; [k: string]: unknown }[] = [];
      for (const rate of rates) {
        // alternate order per rate so neither side always runs on a hotter/colder machine
        const first: 'without' | 'with' = results.length % 2 === 0 ? 'without' : 'with';
        const a: Run = await load(first === 'without' ? ports.bare : ports.guarded, rate, duration);
        const b: Run = await load(first === 'without' ? ports.guarded : ports.bare, rate, duration);
        const without: Run = first === 'without' ? a : b;
        const withMw: Run = first === 'without' ? b : a;
        results.push({
          rate,
          p50Ms: { without: without.p50Ms, with: withMw.p50Ms },
          p99Ms: { without: without.p99Ms, with: withMw.p99Ms },
          p99OverheadRatio: Number(((withMw.p99Ms - without.p99Ms) / without.p99Ms).toFixed(3)),
          p50OverheadRatio: Number(((withMw.p50Ms - without.p50Ms) / without.p50Ms).toFixed(3)),
          p99OverheadMs: Number((withMw.p99Ms - without.p99Ms).toFixed(2)),
          without,
          with: withMw,
        });
      }
      const breakdown = process.argv.includes('--breakdown')
        ? {
            rate: rates[rates.length - 1]!,
            noPersist: await load(ports.noPersist, rates[rates.length - 1]!, duration),
            noAggregate: await load(ports.noAggregate, rates[rates.length - 1]!, duration),
          }
        : undefined;
      const out = {
        bench: 'middleware',
        what: 'POST /v1/instances (demo provisioning route) with vs without kycgate.screen(); same app, same process; autocannon at a fixed rate',
        pacing: PACING === 'burst' ? 'autocannon overallRate over 20 connections: each second\'s quota leaves at once' : 'even: rate connections at 1 req/s each, 10 leaving every 1000·10/rate ms (bench/kit.ts pacedLoad)',
        when: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavgAtStart: loadAtStart, loadavgAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))) },
        note: 'autocannon and the server share the 2 cores; loadavgAtStart/End tell how quiet the machine was.',
        setup: {
          snapshot: ports.snapshot,
          durationSeconds: duration,
          lists: 'current-2026 (23,280 entries)',
          policy: POLICY,
          persistence: 'PostgreSQL, write-behind for allows from a writer thread (KYCGATE_RECORDER_THREAD)',
          matchCache: 'KYCGATE_MATCH_CACHE_SIZE 50,000 names per snapshot',
          redis: 'BullMQ queue (idle: every request is inline) + training aggregation (every training request is added; the request waits for the sum only when its headquarters tier gives the sum a say)',
          requests:
            ACCOUNTS > 0
              ? `${ACCOUNTS} accounts (distinct unlisted organizations, countries ${COUNTRIES.join('/')}) asking again and again; 8 × H100-SXM for 24 h, training/inference alternating: the allow path, as most provisioning calls are`
              : 'every request from a new account with a never-seen unlisted organization (cold name cache); 8 × H100-SXM for 24 h, training/inference alternating',
          logLevel: 'warn',
        },
        rates: results,
        ...(breakdown ? { breakdown } : {}),
      };
      await writeResult(arg('out', 'middleware'), out);
    } finally {
      await stopServer(child);
    }
  });
}

if (process.argv.includes('--server')) await server();
else await main();
