// Benchmark: what each part of kycgate.screen() costs the main thread per remembered allow, in-process, side by side.
//   node --max-semi-space-size=64 --import tsx bench/middleware-parts.ts [--calls 5000] [--rate 500] [--rounds 3] [--out middleware-parts]
// Prints JSON; writes bench/results/<out>.json. Needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379).
//
// No HTTP, no load generator: the middleware is called with the demo route's request bodies, ten at a time at a fixed
// rate, as the even pacing of bench/middleware.ts sends them (at a rate the decision writer keeps up with: faster, its
// buffer fills and the middleware holds, as it should). Main-thread time is the
// event loop's busy time (performance.eventLoopUtilization); allocation is the young generation's growth over
// windows of calls in which no collection ran (hence the large --max-semi-space-size), median of the windows.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { RequestHandler } from 'express';
import { demoExtractors } from '../src/http/demo-routes.js';
import { DecisionRecorder } from '../src/http/middleware/decision-recorder.js';
import { screen } from '../src/http/middleware/screen-middleware.js';
import { drainBackgroundAdds } from '../src/http/middleware/background-adds.js';
import { TrainingAggregator } from '../src/runtime/aggregation.js';
import { connectRedis } from '../src/runtime/redis.js';
import { ReviewService } from '../src/store/services/review-service.js';
import { decisionStore } from '../src/store/threaded-writer.js';
import { arg, quantile, startBenchRuntime, withTempDatabase, writeResult } from './kit.js';

const CALLS = Number(arg('calls', '5000'));
/** Calls per second: ten every 10000/RATE ms. */
const RATE = Number(arg('rate', '500'));
const ROUNDS = Number(arg('rounds', '3'));
/** Accounts asking again and again (bench/middleware.ts's default); inference and training alternate by account. */
const ACCOUNTS = 2000;
/** Calls per allocation window (each window must fit the young generation between two collections), and windows. */
const WINDOW = 250;
const WINDOWS = 10;

let collections = 0;
new PerformanceObserver((list) => {
  collections += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });
const youngBytes = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? 0;

const bodies = Array.from({ length: ACCOUNTS }, (_, a) => ({
  accountId: `acct-${a}`,
  org: `Borealis Quantum Works ${a} GmbH`,
  country: 'DE',
  gpu: 'H100-SXM',
  count: 8,
  hours: 24,
  purpose: a % 2 ? 'inference' : 'training',
}));

/** Calls `mw` `n` times, ten at a time at RATE; counts what was not an allow. */
async function drive(mw: RequestHandler, n: number, tally: { notAllowed: number }): Promise<void> {
  let i = 0;
  const answered = () => {
    tally.notAllowed += 1;
  };
  const res = { locals: {}, headersSent: false, setHeader() {}, getHeader() {}, status: () => res, type: () => res, set: () => res, json: answered, send: answered, end: answered };
  let due = performance.now();
  for (let k = 0; k < n; k += 10) {
    for (let j = 0; j < 10; j++) {
      const req = { body: bodies[i++ % ACCOUNTS] };
      await new Promise<void>((resolve, reject) => {
        res.json = res.send = res.end = () => (answered(), resolve());
        void mw(req as never, res as never, (err?: unknown) => (err ? reject(err) : resolve()));
      });
    }
    due += 10_000 / RATE;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  }
}

/** Main-thread µs and allocated KB per call of one part, and the calls that did not end in an allow. */
async function measure(mw: RequestHandler): Promise<{ mainUsPerCall: number; allocKBPerCall: number | null; notAllowed: number }> {
  const tally = { notAllowed: 0 };
  await new Promise((resolve) => setTimeout(resolve, 200));
  const elu0 = performance.eventLoopUtilization();
  await drive(mw, CALLS, tally);
  const busy = performance.eventLoopUtilization(elu0);
  const perCall: number[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const [c0, b0] = [collections, youngBytes()];
    await drive(mw, WINDOW, tally);
    const b1 = youngBytes();
    if (collections === c0 && b1 > b0) perCall.push((b1 - b0) / WINDOW);
  }
  perCall.sort((a, b) => a - b);
  return {
    mainUsPerCall: Number(((busy.active * 1000) / CALLS).toFixed(1)),
    allocKBPerCall: perCall.length >= WINDOWS / 2 ? Number((quantile(perCall, 0.5) / 1024).toFixed(2)) : null,
    notAllowed: tally.notAllowed,
  };
}

await withTempDatabase('kycgate_bench_parts', async (dbName) => {
  const { config, logger, engine, db } = await startBenchRuntime(dbName);
  const review = new ReviewService(db);
  const writes = decisionStore(db, review, config, logger);
  const recorder = new DecisionRecorder(writes.store, logger);
  const prefix = `{kycbench${randomBytes(3).toString('hex')}}`;
  const redis = connectRedis('redis://127.0.0.1:6379', { failFast: false });
  await redis.ping();
  const aggregator = new TrainingAggregator(redis, prefix, 365 * 86_400);
  const extractors = { customer: demoExtractors.customer as never, request: demoExtractors.request as never, logger };
  // each part a middleware of its own (its own decision memo), as bench/middleware.ts's --breakdown variants
  const parts: [string, RequestHandler][] = [
    // the same loop around a handler that only calls next(): what every other line includes besides its part
    ['harness (no middleware)', (_req, _res, next) => next()],
    ['memo hit only', screen({ ...extractors, engine, onReview: 'deny' })],
    ['+ Redis sum', screen({ ...extractors, engine, onReview: 'deny', aggregator })],
    ['+ write-behind', screen({ ...extractors, engine, review, recorder })],
    ['guarded (both)', screen({ ...extractors, engine, review, recorder, aggregator })],
  ];
  // warm-up: every account three times (the memo remembers an input at its second allow), and the JIT
  for (const [, mw] of parts) {
    await drive(mw, 3 * ACCOUNTS, { notAllowed: 0 });
    await recorder.flush();
  }
  const rounds = new Map<string, Awaited<ReturnType<typeof measure>>[]>(parts.map(([name]) => [name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    // rounds rotate the order, so no part always runs first
    for (let p = 0; p < parts.length; p++) {
      const [name, mw] = parts[(p + r) % parts.length]!;
      rounds.get(name)!.push(await measure(mw));
      await recorder.flush();
    }
  }
  const median = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
    return v.length ? quantile(v, 0.5) : null;
  };
  const results = [...rounds].map(([name, rs]) => ({
    part: name,
    mainUsPerCall: median(rs.map((x) => x.mainUsPerCall)),
    allocKBPerCall: median(rs.map((x) => x.allocKBPerCall)),
    mainUsPerRound: rs.map((x) => x.mainUsPerCall),
    notAllowed: rs.reduce((n, x) => n + x.notAllowed, 0),
  }));
  await recorder.close(10_000);
  await writes.close();
  await drainBackgroundAdds(aggregator);
  const keys = await redis.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  redis.disconnect();
  await db.close();
  await writeResult(arg('out', 'middleware-parts'), {
    bench: 'middleware-parts',
    what: 'kycgate.screen() called in-process with the demo route bodies (2,000 accounts, every call a remembered allow), ten at a time at ratePerSecond; per part: main-thread busy time and young-generation allocation per call',
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, loadavg: os.loadavg().map((l) => Number(l.toFixed(2))) },
    setup: { calls: CALLS, ratePerSecond: RATE, rounds: ROUNDS, allocationWindows: `${WINDOWS} × ${WINDOW} calls`, execArgv: process.execArgv.filter((a) => a.startsWith('--max-semi')) },
    note: 'the harness line is the loop itself; a part costs its line minus the harness. The write-behind part posts allows to the decision writer thread (its own CPU and PostgreSQL are not counted here: bench/record-batch.ts)',
    results,
  });
});
process.exit(0);
