// lowerThreadPriority on Linux: the calling thread alone gets the nice value; the other threads of the process keep theirs.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { threadNices } from '../../proc-threads.js';

const linux = existsSync('/proc/thread-self');

test('a worker thread that lowers itself to nice 13 runs at 13; the main thread and the others stay at 0', { skip: !linux && 'needs /proc (Linux)' }, async () => {
  const src = JSON.stringify(new URL('../../../src/store/thread-priority.ts', import.meta.url).href);
  // the worker loads the TypeScript source through a scoped tsx loader (as recorder-thread-entry.mjs does), reports
  // what it set, then waits to be told to exit (so its thread is still there to inspect)
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     import('tsx/esm/api')
       .then(({ register }) => register({ namespace: 'thread-priority-test' }).import(${src}, ${src}))
       .then(({ lowerThreadPriority }) => parentPort.postMessage(lowerThreadPriority(13)));
     parentPort.once('message', () => process.exit(0));`,
    { eval: true },
  );
  try {
    const [set] = (await once(worker, 'message')) as [number | undefined];
    assert.equal(set, 13);
    const nices = threadNices();
    assert.equal(nices.get(process.pid), 0, 'the main thread keeps its priority');
    assert.equal(os.getPriority(), 0);
    const lowered = [...nices].filter(([, n]) => n === 13);
    assert.equal(lowered.length, 1, `exactly one thread at nice 13: ${JSON.stringify([...nices])}`);
    assert.ok([...nices].every(([, n]) => n === 0 || n === 13), 'no other thread changed');
  } finally {
    worker.postMessage('exit');
    await once(worker, 'exit');
  }
});
