// Benchmark: the demo provisioning route with and without kycgate's middleware, at fixed request rates, side by side.
//   node --import tsx bench/middleware.ts [--rates 200,500] [--duration 10] [--rounds 3] [--accounts 2000|0] [--policy us-export-2026] [--pacing even|burst] [--per-tick 10] [--breakdown] [--gc-trace] [--recorder-nice 10] [--out middleware]
// Prints JSON; writes bench/results/<out>.json. Needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379).
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import autocannon from 'autocannon';
import { gcPerRequest, IsolateGcTrace } from './gc-trace.js';
import { arg, forkServer, machineBusyCpuMs, processesCpuMs, startBenchRuntime, type OldSpaceGrowth, oldSpaceGrowthKBPerRequest, type PacedResponse, listen, pacedLoad, portOf, quantile, stopServer, trackOldSpaceGrowth, withTempDatabase, writeResult } from './kit.js';

/** Server side (child process): one engine, database, queue and aggregator; two apps (guarded, bare) on two ports. */
async function server(): Promise<void> {
  const dbName = process.env['BENCH_DB']!;
  const { createApp } = await import('../src/http/app.js');
  const { DecisionRecorder } = await import('../src/http/middleware/decision-recorder.js');
  const { ScreeningQueue } = await import('../src/queue/screening-queue.js');
  const { ReviewService } = await import('../src/store/services/review-service.js');
  const { TrainingAggregator } = await import('../src/runtime/aggregation.js');
  const { connectRedis } = await import('../src/runtime/redis.js');
  const { decisionStore } = await import('../src/store/threaded-writer.js');
  const prefix = `{kycbench${randomBytes(3).toString('hex')}}`;
  const { config, logger, engine, db } = await startBenchRuntime(dbName, {
    KYCGATE_RATE_LIMIT_PER_MINUTE: '1000000',
    KYCGATE_QUEUE_PREFIX: prefix,
    KYCGATE_POLICY: process.env['BENCH_POLICY'] ?? 'us-export-2026',
    KYCGATE_RECORDER_NICE: process.env['BENCH_RECORDER_NICE'] ?? '',
  });
  const review = new ReviewService(db);
  const writes = decisionStore(db, review, config, logger);
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
  // --timeline: every pause of the run with its wall-clock start (to line up with slow responses)
  let pauses: { at: number; ms: number; kind: number }[] = [];
  // old-space growth per run (bench/old-space-growth.ts measures the same way)
  const oldSpace = trackOldSpaceGrowth();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      if (process.env['BENCH_TIMELINE']) pauses.push({ at: performance.timeOrigin + e.startTime, ms: Number(e.duration.toFixed(2)), kind });
      const major = kind === constants.NODE_PERFORMANCE_GC_MAJOR;
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
  const profiles = process.env['BENCH_PROFILE_DIR'] ? await profiler(process.env['BENCH_PROFILE_DIR'], process.env['BENCH_PROFILE_KIND'] ?? 'cpu') : undefined;
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
      const oldGrowth = oldSpace.take();
      process.send!({ cpuMs: (u.user + u.system) / 1000, mainThreadMs: busy.active, gc: gcRun, oldGrowth, loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6, pauses });
      pauses = [];
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

/**
 * Starts the V8 CPU profiler, or the sampling heap profiler: `--profile-kind heap` holds everything allocated
 * during the run, collected since or not (where the allocation per request comes from); `heap-promoted` what no
 * young-generation collection freed (what was promoted to the old generation or allocated there; with
 * `--node-flags --expose-gc` two scavenges run before each profile is taken, so the young generation's content at the
 * end drops out — without, it is counted too and the profile reads high, bench/RESULTS.md);
 * `heap-live` only what is still in the heap at the run's end; each
 * `next()` writes the profile so far to `dir` (numbered) and starts a new one.
 */
async function profiler(dir: string, kind: string): Promise<{ next: () => Promise<void> }> {
  const heap = kind !== 'cpu';
  const { Session } = await import('node:inspector/promises');
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const session = new Session();
  session.connect();
  const start = () => (heap ? session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: kind !== 'heap-live', includeObjectsCollectedByMinorGC: kind === 'heap' }) : session.post('Profiler.start'));
  await session.post(heap ? 'HeapProfiler.enable' : 'Profiler.enable');
  await start();
  let n = 0;
  return {
    async next() {
      // with --expose-gc, two scavenges first: the young generation's garbage is freed (and what is alive promoted),
      // so a heap-promoted profile holds what the run promoted, not what its young generation held at the end
      const gc = (globalThis as { gc?: (o: { type: 'minor' }) => void }).gc;
      if (kind === 'heap-promoted' && gc) for (let i = 0; i < 2; i++) gc({ type: 'minor' });
      const { profile } = heap ? await session.post('HeapProfiler.stopSampling') : await session.post('Profiler.stop');
      await writeFile(path.join(dir, `run-${String(n++).padStart(2, '0')}.${heap ? 'heapprofile' : 'cpuprofile'}`), JSON.stringify(profile));
      await start();
    },
  };
}

const WORDS = ['Blue', 'River', 'Summit', 'Harbor', 'Maple', 'Quantum', 'Orbit', 'Cedar', 'Atlas', 'Nimbus', 'Granite', 'Falcon', 'Silver', 'Prairie', 'Coral', 'Vertex'];
const KINDS = ['Cloud', 'Analytics', 'Robotics', 'Labs', 'Compute', 'Software', 'Systems', 'Data'];
const FORMS = ['Inc', 'LLC', 'GmbH', 'Ltd', 'Pte. Ltd.', 'K.K.', 'S.A.', 'B.V.'];
const COUNTRIES = ['US', 'DE', 'SG', 'JP', 'GB', 'FR', 'CA', 'NL'];

/** How many accounts send the requests (`--accounts`); 0: every request from a new account with a never-seen name. */
const ACCOUNTS = Number(arg('accounts', '2000'));
/** Rounds per rate and side (`--rounds`): percentiles are taken over all of them. */
const ROUNDS = Number(arg('rounds', '3'));
/** `--breakdown`: also run, in the same rounds, the guarded route without write-behind persistence and without the Redis sum. */
const BREAKDOWN = process.argv.includes('--breakdown');
/** Policy pack the server screens under (`--policy`). */
const POLICY = arg('policy', 'us-export-2026');
/** Nice value of the decision writer thread (`--recorder-nice`; empty: KYCGATE_RECORDER_NICE's default). */
const RECORDER_NICE = arg('recorder-nice', '');

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
type ServerStats = { cpuMs: number; mainThreadMs: number; gc: Record<string, number>; oldGrowth: OldSpaceGrowth; loopDelayP99Ms: number; loopDelayMaxMs: number; pauses: { at: number; ms: number; kind: number }[] };

/** `--timeline FILE`: per run, the slow responses (above 4× the run's p50) and the server's GC pauses, by wall clock. */
const TIMELINE = arg('timeline', '');
const timeline: unknown[] = [];
/** The load generator's own GC pauses (it shares the machine; a paused generator stamps responses late). */
let loadgenPauses: { at: number; ms: number }[] = [];
if (TIMELINE && !process.argv.includes('--server')) {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) loadgenPauses.push({ at: Math.round(performance.timeOrigin + e.startTime), ms: Number(e.duration.toFixed(2)) });
  }).observe({ entryTypes: ['gc'] });
}

async function serverStats(): Promise<ServerStats> {
  child!.send('cpu');
  const [msg] = (await once(child!, 'message')) as [ServerStats];
  return msg;
}

/** `even` (default): arrivals spread over each second (kit.ts pacedLoad); `burst`: autocannon's own overallRate (each second's quota at once over 20 connections). */
const PACING = arg('pacing', 'even');
/**
 * Even pacing: requests that leave together (`--per-tick`; 10 at 500 req/s: a group every 20 ms). Each group is an
 * autocannon instance: at 1 or 2 per tick (500 or 250 instances) the generator falls behind on this machine (it
 * reached 315–430 req/s, with seconds-long p99s), so 10 is the default.
 */
const PER_TICK = Number(arg('per-tick', '10'));
/**
 * `--gc-trace`: the server runs under `--trace-gc-nvp`; each side reports its main thread's young-generation
 * allocation, promotion and scavenge pauses per request, and what the worker threads allocate (bench/gc-trace.ts).
 * The printing costs a little: read the latencies of such a run for the GC figures, not for the target.
 */
const gcTrace = process.argv.includes('--gc-trace') ? new IsolateGcTrace() : undefined;

async function load(port: number, rate: number, duration: number) {
  const cpu0 = (await serverStats()).cpuMs;
  const machine0 = machineCpu();
  gcTrace?.take(); // drops what came before this run (warm-up, the previous side)
  loadgenPauses = [];
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
      : await pacedLoad({ url, rate, duration, perTick: PER_TICK, request }).then((r) => ({ ...r, latencies: r.responses.map((x) => x.ms) }));
  const stats = await serverStats();
  const machine = machineCpu(machine0);
  const gcRun = gcTrace?.take();
  const cpuMs = stats.cpuMs - cpu0;
  const responses = (res as { responses?: PacedResponse[] }).responses;
  if (TIMELINE && responses) {
    const slow = responses.filter((x) => x.ms > 4 * res.p50Ms).map((x) => ({ sent: Math.round(x.at - x.ms), ms: x.ms }));
    timeline.push({ port, rate, p99Ms: res.p99Ms, slow, pauses: stats.pauses.map((g) => ({ at: Math.round(g.at), ms: g.ms, kind: g.kind })), loadgenPauses });
  }
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
    ...perRequest(machine, res.total),
    eventLoopDelayP99Ms: Number(stats.loopDelayP99Ms.toFixed(1)),
    eventLoopDelayMaxMs: Number(stats.loopDelayMaxMs.toFixed(1)),
    gcPauses: stats.gc,
    oldGrowth: stats.oldGrowth,
    gcTrace: gcRun,
    latencies: 'latencies' in res ? (res.latencies as number[]) : undefined,
  };
}

type Run = Awaited<ReturnType<typeof load>>;

/**
 * CPU time of the whole machine and of its parts the server's requests make busy, ms: every CPU, the PostgreSQL
 * and Redis server processes, and this process (the load generator). With `since`, what was used after it.
 */
interface MachineCpu {
  machine: number;
  postgres: number;
  redis: number;
  loadgen: number;
}
function machineCpu(since?: MachineCpu): MachineCpu {
  const u = process.cpuUsage();
  const now = { machine: machineBusyCpuMs(), postgres: processesCpuMs('postgres'), redis: processesCpuMs('redis-server'), loadgen: (u.user + u.system) / 1000 };
  return since ? { machine: now.machine - since.machine, postgres: now.postgres - since.postgres, redis: now.redis - since.redis, loadgen: now.loadgen - since.loadgen } : now;
}
/** Where a run's CPU went, ms per request (/proc counts in 10 ms ticks: read them over whole runs). */
const CPU_KEYS = ['machineCpuMsPerRequest', 'postgresCpuMsPerRequest', 'redisCpuMsPerRequest', 'loadgenCpuMsPerRequest'] as const;
function perRequest(cpu: MachineCpu, total: number): Record<(typeof CPU_KEYS)[number], number> {
  const per = (ms: number) => Number((ms / Math.max(1, total)).toFixed(3));
  return { machineCpuMsPerRequest: per(cpu.machine), postgresCpuMsPerRequest: per(cpu.postgres), redisCpuMsPerRequest: per(cpu.redis), loadgenCpuMsPerRequest: per(cpu.loadgen) };
}

const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);
const r2 = (x: number) => Number(x.toFixed(2));
const r3 = (x: number) => Number(x.toFixed(3));

/**
 * One side's rounds as one run: percentiles over every response of every round (even pacing), or the median of
 * the rounds' percentiles (burst: autocannon reports percentiles only); counts summed; per-request costs weighted.
 */
function pool(runs: Run[]) {
  const all = runs.flatMap((r): number[] => r.latencies ?? []).sort((a, b) => a - b);
  const pct = (q: number, key: 'p50Ms' | 'p90Ms' | 'p99Ms') => (all.length > 0 ? r2(quantile(all, q)) : median(runs.map((r) => r[key])));
  const total = runs.reduce((n, r) => n + r.total, 0);
  const weighted = (key: 'serverCpuMsPerRequest' | 'mainThreadMsPerRequest' | (typeof CPU_KEYS)[number]) => Number((runs.reduce((n, r) => n + r[key] * r.total, 0) / Math.max(1, total)).toFixed(3));
  const gc = { count: 0, totalMs: 0, maxMs: 0, majorCount: 0, majorMaxMs: 0 };
  for (const r of runs) {
    gc.count += r.gcPauses['count'] ?? 0;
    gc.totalMs = r2(gc.totalMs + (r.gcPauses['totalMs'] ?? 0));
    gc.maxMs = Math.max(gc.maxMs, r.gcPauses['maxMs'] ?? 0);
    gc.majorCount += r.gcPauses['majorCount'] ?? 0;
    gc.majorMaxMs = Math.max(gc.majorMaxMs, r.gcPauses['majorMaxMs'] ?? 0);
  }
  return {
    p50Ms: pct(0.5, 'p50Ms'),
    p90Ms: pct(0.9, 'p90Ms'),
    p99Ms: pct(0.99, 'p99Ms'),
    maxMs: Math.max(...runs.map((r) => r.maxMs)),
    p99MsPerRound: runs.map((r) => r.p99Ms),
    rps: r2(runs.reduce((n, r) => n + r.rps, 0) / runs.length),
    total,
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    serverCpuMsPerRequest: weighted('serverCpuMsPerRequest'),
    mainThreadMsPerRequest: weighted('mainThreadMsPerRequest'),
    ...Object.fromEntries(CPU_KEYS.map((key) => [key, weighted(key)])),
    eventLoopDelayP99Ms: median(runs.map((r) => r.eventLoopDelayP99Ms)),
    eventLoopDelayMaxMs: Math.max(...runs.map((r) => r.eventLoopDelayMaxMs)),
    gcPauses: gc,
    oldSpaceGrowthKBPerRequest: oldSpaceGrowthKBPerRequest(
      runs.reduce((n, r) => ({ scavenges: n.scavenges + r.oldGrowth.scavenges, bytes: n.bytes + r.oldGrowth.bytes, intervals: n.intervals + r.oldGrowth.intervals }), { scavenges: 0, bytes: 0, intervals: 0 }),
      total,
    ),
    ...(gcTrace ? { gcTrace: gcPerRequest(runs.flatMap((r) => (r.gcTrace ? [r.gcTrace] : [])), total) } : {}),
  };
}

async function main(): Promise<void> {
  const rates = arg('rates', '200,500').split(',').map(Number);
  const duration = Number(arg('duration', '10'));
  const loadAtStart = os.loadavg().map((l) => Number(l.toFixed(2)));
  await withTempDatabase('kycgate_bench', async (dbName) => {
    try {
      const started = await forkServer<{ guarded: number; bare: number; noPersist: number; noAggregate: number; snapshot: string }>(
        import.meta.filename,
        { BENCH_DB: dbName, BENCH_POLICY: POLICY, BENCH_RECORDER_NICE: RECORDER_NICE, ...(TIMELINE ? { BENCH_TIMELINE: '1' } : {}), ...(arg('profile', '') ? { BENCH_PROFILE_DIR: path.resolve(arg('profile', '')), BENCH_PROFILE_KIND: arg('profile-kind', 'cpu') } : {}) },
        gcTrace ? { flags: ['--trace-gc-nvp'], onStdoutLine: (line) => gcTrace.line(line) } : {},
      );
      gcTrace?.ready();
      child = started.child;
      const ports = started.ready;
      // warm-up: JIT, connection pools, the index's first queries, and every account of the pool seen twice (a
      // running control plane has seen its customers, and the decision memo remembers an input at its second allow;
      // --accounts 0 measures names never seen)
      const warmSeconds = 3 + Math.ceil((2 * ACCOUNTS) / 200);
      await load(ports.guarded, 200, warmSeconds);
      await load(ports.bare, 200, 3);
      // the breakdown variants are middleware instances of their own (their own decision memo): warmed up alike
      if (BREAKDOWN) for (const port of [ports.noPersist, ports.noAggregate]) await load(port, 200, warmSeconds);
      const results: { rate: number; [k: string]: unknown }[] = [];
      // --breakdown: two diagnosis variants of the guarded route run in the same rounds (same machine state)
      const portOfSide: Record<string, number> = { without: ports.bare, with: ports.guarded, noPersist: ports.noPersist, noAggregate: ports.noAggregate };
      const sides = ['without', 'with', ...(BREAKDOWN ? ['noPersist', 'noAggregate'] : [])].map((name) => ({ name, port: portOfSide[name]! }));
      const breakdown: Record<string, unknown> = {};
      for (const rate of rates) {
        // rounds rotate which side goes first, so none always runs on a hotter/colder machine
        const runs = new Map<string, Run[]>(sides.map((side) => [side.name, []]));
        for (let round = 0; round < ROUNDS; round++) {
          for (let k = 0; k < sides.length; k++) {
            const side = sides[(round + k) % sides.length]!;
            runs.get(side.name)!.push(await load(side.port, rate, duration));
          }
        }
        const a = pool(runs.get('without')!);
        const b = pool(runs.get('with')!);
        // rounds pair the sides (adjacent in time): the median of their ratios leaves out a round one disturbance spoilt
        const perRound = a.p99MsPerRound.map((x, i) => (b.p99MsPerRound[i]! - x) / x);
        results.push({
          rate,
          p50Ms: { without: a.p50Ms, with: b.p50Ms },
          p99Ms: { without: a.p99Ms, with: b.p99Ms },
          p99OverheadRatio: Number(((b.p99Ms - a.p99Ms) / a.p99Ms).toFixed(3)),
          p50OverheadRatio: Number(((b.p50Ms - a.p50Ms) / a.p50Ms).toFixed(3)),
          p99OverheadMs: r2(b.p99Ms - a.p99Ms),
          p99OverheadRatioPerRound: perRound.map(r3),
          p99OverheadRatioMedianOfRounds: r3(median(perRound)),
          without: a,
          with: b,
        });
        if (BREAKDOWN) breakdown[String(rate)] = { noPersist: pool(runs.get('noPersist')!), noAggregate: pool(runs.get('noAggregate')!) };
      }
      const out = {
        bench: 'middleware',
        what: 'POST /v1/instances (demo provisioning route) with vs without kycgate.screen(); same app, same process; autocannon at a fixed rate',
        pacing: PACING === 'burst' ? 'autocannon overallRate over 20 connections: each second\'s quota leaves at once' : 'even: rate connections at 1 req/s each, 10 leaving every 1000·10/rate ms (bench/kit.ts pacedLoad)',
        when: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavgAtStart: loadAtStart, loadavgAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))) },
        note:
          'autocannon and the server share the 2 cores; loadavgAtStart/End tell how quiet the machine was. Per side, CPU per request: machineCpuMsPerRequest every core busy (all processes), postgres/redis/loadgenCpuMsPerRequest those processes (loadgen: autocannon, in the bench process), serverCpuMsPerRequest the server process (its threads).',
        setup: {
          snapshot: ports.snapshot,
          durationSeconds: duration,
          rounds: ROUNDS,
          lists: 'current-2026 (23,280 entries)',
          policy: POLICY,
          persistence: `PostgreSQL, write-behind for allows from a writer thread (KYCGATE_RECORDER_THREAD) at nice ${RECORDER_NICE || '10 (KYCGATE_RECORDER_NICE default)'}`,
          matchCache: 'KYCGATE_MATCH_CACHE_SIZE 50,000 names per snapshot',
          decisionMemo: 'KYCGATE_DECISION_MEMO_SIZE 10,000 allows (default): a repeated identical request reuses its allow',
          redis: 'BullMQ queue (idle: every request is inline) + training aggregation (every training request is added; the request waits for the sum only when its headquarters tier gives the sum a say)',
          requests:
            ACCOUNTS > 0
              ? `${ACCOUNTS} accounts (distinct unlisted organizations, countries ${COUNTRIES.join('/')}) asking again and again; 8 × H100-SXM for 24 h, training/inference alternating: the allow path, as most provisioning calls are`
              : 'every request from a new account with a never-seen unlisted organization (cold name cache); 8 × H100-SXM for 24 h, training/inference alternating',
          logLevel: 'warn',
        },
        rates: results,
        ...(BREAKDOWN ? { breakdown } : {}),
      };
      await writeResult(arg('out', 'middleware'), out);
      if (TIMELINE) await writeFile(TIMELINE, JSON.stringify({ ports, timeline }));
    } finally {
      await stopServer(child);
    }
  });
}

if (process.argv.includes('--server')) await server();
else await main();
