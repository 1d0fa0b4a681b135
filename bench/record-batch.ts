// Benchmark: what recording write-behind allows costs per decision, by batch size (the decision writer's work, and PostgreSQL's).
//   node --import tsx bench/record-batch.ts [--items 6000] [--batches 50,50,200] [--out record-batch]
// Prints JSON; writes bench/results/<out>.json. Needs PostgreSQL on 127.0.0.1:5432 (its server processes' CPU is read from /proc).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseCustomer } from '../src/screening/customer-schema.js';
import { ReviewService } from '../src/store/services/review-service.js';
import { arg, processesCpuMs, startBenchRuntime, withTempDatabase, writeResult } from './kit.js';

const ITEMS = Number(arg('items', '6000'));
/** Batch sizes, one run each; the first run also warms up the JIT and the connection (hence 50 twice by default). */
const BATCHES = arg('batches', '50,50,200').split(',').map(Number);
/** Accounts the decisions are spread over (as bench/middleware.ts's 2,000 asking again and again). */
const ACCOUNTS = 2000;

await withTempDatabase('kycgate_bench_record', async (dbName) => {
  const { engine, db } = await startBenchRuntime(dbName);
  const review = new ReviewService(db);
  const allow = (i: number) => {
    const a = i % ACCOUNTS;
    const customer = parseCustomer({
      id: `acct-${a}`,
      name: `Borealis Quantum Works ${a} GmbH`,
      country: 'DE',
      request: { gpuModel: 'H100-SXM', gpuCount: 8, hours: 24, purpose: i % 2 ? 'inference' : 'training' },
    });
    const decision = engine.screen(customer, { now: new Date(), screeningId: randomUUID() });
    if (decision.outcome !== 'allow') throw new Error(`expected an allow for ${customer.name}, got ${decision.outcome}`);
    return { customer, decision, actor: 'bench' };
  };
  const runs = [];
  for (const batch of BATCHES) {
    const items = Array.from({ length: ITEMS }, (_, i) => allow(i));
    const pg0 = processesCpuMs('postgres');
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < items.length; i += batch) await review.recordScreenings(items.slice(i, i + batch));
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const per = (ms: number) => Number((ms / items.length).toFixed(3));
    runs.push({ batch, items: items.length, wallMsPerDecision: per(wallMs), writerCpuMsPerDecision: per((cpu.user + cpu.system) / 1000), postgresCpuMsPerDecision: per(processesCpuMs('postgres') - pg0) });
  }
  await db.close();
  await writeResult(arg('out', 'record-batch'), {
    bench: 'record-batch',
    what: 'ReviewService.recordScreenings (what the decision writer thread runs for write-behind allows), one transaction per batch, in this process',
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    note: 'writerCpu: this process (the pg driver, audit hashing, parameters); postgresCpu: every postgres process on the machine over the run (nothing else should use it)',
    runs,
  });
});
