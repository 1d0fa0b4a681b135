// Benchmark: POST /v1/screen under load while the engine swaps list snapshots several times; counts failures, p99 during swaps; writes bench/results/swap.json.
//   node --import tsx bench/swap-under-load.ts [--duration 30] [--rate 200] [--swaps 5] [--connections 10 (requests leaving together; spread over each second)] [--sync]
// Server (child process): the real app (createApp + ScreeningEngine + auth + decision recorder, PostgreSQL). Client: autocannon.
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { arg, forkServer, listen, pacedLoad, portOf, quantile, SEED_DIR, stopServer, withTempDatabase, writeResult } from './kit.js';

/** Server side: the real app on loopback; swaps between the current lists and the same minus 50 entries on request. */
async function server(): Promise<void> {
  const { loadConfig } = await import('../src/config.js');
  const { createApp } = await import('../src/http/app.js');
  const { authenticate, requireRole } = await import('../src/http/auth.js');
  const { DecisionRecorder } = await import('../src/http/middleware/decision-recorder.js');
  const { createApiKey } = await import('../src/store/services/api-keys.js');
  const { ReviewService } = await import('../src/store/services/review-service.js');
  const { createLogger } = await import('../src/runtime/logger.js');
  const { ScreeningEngine } = await import('../src/runtime/screening-engine.js');
  const { openDatabase } = await import('../src/store/database.js');
  const config = loadConfig({
    DATABASE_URL: `postgres://root@127.0.0.1:5432/${process.env['BENCH_DB']!}`,
    KYCGATE_SEED_DIR: SEED_DIR,
    KYCGATE_DATA_DIR: path.join(os.tmpdir(), 'kycgate-bench-data'),
    KYCGATE_LOG_LEVEL: 'warn',
    KYCGATE_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const logger = createLogger(config.KYCGATE_LOG_LEVEL, { component: 'bench-swap' });
  const [engine, db] = await Promise.all([ScreeningEngine.start(config, logger), openDatabase(config, logger)]);
  const review = new ReviewService(db);
  const recorder = new DecisionRecorder(review, logger);
  const { key } = await createApiKey(db, { role: 'service', name: 'bench-swap' }, new Date());
  const a = engine.snapshot!;
  const b = { ...a, id: `${a.id}-minus50`, entries: a.entries.slice(50) };
  const app = createApp({ config, logger, engine, review, recorder, auth: { authenticate: authenticate(db), requireRole } });
  const s = await listen(app);
  process.send!({ port: portOf(s), key, snapshots: [a.id, b.id], entries: [a.entries.length, b.entries.length] });
  process.on('message', async (msg) => {
    if (msg === 'swap') {
      const next = engine.snapshot?.id === a.id ? b : a;
      const start = Date.now();
      // --sync: the old synchronous build (for comparison); default: the sliced build servers use
      if (process.env['BENCH_SWAP_SYNC'] === '1') engine.swap(next);
      else await engine.swapAsync(next);
      process.send!({ swapped: next.id, start, end: Date.now() });
      return;
    }
    if (msg !== 'stop') return;
    s.close();
    await recorder.close(10_000);
    await db.close();
    process.exit(0);
  });
}

const WORDS = ['Northwind', 'Blue', 'Harbor', 'Apex', 'Summit', 'Vertex', 'Lumen', 'Cobalt', 'Granite', 'Helios', 'Juniper', 'Kestrel'];
const KINDS = ['Cloud', 'Analytics', 'Robotics', 'Labs', 'Compute', 'Software', 'Systems', 'Data'];

function body(i: number): string {
  const w = (n: number, arr: string[]) => arr[(i * n + (i >> 3)) % arr.length]!;
  // one in 50 is a listed name (review/deny path), the rest unlisted
  const name = i % 50 === 0 ? 'Hangzhou Hikvision Digital Technology Co., Ltd.' : `${w(7, WORDS)} ${w(5, WORDS)} ${w(3, KINDS)} Ltd`;
  return JSON.stringify({ id: `swap-${i}`, name, country: 'US' });
}

async function main(): Promise<void> {
  const duration = Number(arg('duration', '30'));
  const rate = Number(arg('rate', '200'));
  const swaps = Number(arg('swaps', '5'));
  const connections = Number(arg('connections', '10'));
  await withTempDatabase('kycgate_bench_swap', async (dbName) => {
    let child: ChildProcess | undefined;
    try {
      const started = await forkServer<{ port: number; key: string; snapshots: string[]; entries: number[] }>(import.meta.filename, { BENCH_DB: dbName, BENCH_SWAP_SYNC: process.argv.includes('--sync') ? '1' : '0' });
      child = started.child;
      const ready = started.ready;
      const windows: { start: number; end: number; swapped: string }[] = [];
      let i = 0;
      const t0 = Date.now();
      const run = pacedLoad({
        url: `http://127.0.0.1:${ready.port}`,
        rate,
        duration,
        perTick: connections,
        request: () => ({ method: 'POST', path: '/v1/screen', headers: { 'content-type': 'application/json', authorization: `Bearer ${ready.key}` }, body: body(i++) }),
      });
      // swaps spread over the run, the first after 3 s of steady load
      const gap = (duration * 1000 - 6000) / Math.max(1, swaps - 1);
      const timers: NodeJS.Timeout[] = [];
      for (let k = 0; k < swaps; k++) {
        timers.push(
          setTimeout(async () => {
            child!.send('swap');
          }, 3000 + k * gap),
        );
      }
      child.on('message', (m: { swapped?: string; start: number; end: number }) => {
        if (m.swapped) windows.push({ start: m.start, end: m.end, swapped: m.swapped });
      });
      const res = await run;
      const responses = res.responses;
      timers.forEach(clearTimeout);
      // a request is "during a swap" when it was in flight while the index was being rebuilt or finished within 1 s after
      const during = responses.filter((r) => windows.some((w) => r.at >= w.start && r.at - r.ms <= w.end + 1000)).map((r) => r.ms).sort((x, y) => x - y);
      const steady = responses.filter((r) => !windows.some((w) => r.at >= w.start - 500 && r.at - r.ms <= w.end + 1500)).map((r) => r.ms).sort((x, y) => x - y);
      const result = {
        what: `POST /v1/screen (real app, auth, decision recorder, PostgreSQL) at ${rate} req/s (even pacing: ${connections} requests every ${Math.round((1000 * connections) / rate)} ms) for ${duration} s, with ${windows.length} engine.swap() calls alternating between ${ready.snapshots.join(' and ')} (${ready.entries.join(' / ')} entries)`,
        requests: res.total,
        non2xx: res.non2xx,
        errors: res.errors,
        timeouts: res.timeouts,
        swaps: windows.map((w) => ({ to: w.swapped, atSecond: Math.round((w.start - t0) / 100) / 10, buildMs: w.end - w.start })),
        latencyMs: {
          all: { p50: res.p50Ms, p99: res.p99Ms, max: res.maxMs },
          duringSwaps: { n: during.length, p50: quantile(during, 0.5), p99: quantile(during, 0.99), max: during[during.length - 1] ?? 0 },
          steady: { n: steady.length, p50: quantile(steady, 0.5), p99: quantile(steady, 0.99) },
        },
        cpus: os.cpus().length,
        mode: process.argv.includes('--sync') ? 'engine.swap (synchronous build)' : 'engine.swapAsync (names normalized in slices, then the tables in one go)',
        note: 'autocannon and the server share the 2 cores. With --sync the whole build holds the event loop, so requests wait (not fail) while it builds; swapAsync holds it only for the table-building step.',
        measuredAt: new Date().toISOString(),
      };
      await writeResult('swap', result);
    } finally {
      await stopServer(child);
    }
  });
}

if (process.argv.includes('--server')) await server();
else await main();
