// Write-behind recorder: answers later readers from its buffer, turns unhealthy on a failed write, recovers, batches when it can.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { DecisionRecorder } from '../../../src/http/middleware/decision-recorder.js';
import type { ReviewPort } from '../../../src/http/middleware/ports.js';
import type { Customer, Decision } from '../../../src/model/index.js';

const logger = pino({ level: 'silent' });
const decision = (id: string): Decision => ({ id: 'c', outcome: 'allow', screeningId: id, hits: [], reasons: [], lists: { version: 'v', sources: {} }, policy: 'p', decidedAt: '2026-11-23T00:00:00Z' });
const customer: Customer = { id: 'c', name: 'Acme' };

/** An in-memory review port whose writes can be switched to fail (the real failure is in test/integration/http/failures.test.ts). */
function memoryReview(opts: { batch?: boolean } = {}) {
  const stored = new Map<string, Decision>();
  const state = { failing: false, calls: 0, batches: 0 };
  const port: ReviewPort & { recordScreenings?: (items: { decision: Decision }[]) => Promise<void> } = {
    async recordScreening(_c, d) {
      state.calls += 1;
      if (state.failing) throw new Error('connection refused');
      stored.set(d.screeningId, d);
      return { cases: [] };
    },
    async getScreening(id) {
      return stored.get(id);
    },
    async suppressionsFor() {
      return [];
    },
    async licencesFor() {
      return [];
    },
  };
  if (opts.batch) {
    port.recordScreenings = async (items) => {
      state.batches += 1;
      if (state.failing) throw new Error('connection refused');
      for (const it of items) stored.set(it.decision.screeningId, it.decision);
    };
  }
  return { port, stored, state };
}

test('buffered decisions are readable, written on flush, unhealthy while writes fail, healthy again after', async () => {
  const { port, stored, state } = memoryReview();
  const rec = new DecisionRecorder(port, logger, { flushIntervalMs: 100_000, retryMs: 100_000 });
  rec.enqueue(customer, decision('s1'), 'test');
  assert.equal(rec.pending('s1')?.screeningId, 's1');
  await rec.flush();
  assert.equal(stored.get('s1')?.screeningId, 's1');
  assert.equal(rec.pending('s1'), undefined);
  assert.equal(rec.healthy, true);

  state.failing = true;
  rec.enqueue(customer, decision('s2'), 'test');
  await rec.flush();
  assert.equal(rec.healthy, false);
  assert.equal(rec.buffered, 1, 'kept for retry');
  state.failing = false;
  await rec.flush();
  assert.equal(rec.healthy, true);
  assert.ok(stored.has('s2'));
  await rec.close(100);
});

test('unhealthy when the buffer passes its bound', async () => {
  const { port } = memoryReview();
  const rec = new DecisionRecorder(port, logger, { flushIntervalMs: 100_000, maxBuffered: 3 });
  for (let i = 0; i < 3; i++) rec.enqueue(customer, decision(`b${i}`), 'test');
  assert.equal(rec.healthy, false);
  await rec.close(1000);
  assert.equal(rec.buffered, 0);
});

test('uses recordScreenings in chunks when the review service has it', async () => {
  const { port, stored, state } = memoryReview({ batch: true });
  const rec = new DecisionRecorder(port, logger, { flushIntervalMs: 100_000, batchSize: 2 });
  for (let i = 0; i < 5; i++) rec.enqueue(customer, decision(`k${i}`), 'test');
  await rec.flush();
  assert.equal(state.batches, 3);
  assert.equal(state.calls, 0);
  assert.equal(stored.size, 5);
  await rec.close(100);
});
