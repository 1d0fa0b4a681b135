// Starts kycgate's BullMQ workers (screen, refresh, rescreen) in this process, with schedulers and graceful close.
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../src/config.js';
import type { SnapshotDiff } from '../src/lists/diff.js';
import { ALL_QUEUES, QUEUE_NAMES, queuePrefix, type QueueName } from '../src/queue/names.js';
import type { RefreshJobData, RescreenChunkData, RescreenPlanData } from '../src/queue/jobs.js';
import { ENQUEUE_TIMEOUT_MS, openQueues, upsertSchedules, type KycQueues } from '../src/queue/queues.js';
import { withTimeout } from '../src/queue/with-timeout.js';
import { RescreenLedger } from '../src/queue/rescreen-ledger.js';
import { subscribeSnapshots } from '../src/queue/pubsub.js';
import { SourceBreakers, type BreakerOptions } from '../src/sources/breaker.js';
import { loadRegistry, type SourceRegistry } from '../src/sources/registry.js';
import { SnapshotStore } from '../src/sources/snapshot-store.js';
import { TrainingAggregator } from '../src/runtime/aggregation.js';
import { loadCurrentSnapshot } from '../src/runtime/lists-runtime.js';
import type { Logger } from '../src/runtime/logger.js';
import { connectRedis, redisUrl } from '../src/runtime/redis.js';
import { dueRuleSwitches, ruleSwitchDates } from '../src/runtime/rescreen-triggers.js';
import { loadPolicyPack, loadRuleData } from '../src/runtime/policy-runtime.js';
import type { ReviewService } from '../src/store/services/review-service.js';
import { processRefresh } from './refresh.js';
import { processRescreenChunk } from './rescreen.js';
import { planDeltaRescreen, planFullRescreen } from './rescreen-plan.js';
import { screenProcessor } from './screen.js';
import type { Db, EngineLike, ScreeningRecorder } from './ports.js';

export interface StartWorkersDeps {
  config: Config;
  logger: Logger;
  engine: EngineLike & { estimateTrainingOps?: (...a: never[]) => number; index?: unknown };
  db?: Db;
  review?: ReviewService;
  /** Subset of queues to work: default all. */
  queues?: string[];
  /** Where rescreen results go; default `review`. */
  recorder?: ScreeningRecorder;
  /** Source registry; default KYCGATE_SOURCES_FILE or lists/sources.json. */
  registry?: SourceRegistry;
  breaker?: BreakerOptions;
  /** Upsert the job schedulers (refresh per source, full rescreen, rule-date check). @defaultValue true */
  schedule?: boolean;
  /** Worker tuning (tests use short intervals). */
  workerOptions?: { lockDuration?: number; stalledInterval?: number; concurrency?: number; drainDelay?: number };
  /** Name on jobs this process worked on (bull-board shows it). */
  name?: string;
  /**
   * Upper bound of each shutdown step that talks to Redis (workers, subscription, queues), ms: a dead
   * Redis must not keep the caller from closing its database pool.
   * @defaultValue 10000
   */
  closeTimeoutMs?: number;
}

export interface RunningWorkers {
  queues: KycQueues;
  close(): Promise<void>;
}

/**
 * Starts the workers. Each worker gets its own blocking connection (`maxRetriesPerRequest: null`);
 * one command connection serves queues, ledger, status and pub/sub publishing; one subscriber
 * follows snapshot announcements so this process's engine serves what the refresh accepted.
 * `close()` lets active jobs finish (graceful), then closes every connection.
 */
export async function startWorkers(deps: StartWorkersDeps): Promise<RunningWorkers> {
  const { config, logger, engine } = deps;
  const prefix = queuePrefix(config);
  const url = redisUrl(config);
  const names = (deps.queues?.length ? deps.queues : [...ALL_QUEUES]) as QueueName[];
  const registry = deps.registry ?? loadRegistry(config.KYCGATE_SOURCES_FILE);
  const conns: Redis[] = [];
  let stopping = false;
  const connect = (name: string) => {
    const c = connectRedis(url, { name });
    // once closing, a lost connection is given up instead of retried forever (a dead Redis would keep the process
    // alive); the connections BullMQ duplicates from this one copy the option
    const retry = c.options.retryStrategy;
    c.options.retryStrategy = (times: number) => (stopping ? null : retry ? retry(times) : Math.min(times * 50, 2000));
    c.on('error', (err) => logger.debug({ err: err.message, conn: name }, 'redis connection error'));
    conns.push(c);
    return c;
  };
  const cmd = connect('kycgate-worker-cmd');
  const queues = openQueues(cmd, prefix);
  const ledger = new RescreenLedger(cmd, prefix);
  const breakers = new SourceBreakers({ logger, redis: cmd, prefix, ...(deps.breaker ? { options: deps.breaker } : {}) });
  const recorder: ScreeningRecorder | undefined = deps.recorder ?? deps.review;
  const workers: Worker[] = [];
  const wopts = {
    prefix,
    concurrency: deps.workerOptions?.concurrency ?? config.KYCGATE_WORKER_CONCURRENCY,
    lockDuration: deps.workerOptions?.lockDuration ?? 30_000,
    stalledInterval: deps.workerOptions?.stalledInterval ?? 30_000,
    maxStalledCount: 3,
    ...(deps.workerOptions?.drainDelay ? { drainDelay: deps.workerOptions.drainDelay } : {}),
    ...(deps.name ? { name: deps.name } : {}),
  };
  const fileOrDb = () => (deps.db ? ({ kind: 'db' } as const) : undefined);

  // Brings the engine to the snapshot in force in the store (one load at a time, shared by concurrent callers).
  let following: Promise<string | undefined> | undefined;
  const followCurrent = (): Promise<string | undefined> =>
    (following ??= (async () => {
      if (!config.KYCGATE_SEED_DIR && engine.snapshot && (await new SnapshotStore(config.KYCGATE_DATA_DIR).currentId()) === engine.snapshot.id) return engine.snapshot.id;
      const next = await loadCurrentSnapshot(config, logger);
      if (next && next.id !== engine.snapshot?.id) await (engine.swapAsync?.(next) ?? engine.swap(next));
      return next?.id;
    })().finally(() => {
      following = undefined;
    }));

  // Follow announced snapshots (another worker's refresh, `lists import`).
  const sub = connect('kycgate-worker-sub');
  const subscription = await subscribeSnapshots(
    sub,
    prefix,
    async (id) => {
      // the snapshot in force re-announced: a refresh found its sources unchanged
      if (engine.snapshot?.id === id) return engine.noteListsVerified?.(id);
      await followCurrent();
    },
    (err) => logger.error({ err }, 'loading an announced snapshot failed; the previous one keeps serving'),
  );

  if (names.includes(QUEUE_NAMES.refresh)) {
    const w = new Worker<RefreshJobData>(
      QUEUE_NAMES.refresh,
      (job) =>
        processRefresh(job, {
          config,
          logger,
          registry,
          breakers,
          redis: cmd,
          prefix,
          engine,
          onAccepted: async ({ fromSnapshotId, snapshot, rawDiff }) => {
            const from = fromSnapshotId ?? (rawDiff as SnapshotDiff | undefined)?.from;
            const source = fileOrDb();
            if (!from || from === snapshot.id || !source || !recorder) return;
            // fixed job id: announcing the same change again (a refresh retried after a crash) adds nothing
            await withTimeout(
              queues.rescreen.add('plan', { mode: 'delta', trigger: 'list-change', fromSnapshotId: from, toSnapshotId: snapshot.id, requestedAt: new Date().toISOString() }, { jobId: `delta-${from}-${snapshot.id}` }),
              ENQUEUE_TIMEOUT_MS,
              'enqueue delta rescreen',
            );
          },
        }),
      { ...wopts, connection: connect('kycgate-worker-refresh'), concurrency: 1 },
    );
    workers.push(w);
  }

  if (names.includes(QUEUE_NAMES.rescreen)) {
    if (!recorder) logger.warn('rescreen worker without a review service: decisions are computed but not recorded');
    const sink: ScreeningRecorder = recorder ?? { recordScreening: async () => undefined };
    const w = new Worker<RescreenChunkData | RescreenPlanData | Record<string, never>>(
      QUEUE_NAMES.rescreen,
      async (job: Job) => {
        if (job.name === 'chunk') {
          return processRescreenChunk(job as Job<RescreenChunkData>, { engine, recorder: sink, ledger, logger, ensureCurrentSnapshot: followCurrent, ...(deps.db ? { db: deps.db } : {}) });
        }
        if (job.name === 'plan') return processPlan(job as Job<RescreenPlanData>);
        if (job.name === 'rule-check') return processRuleCheck();
        throw new Error(`unknown rescreen job ${job.name}`);
      },
      { ...wopts, connection: connect('kycgate-worker-rescreen') },
    );
    workers.push(w);

    /**
     * The snapshot to plan against: the one in force. The engine follows announcements asynchronously, so a
     * plan job may arrive before this process loaded the snapshot it is about: load it first (a plan against
     * the previous snapshot would select nothing and stamp chunks with the wrong id).
     */
    const planSnapshot = async (wanted?: string) => {
      if (!engine.snapshot || (wanted && engine.snapshot.id !== wanted)) await followCurrent();
      const snap = engine.snapshot;
      if (!snap) throw new Error('lists not loaded yet');
      if (wanted && snap.id !== wanted) logger.info({ wanted, current: snap.id }, 'planning against the snapshot in force (newer than the one the job names)');
      return snap;
    };

    const processPlan = async (job: Job<RescreenPlanData>) => {
      const source = fileOrDb();
      if (!source) return { skipped: 'no customer store (database) in this worker' };
      const snap = await planSnapshot(job.data.toSnapshotId);
      const planDeps = { config, queues, ledger, logger, ...(deps.db ? { db: deps.db } : {}) };
      if (job.data.mode === 'delta') {
        const { diffSnapshots } = await import('../src/lists/diff.js');
        const fromId = job.data.fromSnapshotId;
        const from = fromId ? await loadSnapshotById(config, fromId) : undefined;
        if (!from) return planFullRescreen(planDeps, snap.id, source, { trigger: job.data.trigger });
        return planDeltaRescreen(planDeps, diffSnapshots(from, snap), source, { trigger: job.data.trigger, engine });
      }
      return planFullRescreen(planDeps, snap.id, source, { trigger: job.data.trigger });
    };

    const processRuleCheck = async () => {
      const today = new Date().toISOString().slice(0, 10);
      const key = `${prefix}:rescreen:rule-check`;
      const last = (await cmd.get(key)) ?? undefined;
      const pack = loadPolicyPack(config.KYCGATE_POLICY);
      const rules = loadRuleData();
      const due = dueRuleSwitches(ruleSwitchDates(pack, rules), last, today);
      const checked = () => cmd.set(key, today);
      if (due.length === 0) {
        await checked();
        return { due: [] };
      }
      const source = fileOrDb();
      if (!source) {
        await checked(); // nothing this worker could ever plan
        return { due, skipped: 'no customer store (database) in this worker' };
      }
      logger.info({ due }, 'dated rules switch today: rescreening every customer');
      // lists not loaded or the plan failing throw: the job is retried and the day is not marked checked
      const snap = await planSnapshot();
      await planFullRescreen({ config, queues, ledger, logger, ...(deps.db ? { db: deps.db } : {}) }, snap.id, source, { trigger: 'rule-date' });
      // marked only once the plan is enqueued: a failed plan is retried instead of being skipped for good
      await checked();
      return { due };
    };
  }

  if (names.includes(QUEUE_NAMES.screen)) {
    const aggregator = new TrainingAggregator(cmd, prefix, loadPolicyPack(config.KYCGATE_POLICY).training.aggregation.windowDays * 86_400);
    const processor = screenProcessor({
      engine: engine as unknown as Parameters<typeof screenProcessor>[0]['engine'],
      review: deps.review,
      aggregator,
      logger,
    });
    workers.push(new Worker(QUEUE_NAMES.screen, processor, { ...wopts, connection: connect('kycgate-worker-screen') }));
  }

  for (const w of workers) {
    w.on('failed', (job, err) => logger.warn({ queue: w.name, job: job?.id, name: job?.name, attempts: job?.attemptsMade, err: err.message }, 'job failed'));
    w.on('error', (err) => logger.debug({ queue: w.name, err: err.message }, 'worker error'));
  }

  if (deps.schedule !== false && names.includes(QUEUE_NAMES.refresh)) {
    try {
      await upsertSchedules(queues, registry, { refreshMinutes: config.KYCGATE_REFRESH_MINUTES });
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not upsert job schedulers (will retry on next start)');
    }
  }
  logger.info({ queues: names, prefix }, 'workers started');

  const closeTimeoutMs = deps.closeTimeoutMs ?? 10_000;
  /** Runs one shutdown step for at most closeTimeoutMs; a step that hangs (Redis down) is logged and left behind. */
  const bounded = async (what: string, step: () => Promise<unknown>, bounds = 1) => {
    try {
      await withTimeout(step(), closeTimeoutMs * bounds, `close ${what}`);
    } catch (err) {
      logger.warn({ err: (err as Error).message, step: what }, 'shutdown step did not finish in time; going on');
    }
  };
  let closing: Promise<void> | undefined;
  return {
    queues,
    close() {
      closing ??= (async () => {
        stopping = true;
        // active jobs may finish (graceful), within three bounds; then the Redis-only steps, one bound each
        await bounded('workers', () => Promise.allSettled(workers.map((w) => w.close())), 3);
        await bounded('snapshot subscription', () => subscription.close());
        await bounded('queues', () => queues.close());
        breakers.shutdown();
        for (const c of conns) c.disconnect();
      })();
      return closing;
    },
  };
}

/** A stored snapshot by id (for a delta's `from` side), or undefined when it is no longer stored. */
async function loadSnapshotById(config: Config, id: string) {
  const { parseSourceFiles, buildSnapshot } = await import('../src/lists/index.js');
  const store = new SnapshotStore(config.KYCGATE_DATA_DIR);
  const manifest = await store.manifest(id);
  if (!manifest) return undefined;
  const built = buildSnapshot(parseSourceFiles(await store.rawFiles(manifest)), new Date(manifest.createdAt));
  return { ...built, id: manifest.id, createdAt: manifest.createdAt, sources: manifest.sources };
}
