// Measures loading the current-2026 seed: first import (parse + store) and later starts (stored snapshot), as JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/runtime/logger.js';
import { loadCurrentSnapshot } from '../src/runtime/lists-runtime.js';

const seed = resolve(import.meta.dirname, '../..', 'shared/lists/current-2026');
const dataDir = mkdtempSync(join(tmpdir(), 'kycgate-bench-lists-'));
const config = loadConfig({ KYCGATE_SEED_DIR: seed, KYCGATE_DATA_DIR: dataDir });
const logger = createLogger('silent');
const runs: { kind: string; ms: number }[] = [];
let counts: unknown;
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  const snap = await loadCurrentSnapshot(config, logger);
  runs.push({ kind: i === 0 ? 'first-import' : 'stored', ms: Math.round(performance.now() - t0) });
  counts = snap?.counts;
}
rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ bench: 'lists-load', seed, runs, counts, rssMB: Math.round(process.memoryUsage().rss / 1e6) })}\n`);
