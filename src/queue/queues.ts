// BullMQ queues of kycgate under the hash-tagged prefix, default job options, schedulers, and bounded-time producers.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SourceRegistry } from '../sources/registry.js';
import { QUEUE_NAMES, type QueueName } from './names.js';
import { contentHash, type RefreshJobData, type RescreenChunkData, type RescreenPlanData, type Trigger } from './jobs.js';
import { withTimeout } from './with-timeout.js';

/** Retries with exponential backoff; completed jobs kept a week (their ids keep re-adds idempotent), failed a month. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = Object.freeze({
  attempts: 6,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
});

/** Enqueue time bound: an add on a Redis that cannot be reached fails instead of hanging. @defaultValue 5000 */
export const ENQUEUE_TIMEOUT_MS = 5000;

export interface KycQueues {
  refresh: Queue<RefreshJobData>;
  rescreen: Queue<RescreenChunkData | RescreenPlanData | Record<string, never>>;
  screen: Queue;
  byName(name: QueueName): Queue;
  close(): Promise<void>;
}

/** Opens the three queues on `connection` (shared; BullMQ duplicates it for blocking calls where needed). */
export function openQueues(connection: Redis, prefix: string): KycQueues {
  const opts = { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS };
  const refresh = new Queue<RefreshJobData>(QUEUE_NAMES.refresh, opts);
  const rescreen = new Queue<RescreenChunkData | RescreenPlanData | Record<string, never>>(QUEUE_NAMES.rescreen, opts);
  const screen = new Queue(QUEUE_NAMES.screen, opts);
  for (const q of [refresh, rescreen, screen]) q.on('error', () => {});
  const all = { refresh, rescreen, screen } as Record<QueueName, Queue>;
  return {
    refresh,
    rescreen,
    screen,
    byName: (name) => all[name],
    async close() {
      await Promise.allSettled([refresh.close(), rescreen.close(), screen.close()]);
    },
  };
}

/** Job scheduler id of a source's refresh. */
export const refreshSchedulerId = (source: string) => `refresh-${source}`;

/**
 * Upserts one job scheduler per source (idempotent: running it again, from any process, changes
 * nothing but the cadence), plus the daily rule-date check and the scheduled full rescreen.
 */
export async function upsertSchedules(
  queues: KycQueues,
  registry: SourceRegistry,
  opts: {
    refreshMinutes: number;
    /** Cron (UTC) of the full rescreen. @defaultValue '0 2 * * *' (daily 02:00 UTC) */
    fullRescreenCron?: string;
    /** Cron (UTC) of the rule-date check. @defaultValue '5 0 * * *' */
    ruleCheckCron?: string;
  },
): Promise<void> {
  const every = opts.refreshMinutes * 60_000;
  await withTimeout(
    Promise.all([
      ...registry.map((s) =>
        queues.refresh.upsertJobScheduler(refreshSchedulerId(s.id), { every }, { name: 'refresh', data: { source: s.id, trigger: 'scheduled', requestedAt: 'scheduled' } }),
      ),
      queues.rescreen.upsertJobScheduler('rescreen-all', { pattern: opts.fullRescreenCron ?? '0 2 * * *', tz: 'UTC' }, {
        name: 'plan',
        data: { mode: 'all', trigger: 'scheduled', requestedAt: 'scheduled' },
      }),
      queues.rescreen.upsertJobScheduler('rule-dates', { pattern: opts.ruleCheckCron ?? '5 0 * * *', tz: 'UTC' }, { name: 'rule-check', data: {} }),
    ]),
    ENQUEUE_TIMEOUT_MS,
    'upsert job schedulers',
  );
}

/**
 * Enqueues an on-demand refresh of each source. The job id is a content hash of (source, minute),
 * so pressing the button twice in a minute adds one job; `deduplication` also folds a request into
 * a refresh of the same source that is still waiting.
 */
export async function enqueueRefresh(queues: KycQueues, sources: readonly string[], trigger: Trigger, now: Date, force = false): Promise<{ source: string; jobId: string }[]> {
  const minute = now.toISOString().slice(0, 16);
  const jobs = sources.map((source) => {
    const jobId = `refresh-${contentHash(source, minute, force).slice(0, 32)}`;
    return {
      name: 'refresh',
      data: { source, trigger, force, requestedAt: now.toISOString() } satisfies RefreshJobData,
      opts: { jobId, deduplication: { id: `refresh-${source}` } },
    };
  });
  const added = await withTimeout(queues.refresh.addBulk(jobs), ENQUEUE_TIMEOUT_MS, 'enqueue refresh');
  return added.map((j, i) => ({ source: jobs[i]!.data.source, jobId: j.id ?? jobs[i]!.opts.jobId }));
}

/** Adds jobs in batches, each batch bounded in time. Jobs whose id exists are left as they are (idempotent). */
export async function addInBatches<T>(queue: Queue<T>, jobs: { name: string; data: T; opts: JobsOptions & { jobId: string } }[], batch = 500): Promise<void> {
  for (let i = 0; i < jobs.length; i += batch) {
    await withTimeout(queue.addBulk(jobs.slice(i, i + batch) as Parameters<Queue<T>['addBulk']>[0]), ENQUEUE_TIMEOUT_MS * 2, 'enqueue jobs');
  }
}
