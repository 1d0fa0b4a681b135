// The process-wide default runtime of `kycgate.screen()` when no engine is injected: engine + review service from the environment.
import { loadConfig } from '../../config.js';
import { createLogger } from '../../runtime/logger.js';
import type { RecorderStore } from './decision-recorder.js';
import type { ReviewPort, ScreeningEnginePort } from './ports.js';

export interface DefaultRuntime {
  engine: ScreeningEnginePort;
  review: ReviewPort;
  /** Where write-behind allows go (a writer thread on PostgreSQL, see KYCGATE_RECORDER_THREAD). */
  store: RecorderStore;
}

let started: Promise<DefaultRuntime> | undefined;

/**
 * Starts (once per process) a ScreeningEngine on the configured lists and a ReviewService on
 * `DATABASE_URL` (or embedded PGlite). Middleware instances created without `engine` share it and
 * hold requests until it is ready.
 */
export function defaultRuntime(): Promise<DefaultRuntime> {
  started ??= (async () => {
    const config = loadConfig();
    const logger = createLogger(config.KYCGATE_LOG_LEVEL, { component: 'kycgate' });
    const [{ ScreeningEngine }, { openDatabase }, { ReviewService }, { decisionStore }] = await Promise.all([
      import('../../runtime/screening-engine.js'),
      import('../../store/database.js'),
      import('../../store/services/review-service.js'),
      import('../../store/threaded-writer.js'),
    ]);
    const [engine, db] = await Promise.all([ScreeningEngine.start(config, logger), openDatabase(config, logger)]);
    const review = new ReviewService(db);
    return { engine, review, store: decisionStore(db, review, config, logger).store };
  })();
  started.catch(() => {
    started = undefined; // a later middleware creation may retry
  });
  return started;
}
