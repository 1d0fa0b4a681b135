// A rescreen chunk planned on a snapshot that a newer one has replaced, through the real worker (BullMQ and the ledger
// on real Redis, PostgreSQL, the lists store on disk, the real DPL file): screened on the snapshot in force, completed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../src/config.js';
import type { Customer, Decision } from '../../../src/model/index.js';
import { chunkJobId, rescreenRunId, type RescreenChunkData, type RescreenChunkResult } from '../../../src/queue/jobs.js';
import { RescreenLedger } from '../../../src/queue/rescreen-ledger.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { importFiles, readSeedDir } from '../../../src/runtime/lists-runtime.js';
import { ScreeningEngine } from '../../../src/runtime/screening-engine.js';
import { ReviewService } from '../../../src/store/services/review-service.js';
import { startWorkers, type RunningWorkers } from '../../../workers/index.js';
import { createTestDatabase, type TestDatabase } from '../review/helpers.js';
import { DPL, dplVersion } from './fixtures/dpl-version.js';

const logger = createLogger('silent');
const prefix = `{h6cf-${randomUUID().slice(0, 8)}}`;
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
let dir = '';
let t: TestDatabase;
let workers: RunningWorkers | undefined;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kycgate-h6-carry-'));
  t = await createTestDatabase();
});
after(async () => {
  await workers?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await t?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** A seed directory holding the DPL file without the data lines `drop` (a valid other version of the list). */
async function seed(name: string, drop: number[]): Promise<string> {
  const d = path.join(dir, name);
  await mkdir(d);
  await writeFile(path.join(d, 'dpl.txt'), dplVersion(await readFile(DPL), drop));
  return d;
}

test('a chunk whose snapshot was replaced before a worker took it is screened on the one in force and completes', async () => {
  const config = loadConfig({ KYCGATE_DATA_DIR: path.join(dir, 'data'), KYCGATE_QUEUE_PREFIX: prefix, KYCGATE_LOG_LEVEL: 'silent' });
  const planned = await importFiles(await readSeedDir(await seed('a', [])), config, logger);
  const inForce = await importFiles(await readSeedDir(await seed('b', [1, 2, 3])), config, logger);
  assert.notEqual(planned.snapshot.id, inForce.snapshot.id);
  const engine = await ScreeningEngine.start(config, logger);
  assert.equal(engine.snapshot?.id, inForce.snapshot.id, 'the worker serves the snapshot in force');
  const review = new ReviewService(t.db);
  workers = await startWorkers({ config, logger, engine, db: t.db, review, queues: ['rescreen'], schedule: false, name: 'carry-forward' });

  // a delta chunk planned when the older snapshot was in force; a DPL person (in both versions) and a clean company
  const customers: Customer[] = [
    { id: 'cf-listed', name: 'Qingshan Li', country: 'SG' },
    { id: 'cf-clean', name: 'Example Compute Pte. Ltd.', country: 'SG' },
  ];
  const source = { kind: 'inline' } as const;
  const range = { kind: 'inline', customers, count: customers.length } as const;
  const runId = rescreenRunId(planned.snapshot.id, source, 'delta:older');
  const data: RescreenChunkData = { runId, snapshotId: planned.snapshot.id, trigger: 'list-change', source, range };
  const ledger = new RescreenLedger(redis, prefix);
  await ledger.openRun({ runId, snapshotId: planned.snapshot.id, mode: 'delta', trigger: 'list-change', totalChunks: 1, totalCustomers: 2, baseCustomers: 2, startedAt: new Date().toISOString() });
  const job = await workers.queues.rescreen.add('chunk', data, { jobId: chunkJobId(runId, planned.snapshot.id, source, range), attempts: 3, backoff: { type: 'fixed', delay: 200 } });

  let state = await job.getState();
  for (const until = Date.now() + 20_000; state !== 'completed' && state !== 'failed' && Date.now() < until; state = await job.getState()) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(state, 'completed', 'completed, not failed after its retries');
  const result = (await workers.queues.rescreen.getJob(job.id!))!.returnvalue as RescreenChunkResult;
  assert.equal(result.carriedForwardTo, inForce.snapshot.id);
  assert.equal(result.screened, 2);

  // the listed person's decision is recorded on the snapshot in force, with the DPL hit as evidence
  const { rows } = await t.db.query<{ decision: Decision; lists_version: string }>(`SELECT decision, lists_version FROM screenings WHERE customer_id = 'cf-listed'`);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.lists_version, inForce.snapshot.id);
  assert.notEqual(rows[0]!.decision.outcome, 'allow');
  assert.ok(rows[0]!.decision.hits.some((h) => h.list === 'DPL' && /qingshan li/i.test(h.primaryName)), JSON.stringify(rows[0]!.decision.hits.map((h) => [h.list, h.primaryName])));
  assert.equal(Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM screenings WHERE customer_id = 'cf-clean'`)).rows[0]!.n), 0, 'an allow is not recorded');
  assert.equal(await ledger.isChunkDone(planned.snapshot.id, job.id!), true, 'done for the run it was planned in');
  const run = await ledger.readRun(runId);
  assert.deepEqual([run?.doneChunks, run?.screened, run?.carriedForwardChunks], [1, 2, 1], 'the run shows the chunk done, and carried forward');
});
