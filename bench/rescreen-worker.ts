// Bench helper: one rescreen worker process (real engine, real ReviewService on the bench database); prints "ready".
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/runtime/logger.js';
import { ScreeningEngine } from '../src/runtime/screening-engine.js';
import { ReviewService } from '../src/store/services/review-service.js';
import { openDatabase } from '../src/store/database.js';
import { startWorkers } from '../workers/index.js';

const config = loadConfig();
const logger = createLogger(config.KYCGATE_LOG_LEVEL, { component: 'bench-worker', pid: process.pid });
const db = await openDatabase(config, logger);
const review = new ReviewService(db);
const engine = await ScreeningEngine.start(config, logger);
const workers = await startWorkers({ config, logger, engine, db, review, queues: ['rescreen'], schedule: false, workerOptions: { drainDelay: 1 } });
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await workers.close();
  await db.close();
  process.exit(0);
});
