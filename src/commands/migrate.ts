// `kycgate migrate`: applies pending SQL migrations (they also run whenever a process opens the database).
import { loadConfig } from '../config.js';
import { createLogger } from '../runtime/logger.js';
import { openDatabase } from '../store/database.js';
import { runMigrations } from '../store/migrate.js';

export async function run(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.KYCGATE_LOG_LEVEL);
  const db = await openDatabase(config, logger, { migrate: false });
  try {
    const applied = await runMigrations(db);
    process.stderr.write(applied.length ? `applied ${applied.join(', ')} (${db.kind})\n` : `database is up to date (${db.kind})\n`);
    return 0;
  } finally {
    await db.close();
  }
}
