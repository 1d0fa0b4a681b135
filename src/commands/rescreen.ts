// `kycgate rescreen --all | --since-list-change [--input F]`: plan chunk jobs, let workers screen them, show progress, print a summary.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig, type Config } from '../config.js';
import { KycError } from '../errors.js';
import { diffSnapshots } from '../lists/diff.js';
import type { Snapshot } from '../lists/snapshot.js';
import { queuePrefix, prefixedKey } from '../queue/names.js';
import type { CustomerSource } from '../queue/jobs.js';
import { openQueues } from '../queue/queues.js';
import { RescreenLedger, type RunRecord } from '../queue/rescreen-ledger.js';
import { exportFormat } from '../sources/customer-export.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { connectRedis, probeRedis, redisUrl } from '../runtime/redis.js';
import { ScreeningEngine } from '../runtime/screening-engine.js';

interface Opts {
  all?: boolean;
  sinceListChange?: boolean;
  input?: string;
  progress?: boolean;
}

/** The snapshot a delta starts from: the one the last finished rescreen used, else the newest other stored snapshot. */
async function previousSnapshot(config: Config, logger: Logger, current: Snapshot, lastRescreened: string | null): Promise<Snapshot | undefined> {
  const { SnapshotStore } = await import('../sources/snapshot-store.js');
  const { parseSourceFiles, buildSnapshot } = await import('../lists/index.js');
  const store = new SnapshotStore(config.KYCGATE_DATA_DIR);
  let id = lastRescreened && lastRescreened !== current.id ? lastRescreened : undefined;
  if (!id) {
    const dir = path.join(store.root, 'snapshots');
    const manifests = await Promise.all(
      (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8')) as { id: string; createdAt: string }),
    );
    id = manifests.filter((m) => m.id !== current.id).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]?.id;
  }
  if (!id) return undefined;
  const manifest = await store.manifest(id);
  if (!manifest) return undefined;
  logger.info({ from: id, to: current.id }, 'delta rescreen: diffing snapshots');
  const built = buildSnapshot(parseSourceFiles(await store.rawFiles(manifest)), new Date(manifest.createdAt));
  return { ...built, id: manifest.id, createdAt: manifest.createdAt, sources: manifest.sources };
}

export async function run(opts: Opts): Promise<number> {
  if (!opts.all === !opts.sinceListChange) throw new KycError('KYC_ERR_INPUT_INVALID', 'give exactly one of --all or --since-list-change');
  const config = loadConfig();
  const logger = createLogger(config.KYCGATE_LOG_LEVEL, { component: 'rescreen' });
  const url = redisUrl(config);
  if (!(await probeRedis(url, 2000))) throw new KycError('KYC_ERR_QUEUE_UNAVAILABLE', `Redis does not answer at ${new URL(url).host}: rescreening runs through the workers`);
  const prefix = queuePrefix(config);
  const t0 = performance.now();
  const engine = await ScreeningEngine.start(config, logger);
  const current = engine.snapshot;
  if (!current) throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', 'no list snapshot: import or refresh the lists first');

  const conn = connectRedis(url, { name: 'kycgate-rescreen' });
  conn.on('error', () => {});
  const queues = openQueues(conn, prefix);
  const ledger = new RescreenLedger(conn, prefix);
  const closers: (() => Promise<unknown>)[] = [async () => queues.close(), async () => conn.disconnect()];
  try {
    let db;
    if (!opts.input) {
      const { openDatabase } = await import('../store/database.js');
      db = await openDatabase(config, logger);
      closers.unshift(() => db!.close());
    }
    const source: CustomerSource = opts.input ? { kind: 'file', path: path.resolve(opts.input), format: exportFormat(opts.input) } : { kind: 'db' };
    const { planFullRescreen, planDeltaRescreen } = await import('../../workers/rescreen-plan.js');
    const planDeps = { config, queues, ledger, logger, ...(db ? { db } : {}) };
    const lastKey = prefixedKey(prefix, 'rescreen', 'last-snapshot');
    let plan;
    if (opts.all) plan = await planFullRescreen(planDeps, current.id, source, { trigger: 'manual' });
    else {
      const prev = await previousSnapshot(config, logger, current, await conn.get(lastKey));
      if (!prev) throw new KycError('KYC_ERR_LISTS_UNAVAILABLE', 'no earlier snapshot to diff against: run `kycgate rescreen --all` once');
      plan = await planDeltaRescreen(planDeps, diffSnapshots(prev, current), source, { trigger: 'list-change', engine });
    }
    process.stderr.write(
      `kycgate: rescreen ${plan.runId} against ${plan.snapshotId}: ${plan.totalCustomers} of ${plan.baseCustomers} customers in ${plan.totalChunks} chunks${plan.created ? '' : ' (resuming)'}\n`,
    );

    if (plan.totalChunks > 0 && (await queues.rescreen.getWorkersCount()) === 0) {
      process.stderr.write('kycgate: no rescreen worker is running: starting one in this process\n');
      const { startWorkers } = await import('../../workers/index.js');
      const { ReviewService } = await import('../store/services/review-service.js');
      let workerDb = db;
      if (!workerDb) {
        const { openDatabase } = await import('../store/database.js');
        workerDb = await openDatabase(config, logger);
        closers.unshift(() => workerDb!.close());
      }
      const workers = await startWorkers({ config, logger, engine, db: workerDb, review: new ReviewService(workerDb), queues: ['rescreen'], schedule: false });
      closers.unshift(() => workers.close());
    }

    const showBar = opts.progress !== false && process.stderr.isTTY;
    const bar = showBar ? new SingleBar({ stream: process.stderr, format: 'rescreen [{bar}] {percentage}% | {value}/{total} chunks | {screened} customers | {rate}/s | eta {eta_formatted}' }, Presets.shades_classic) : undefined;
    bar?.start(plan.totalChunks, 0, { screened: 0, rate: 0 });
    let rec: RunRecord | undefined;
    let lastLog = 0;
    for (;;) {
      rec = await ledger.readRun(plan.runId);
      const done = rec?.doneChunks ?? 0;
      const secs = (performance.now() - t0) / 1000;
      bar?.update(done, { screened: rec?.screened ?? 0, rate: Math.round((rec?.screened ?? 0) / Math.max(secs, 0.001)) });
      if (!bar && opts.progress !== false && Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        process.stderr.write(`kycgate: rescreen ${done}/${plan.totalChunks} chunks, ${rec?.screened ?? 0} customers\n`);
      }
      if (done >= plan.totalChunks) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    bar?.stop();
    await conn.set(lastKey, plan.snapshotId);
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(
      `${JSON.stringify({
        runId: plan.runId,
        mode: opts.all ? 'all' : 'delta',
        snapshotId: plan.snapshotId,
        customers: plan.totalCustomers,
        base: plan.baseCustomers,
        screened: rec?.screened ?? 0,
        skipped: rec?.skipped ?? 0,
        recorded: rec?.recorded ?? 0,
        errors: rec?.errors ?? 0,
        ...(rec?.carriedForwardChunks ? { carriedForwardChunks: rec.carriedForwardChunks } : {}),
        outcomes: rec?.outcomes ?? {},
        ...(plan.selection ? { selection: plan.selection } : {}),
        seconds: Math.round(seconds * 100) / 100,
      })}\n`,
    );
    return 0;
  } finally {
    for (const c of closers) await c().catch(() => undefined);
  }
}
