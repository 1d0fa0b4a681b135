// TrainingAggregator against real Redis: sums across linked groups once per request, expires outside the window, atomic under concurrency.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { TrainingAggregator, trainingGroupKeys, ultimateParent } from '../../../src/runtime/aggregation.js';
import type { Customer } from '../../../src/model/index.js';

const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const prefix = `{h6agg-${randomUUID().slice(0, 8)}}`;
after(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

// DOMAIN.md §3: 10^26 operations; a run split in three requests of 4e25 each stays below per request but not in sum.
const THRESHOLD = 1e26;

test('one parent splitting a training run across subsidiaries reaches the threshold in sum', async () => {
  const agg = new TrainingAggregator(redis, prefix, 30 * 86400);
  const parent = { name: 'Example Holdings Ltd', country: 'HK', ownership: 0.6 };
  const subs: Customer[] = ['A', 'B', 'C'].map((s) => ({ id: `sub-${s}-${randomUUID()}`, name: `Example Compute ${s}`, country: 'SG', parents: [parent] }));
  const at = new Date('2026-11-20T00:00:00Z');
  const sums = [];
  for (const c of subs) sums.push((await agg.add(trainingGroupKeys(c), 4e25, at)).windowOps);
  assert.deepEqual(sums, [4e25, 8e25, 1.2e26]);
  assert.ok(sums[2]! >= THRESHOLD && 4e25 < THRESHOLD);
});

test('accounts linked by a payment fingerprint, registration id or access IP share a group; a request counts once', async () => {
  const agg = new TrainingAggregator(redis, prefix, 30 * 86400);
  const fp = `card-${randomUUID()}`;
  const ip = `203.0.113.${Math.floor(Math.random() * 200)}-${randomUUID().slice(0, 4)}`;
  const a: Customer = { id: `a-${randomUUID()}`, name: `Alpha ${randomUUID()}`, paymentFingerprint: fp };
  const b: Customer = { id: `b-${randomUUID()}`, name: `Beta ${randomUUID()}`, paymentFingerprint: fp, accessIps: [ip] };
  const c: Customer = { id: `c-${randomUUID()}`, name: `Gamma ${randomUUID()}`, accessIps: [ip] };
  const at = new Date('2026-11-20T00:00:00Z');
  assert.equal((await agg.add(trainingGroupKeys(a), 1e25, at, 'req-a')).windowOps, 1e25);
  assert.equal((await agg.add(trainingGroupKeys(b), 2e25, at, 'req-b')).windowOps, 3e25);
  // c shares only the IP with b: it sees b's request and its own (a is linked to b by the card, not to c)
  assert.equal((await agg.add(trainingGroupKeys(c), 3e25, at, 'req-c')).windowOps, 5e25);
  // the same request again is not counted twice; b, linked to both, sees all three once each
  assert.equal((await agg.add(trainingGroupKeys(c), 3e25, at, 'req-c')).windowOps, 5e25);
  assert.equal((await agg.peek(trainingGroupKeys(b), at)).windowOps, 6e25);
});

test('requests older than the window drop out, and the keys expire', async () => {
  const agg = new TrainingAggregator(redis, prefix, 3600);
  const c: Customer = { id: `w-${randomUUID()}`, name: `Window Co ${randomUUID()}` };
  const t0 = new Date('2026-11-20T00:00:00Z');
  await agg.add(trainingGroupKeys(c), 5e25, t0);
  assert.equal((await agg.peek(trainingGroupKeys(c), new Date(t0.getTime() + 1800_000))).windowOps, 5e25);
  assert.equal((await agg.add(trainingGroupKeys(c), 1e25, new Date(t0.getTime() + 3601_000))).windowOps, 1e25);
  const keys = await redis.keys(`${prefix}:agg:*`);
  const ttls = await Promise.all(keys.map((k) => redis.pttl(k)));
  assert.ok(ttls.every((t) => t > 0 && t <= 30 * 86400_000), `every aggregation key expires (${ttls.join(',')})`);
});

test('concurrent adds are atomic: 200 parallel requests sum exactly', async () => {
  const agg = new TrainingAggregator(redis, prefix, 86400);
  const c: Customer = { id: `p-${randomUUID()}`, name: `Parallel ${randomUUID()}` };
  const at = new Date();
  await Promise.all(Array.from({ length: 200 }, (_, i) => agg.add(trainingGroupKeys(c), 1e23, at, `r${i}`)));
  assert.equal((await agg.peek(trainingGroupKeys(c), at)).windowOps, 2e25);
});

test('ultimate parent follows the largest ownership up the chain', () => {
  const up = ultimateParent({
    parents: [
      { name: 'Minor Holder', ownership: 0.2 },
      { name: 'Mid Co', ownership: 0.7, parents: [{ name: 'Top Group', ownership: 0.9 }, { name: 'Other', ownership: 0.1 }] },
    ],
  });
  assert.equal(up?.name, 'Top Group');
});
