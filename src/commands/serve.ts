// `kycgate serve [--demo]`: the HTTP API (+ embedded workers when Redis answers), graceful shutdown on SIGTERM/SIGINT.
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import { loadConfig } from '../config.js';
import { KycError } from '../errors.js';
import { createAdminRouter } from '../http/admin-routes.js';
import { createApp } from '../http/app.js';
import { createHttpServer } from '../http/http-server.js';
import { authenticate, requireRole } from '../http/auth.js';
import { metrics } from '../http/metrics.js';
import { drainBackgroundAdds } from '../http/middleware/background-adds.js';
import { DecisionRecorder } from '../http/middleware/decision-recorder.js';
import type { EngineScreenOptions, ScreeningEnginePort } from '../http/middleware/ports.js';
import { createReviewRouter } from '../http/review-routes.js';
import type { Snapshot } from '../lists/snapshot.js';
import type { MatchIndex } from '../match/index.js';
import type { ComputeRequest, Customer, Decision, ListEntry } from '../model/index.js';
import { queuePrefix } from '../queue/names.js';
import { subscribeSnapshots } from '../queue/pubsub.js';
import { ScreeningQueue } from '../queue/screening-queue.js';
import { ReviewService } from '../store/services/review-service.js';
import { TrainingAggregator } from '../runtime/aggregation.js';
import { loadCurrentSnapshot } from '../runtime/lists-runtime.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { loadPolicyPack } from '../runtime/policy-runtime.js';
import { connectRedis, probeRedis, redisUrl } from '../runtime/redis.js';
import { ScreeningEngine } from '../runtime/screening-engine.js';
import { registerSourceMetrics } from '../sources/breaker.js';
import { openDatabase } from '../store/database.js';
import { decisionStore } from '../store/threaded-writer.js';
import { startWorkers } from '../../workers/index.js';

/**
 * The engine as the app sees it while lists load: not ready (requests hold, /readyz 503) until the
 * real engine has started, then a pass-through. Lets the server listen at once.
 */
class StartingEngine implements ScreeningEnginePort {
  engine: ScreeningEngine | undefined;
  get ready(): boolean {
    return this.engine?.ready ?? false;
  }
  get snapshot(): Snapshot | undefined {
    return this.engine?.snapshot;
  }
  screen(input: unknown, opts?: EngineScreenOptions): Decision {
    if (!this.engine) throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', 'the screening engine is still starting');
    return this.engine.screen(input, opts as Parameters<ScreeningEngine['screen']>[1]);
  }
  screenParsed(customer: Customer, opts?: EngineScreenOptions): Decision {
    if (!this.engine) throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', 'the screening engine is still starting');
    return this.engine.screenParsed(customer, opts as Parameters<ScreeningEngine['screenParsed']>[1]);
  }
  pack(policy?: string) {
    if (!this.engine) throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', 'the screening engine is still starting');
    return this.engine.pack(policy);
  }
  estimateTrainingOps(request: ComputeRequest, policy?: string): number {
    if (!this.engine) throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', 'the screening engine is still starting');
    return this.engine.estimateTrainingOps(request, policy);
  }
  /** While starting: true (wait for the sum, the careful answer). */
  trainingSumMatters(customer: Customer, policy?: string, now?: Date): boolean {
    return this.engine ? this.engine.trainingSumMatters(customer, policy, now) : true;
  }
  get index(): MatchIndex | undefined {
    return this.engine?.index;
  }
}

type Closer = { name: string; close: () => Promise<unknown> };

/** List entries by `list + sourceId` for the review page's side-by-side view; rebuilt when the snapshot changes. */
const entryIndexes = new WeakMap<Snapshot, Map<string, ListEntry>>();
function entryIndex(snapshot: Snapshot | undefined): Map<string, ListEntry> {
  if (!snapshot) return new Map();
  let index = entryIndexes.get(snapshot);
  if (!index) {
    index = new Map(snapshot.entries.map((e) => [`${e.list}\u0000${e.sourceId}`, e]));
    entryIndexes.set(snapshot, index);
  }
  return index;
}

function say(line: string): void {
  process.stderr.write(`kycgate: ${line}\n`);
}

export async function run(opts: { demo?: boolean }): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.KYCGATE_LOG_LEVEL, { component: 'serve' });
  const closers: Closer[] = [];
  const t0 = Date.now();

  const url = redisUrl(config);
  const [redisUp, db] = await Promise.all([probeRedis(url, 1000), openDatabase(config, logger)]);
  closers.push({ name: 'database', close: () => db.close() });
  const review = new ReviewService(db);
  const writes = decisionStore(db, review, config, logger);
  closers.push({ name: 'decision writer', close: writes.close });
  const recorder = new DecisionRecorder(writes.store, logger, {}, (n) => metrics.writeBehind.set(n));
  const useRedis = redisUp || config.explicit.redis;
  if (!redisUp && config.explicit.redis) {
    say(`REDIS_URL is set but Redis does not answer at ${new URL(url).host}: screenings that need it are HELD (503) until it does.`);
  } else if (!redisUp) {
    const host = new URL(url).host;
    const howTo = `start redis-server on ${host} or set REDIS_URL`;
    say(`Redis not found at ${host}: screening runs in-process only; the features below are off until Redis answers.`);
    say(`slow path (large ownership trees, batches, budget overruns → 202 + poll): off — needs Redis; ${howTo}`);
    say(`scheduled list refresh (every ${config.KYCGATE_REFRESH_MINUTES} min, hot swap): off — needs Redis; ${howTo} (\`kycgate lists import\` still works)`);
    say(`rescreening (batch, delta on list change, triggers): off — needs Redis; ${howTo}`);
    say(`training-compute aggregation across accounts (TRAINING_AGGREGATE): off — needs Redis; ${howTo}`);
  }

  const engine = new StartingEngine();
  let queue: ScreeningQueue | undefined;
  let aggregator: TrainingAggregator | undefined;
  let aggRedis: Redis | undefined;
  const prefix = queuePrefix(config);
  if (useRedis) {
    queue = new ScreeningQueue({ url, prefix, logger });
    aggRedis = connectRedis(url, { failFast: true, name: 'kycgate-aggregate' });
    aggRedis.on('error', () => {});
    aggregator = new TrainingAggregator(aggRedis, prefix, loadPolicyPack(config.KYCGATE_POLICY).training.aggregation.windowDays * 86_400);
    // list sources' breaker state, failures and refusals on /metrics (read from Redis at scrape time)
    registerSourceMetrics(metrics.registry, aggRedis, prefix);
  }
  let workersState: 'up' | 'down' | 'disabled' | 'loading' = 'disabled';
  const admin = useRedis ? createAdminRouter({ config, logger, db, prefix, url }) : undefined;
  if (admin) closers.push({ name: 'admin queues', close: () => admin.close() });

  const app = createApp({
    config,
    logger,
    engine,
    review,
    recorder,
    queue,
    aggregator,
    auth: { authenticate: authenticate(db), requireRole },
    reviewRouter: createReviewRouter({
      db,
      review,
      bodyLimitBytes: config.KYCGATE_BODY_LIMIT_BYTES,
      entryLookup: (list, sourceId) => entryIndex(engine.snapshot).get(`${list}\u0000${sourceId}`),
    }),
    adminRouter: admin,
    demo: opts.demo === true,
    probes: {
      database: () => db.query('SELECT 1'),
      ...(queue ? { redis: () => (queue!.healthy ? 'up' : 'down') } : {}),
      workers: () => workersState,
      recorder: () => ({ healthy: recorder.healthy, buffered: recorder.buffered }),
    },
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = createHttpServer(app).listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  say(`listening on http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}${opts.demo ? ' (demo: POST /v1/instances)' : ''}; database ${db.kind}; loading lists…`);

  // Lists, then workers and snapshot announcements.
  const startEngine = ScreeningEngine.start(config, logger).then(async (real) => {
    engine.engine = real;
    const snap = real.snapshot;
    say(
      snap
        ? `ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: lists ${snap.id} (${snap.entries.length} entries), policy ${config.KYCGATE_POLICY}`
        : 'no list snapshot: set KYCGATE_SEED_DIR or run `kycgate lists refresh`; screenings are held until lists load',
    );
    if (!useRedis) return;
    if (config.KYCGATE_EMBEDDED_WORKERS) {
      // the embedded workers share this engine and follow snapshot announcements for it
      workersState = 'loading';
      const workers = await startWorkers({ config, logger, engine: real, db, review });
      closers.push({ name: 'workers', close: () => workers.close() });
      workersState = 'up';
      say('embedded workers running (screen, refresh, rescreen); set KYCGATE_EMBEDDED_WORKERS=false to run `kycgate worker` separately');
      return;
    }
    const sub = connectRedis(url, { name: 'kycgate-snapshots' });
    sub.on('error', () => {});
    const subscription = await subscribeSnapshots(sub, prefix, async (id) => {
      // the snapshot in force re-announced: a refresh found its sources unchanged
      if (real.snapshot?.id === id) return real.noteListsVerified(id);
      const next = await loadCurrentSnapshot(config, logger);
      if (next && next.id !== real.snapshot?.id) {
        // built in slices: screenings go on being answered on the current index meanwhile
        if (await real.swapAsync(next)) logger.info({ snapshot: next.id }, 'swapped to the announced list snapshot');
      }
    }, (err) => logger.error({ err }, 'loading an announced snapshot failed; the previous one keeps serving'));
    closers.push({ name: 'snapshot subscription', close: async () => { await subscription.close(); sub.disconnect(); } });
  });
  startEngine.catch((err: unknown) => {
    logger.error({ err }, 'the screening engine failed to start; screenings are held');
    say(`lists failed to load: ${err instanceof Error ? err.message : String(err)}; screenings are held (503)`);
  });

  if (queue) closers.push({ name: 'screening queue', close: () => queue!.close() });
  if (aggRedis) closers.push({ name: 'aggregation redis', close: async () => aggRedis!.disconnect() });
  // runs before the line above (closers run in reverse): additions still waiting reach Redis first
  if (aggregator) closers.push({ name: 'training sums', close: () => drainBackgroundAdds(aggregator!) });

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      say(`${signal}: stopping (finishing in-flight requests)`);
      await shutdown(server, recorder, closers, logger, startEngine);
      // connections still retrying a dead Redis (e.g. workers that never finished starting) must not keep the process up
      setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
      resolve();
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
  return 0;
}

/** Stop accepting, finish in-flight requests (≤ 10 s), drain decision writes, close workers, queues, Redis, the database. */
async function shutdown(server: Server, recorder: DecisionRecorder, closers: Closer[], logger: Logger, started: Promise<unknown>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 10_000);
  await closed;
  clearTimeout(force);
  // lists still loading / workers waiting for Redis: do not wait for them forever
  await Promise.race([started.catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
  await recorder.close(5000);
  for (const c of closers.reverse()) {
    try {
      await c.close();
    } catch (err) {
      logger.warn({ err, what: c.name }, 'close failed during shutdown');
    }
  }
  say('stopped');
}
