// bench/gc-trace.ts on real `--trace-gc-nvp` output: the main isolate told apart from a worker thread's, per-isolate sums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { gcPerRequest, IsolateGcTrace } from '../../../bench/gc-trace.js';

// Before READY: the main thread 200 MB of garbage, a first worker thread 40 MB (so two isolates have collected).
// After READY: the main thread 30 MB, a second worker thread 120 MB.
const CHURN = 'const churn = (mb) => { let keep; for (let i = 0; i < mb * 1024; i++) keep = new Array(120).fill(i); return keep; };';
const SCRIPT = `
const { Worker } = require('node:worker_threads');
${CHURN}
churn(200);
new Worker(${JSON.stringify(`${CHURN} churn(40);`)}, { eval: true }).on('exit', () => {
  console.log('READY');
  const w = new Worker(${JSON.stringify(`${CHURN} churn(120);`)}, { eval: true });
  churn(30);
  w.on('exit', () => console.log('DONE'));
});
`;

test('sums young-generation collections per isolate and finds the main one among those that collected before ready', () => {
  const run = spawnSync(process.execPath, ['--trace-gc-nvp', '-e', SCRIPT], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, run.stderr);
  const trace = new IsolateGcTrace();
  let other = 0;
  for (const line of run.stdout.split('\n')) {
    if (line === 'READY') trace.ready();
    else if (!trace.line(line) && line !== '') other += 1;
  }
  assert.equal(other, 1, 'only DONE is not a GC line');
  const { main, others } = trace.take();
  assert.ok(main, 'the main isolate collected after READY');
  const mb = (b: number) => b / 1024 / 1024;
  // what a scavenge reports is what was allocated since the last one: the tail after the last scavenge is not counted
  assert.ok(mb(main.allocatedBytes) > 10 && mb(main.allocatedBytes) < 60, `main ${mb(main.allocatedBytes)} MB`);
  assert.ok(main.scavengeMs.length > 0 && main.scavengeMs.every((ms) => ms >= 0));
  const workerMb = mb(others.reduce((n, o) => n + o.allocatedBytes, 0));
  assert.ok(workerMb > 80, `worker ${workerMb} MB`);
  assert.deepEqual(trace.take(), { main: undefined, others: [] }, 'take() starts over');

  const perRequest = gcPerRequest([{ main, others }], 1024);
  assert.equal(perRequest.mainAllocatedKB, Number((main.allocatedBytes / 1024 / 1024).toFixed(1)));
  assert.equal(perRequest.mainScavenges, main.scavengeMs.length);
  assert.ok(perRequest.otherThreadsAllocatedKB > 80);
});
