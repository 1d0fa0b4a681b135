// `kycgate lists refresh [--source ID] [--wait]`: enqueue a refresh of each source (or run it in-process when Redis is down).
import { QueueEvents } from 'bullmq';
import { loadConfig } from '../config.js';
import { isKycError } from '../errors.js';
import { queuePrefix, QUEUE_NAMES } from '../queue/names.js';
import { enqueueRefresh, openQueues } from '../queue/queues.js';
import { SourceBreakers } from '../sources/breaker.js';
import { getSource, loadRegistry } from '../sources/registry.js';
import { loadCurrentSnapshot } from '../runtime/lists-runtime.js';
import { createLogger } from '../runtime/logger.js';
import { connectRedis, probeRedis, redisUrl } from '../runtime/redis.js';

export async function run(opts: { source?: string; wait?: boolean }): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.KYCGATE_LOG_LEVEL, { component: 'lists-refresh' });
  const registry = loadRegistry(config.KYCGATE_SOURCES_FILE);
  const sources = opts.source ? [getSource(registry, opts.source).id] : registry.map((s) => s.id);
  const url = redisUrl(config);
  const prefix = queuePrefix(config);

  if (!(await probeRedis(url, 1000))) {
    process.stderr.write(`kycgate: Redis does not answer at ${new URL(url).host}: refreshing in this process (no announcement to running servers)\n`);
    const { processRefresh } = await import('../../workers/refresh.js');
    const breakers = new SourceBreakers({ logger });
    const current = await loadCurrentSnapshot(config, logger);
    let engineSnapshot = current;
    const engine = { ready: true, get snapshot() { return engineSnapshot; }, screen: () => { throw new Error('not used'); }, swap: (s: typeof current) => { engineSnapshot = s; } };
    let failed = 0;
    for (const source of sources) {
      try {
        const r = await processRefresh({ data: { source, trigger: 'manual', requestedAt: new Date().toISOString() } }, { config, logger, registry, breakers, prefix, engine: engine as never });
        process.stdout.write(`${JSON.stringify(r)}\n`);
      } catch (err) {
        failed += 1;
        process.stdout.write(`${JSON.stringify({ source, status: 'failed', error: isKycError(err) ? err.code : 'KYC_ERR_SOURCE_DOWNLOAD', message: (err as Error).message })}\n`);
      }
    }
    breakers.shutdown();
    return failed ? 1 : 0;
  }

  const conn = connectRedis(url, { name: 'kycgate-lists-refresh' });
  conn.on('error', () => {});
  const queues = openQueues(conn, prefix);
  let events: QueueEvents | undefined;
  try {
    if (opts.wait) {
      events = new QueueEvents(QUEUE_NAMES.refresh, { connection: { url }, prefix });
      await events.waitUntilReady();
    }
    const jobs = await enqueueRefresh(queues, sources, 'manual', new Date());
    process.stderr.write(`kycgate: refresh queued for ${jobs.map((j) => j.source).join(', ')}${opts.wait ? '; waiting' : ' (see /admin/queues or `kycgate lists status`)'}\n`);
    if (!opts.wait || !events) {
      for (const j of jobs) process.stdout.write(`${JSON.stringify({ ...j, status: 'queued' })}\n`);
      return 0;
    }
    const workers = await queues.refresh.getWorkersCount();
    if (workers === 0) process.stderr.write('kycgate: no refresh worker is running: start `kycgate worker` (or `kycgate serve`) — waiting anyway\n');
    let failed = 0;
    for (const j of jobs) {
      const job = await queues.refresh.getJob(j.jobId);
      if (!job) continue;
      try {
        const result = await job.waitUntilFinished(events, 10 * 60_000);
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } catch (err) {
        failed += 1;
        process.stdout.write(`${JSON.stringify({ source: j.source, jobId: j.jobId, status: 'failed', message: (err as Error).message })}\n`);
      }
    }
    return failed ? 1 : 0;
  } finally {
    await events?.close();
    await queues.close();
    conn.disconnect();
  }
}
