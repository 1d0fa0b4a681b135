// `kycgate lists import <file|dir> [--force]`: validate official list files and make them the current snapshot.
import { loadConfig } from '../config.js';
import { createLogger } from '../runtime/logger.js';
import { importFiles, readSeedDir } from '../runtime/lists-runtime.js';

/** Exit 0 accepted, 2 refused (the reason names the file and line; the previous snapshot stays). */
export async function run(opts: { force?: boolean }, path: string): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.KYCGATE_LOG_LEVEL === 'info' ? 'warn' : config.KYCGATE_LOG_LEVEL);
  const files = await readSeedDir(path);
  const res = await importFiles(files, config, logger, { force: opts.force === true });
  if (!res.accepted) {
    process.stderr.write(`kycgate: ${res.error?.code ?? 'KYC_ERR_LIST_VALIDATION'}: ${res.reason}\nkycgate: snapshot ${res.snapshot.id} stays in force\n`);
    return 2;
  }
  const d = res.diff;
  const summary = {
    accepted: true,
    snapshot: res.snapshot.id,
    counts: res.snapshot.counts,
    files: files.map((f) => f.name),
    ...(d ? { diff: { from: d.from, added: d.added.length, removed: d.removed.length, changed: d.changed.length } } : {}),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}
