// While the default runtime is not up, input is still validated: 400 for bad input, never a hold or a fail-open allow.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import express from 'express';
import request from 'supertest';
import { loadConfig } from '../../../src/config.js';
import { kycgate } from '../../../src/index.js';
import { problemHandler } from '../../../src/http/problem.js';
import { createLogger } from '../../../src/runtime/logger.js';

const logger = createLogger('silent');
const saved = process.env['KYCGATE_LATENCY_BUDGET_MS'];

// An invalid variable keeps the default runtime (engine + review from the environment) from ever starting.
before(() => {
  process.env['KYCGATE_LATENCY_BUDGET_MS'] = 'not-a-number';
});
after(() => {
  if (saved === undefined) delete process.env['KYCGATE_LATENCY_BUDGET_MS'];
  else process.env['KYCGATE_LATENCY_BUDGET_MS'] = saved;
});

function app(onUnavailable: 'hold' | 'allow') {
  const a = express();
  a.use(express.json());
  a.post('/x', kycgate.screen({ customer: (req) => req.body, onUnavailable, logger }), (req, res) => void res.status(201).json(req.kycgate));
  a.use(problemHandler(logger));
  return a;
}

test('the premise: the default runtime cannot start in this process', () => {
  assert.throws(() => loadConfig(), /KYCGATE_LATENCY_BUDGET_MS/);
});

for (const mode of ['hold', 'allow'] as const) {
  test(`starting, onUnavailable: '${mode}': invalid input → 400 problem+json`, async () => {
    const a = app(mode);
    const missingName = await request(a).post('/x').send({ id: 'c-1' });
    assert.equal(missingName.status, 400, JSON.stringify(missingName.body));
    assert.match(String(missingName.headers['content-type']), /^application\/problem\+json/);
    assert.equal(missingName.body.code, 'KYC_ERR_INPUT_INVALID');
    const longName = await request(a).post('/x').send({ id: 'c-2', name: 'x'.repeat(600) });
    assert.equal(longName.status, 400, JSON.stringify(longName.body));
    assert.match(longName.body.detail, /customer\.name/);
  });
}

test('starting: valid input holds (503 + Retry-After), or fails open saying so when configured', async () => {
  const held = await request(app('hold')).post('/x').send({ id: 'c-3', name: 'Acme Cloud Ltd' });
  assert.equal(held.status, 503);
  assert.equal(held.body.code, 'KYC_ERR_SCREENING_UNAVAILABLE');
  assert.equal(held.headers['retry-after'], '5');
  const open = await request(app('allow')).post('/x').send({ id: 'c-4', name: 'Acme Cloud Ltd' });
  assert.equal(open.status, 201);
  assert.equal(open.body.failOpen, true);
  assert.equal(open.body.id, 'c-4');
});
