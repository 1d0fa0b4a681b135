// `kycgate worker [--queues screen,refresh,rescreen]`: runs the BullMQ workers until SIGTERM/SIGINT, then shuts down gracefully.
import { loadConfig } from '../config.js';
import { KycError } from '../errors.js';
import { parseQueueList } from '../queue/names.js';
import { ReviewService } from '../store/services/review-service.js';
import { createLogger } from '../runtime/logger.js';
import { probeRedis, redisUrl } from '../runtime/redis.js';
import { ScreeningEngine } from '../runtime/screening-engine.js';
import { openDatabase } from '../store/database.js';

export async function run(opts: { queues?: string }): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.KYCGATE_LOG_LEVEL, { component: 'worker', pid: process.pid });
  const queues = parseQueueList(opts.queues);
  const url = redisUrl(config);
  if (!(await probeRedis(url, 2000))) {
    throw new KycError('KYC_ERR_QUEUE_UNAVAILABLE', `Redis does not answer at ${new URL(url).host}: workers need Redis (start redis-server or set REDIS_URL)`);
  }
  const db = await openDatabase(config, logger);
  const review = new ReviewService(db);
  const engine = await ScreeningEngine.start(config, logger);
  const { startWorkers } = await import('../../workers/index.js');
  const workers = await startWorkers({ config, logger, engine, db, review, queues });
  process.stderr.write(`kycgate: workers running (${queues.join(', ')}); lists ${engine.snapshot?.id ?? 'not loaded'}; Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`kycgate: ${signal}: finishing active jobs, then stopping\n`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await workers.close();
  await db.close();
  process.stderr.write('kycgate: workers stopped\n');
  return 0;
}
