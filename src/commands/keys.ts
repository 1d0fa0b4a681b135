// `kycgate keys create --role R [--name N]`: creates an API key and prints it once (only its hash is stored).
import { loadConfig } from '../config.js';
import { createApiKey } from '../store/services/api-keys.js';
import { createLogger } from '../runtime/logger.js';
import { openDatabase } from '../store/database.js';

export async function create(opts: { role?: string; name?: string }): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.KYCGATE_LOG_LEVEL);
  const db = await openDatabase(config, logger);
  try {
    const created = await createApiKey(db, { role: String(opts.role), name: opts.name, actor: 'cli' }, new Date());
    process.stdout.write(`${created.key}\n`);
    process.stderr.write(
      `created ${created.keyId} for ${created.principal.name} (role ${created.principal.role}); the key above is shown only now — store it safely\n`,
    );
    return 0;
  } finally {
    await db.close();
  }
}
