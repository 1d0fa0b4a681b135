// The caller's fault stays a 4xx when a dependency is down: no unavailable result, no fail-open allow.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import express from 'express';
import request from 'supertest';
import { KycError } from '../../../src/errors.js';
import { kycgate } from '../../../src/index.js';
import { DEFAULT_INPUT_LIMITS } from '../../../src/http/middleware/input-limits.js';
import { loadParseCustomer } from '../../../src/http/middleware/parse.js';
import { Screener } from '../../../src/http/middleware/screener.js';
import { problemHandler } from '../../../src/http/problem.js';
import { createLogger } from '../../../src/runtime/logger.js';

const logger = createLogger('silent');
const unused = async (): Promise<never> => {
  throw new Error('unused');
};
const review = { recordScreening: unused, getScreening: unused, suppressionsFor: unused, licencesFor: unused };
const downQueue = { healthy: false, submit: unused, submitMany: unused, status: unused };
const throwingEngine = (err: Error) => ({ ready: true, screen: (): never => { throw err; } });
const input = { id: 'c-1', name: 'Acme Cloud Ltd', country: 'US', request: { gpuModel: 'Z9', gpuCount: 1, hours: 1 } };

describe('Screener with the queue down', () => {
  test('an unknown GPU model raised by the engine is rethrown (400), not turned into unavailable', async () => {
    const screener = new Screener({ engine: throwingEngine(new KycError('KYC_ERR_UNKNOWN_GPU', 'unknown GPU model Z9')), queue: downQueue, logger });
    const call = { budgetMs: 50, actor: 't', inlineMaxParties: 50, limits: DEFAULT_INPUT_LIMITS, parse: await loadParseCustomer() };
    await assert.rejects(screener.screen(input, call), (err: unknown) => err instanceof KycError && err.code === 'KYC_ERR_UNKNOWN_GPU');
  });

  test('an engine failure that is not the caller\'s fault still yields unavailable (without a partial decision)', async () => {
    const screener = new Screener({ engine: throwingEngine(new Error('boom')), queue: downQueue, logger });
    const call = { budgetMs: 50, actor: 't', inlineMaxParties: 50, limits: DEFAULT_INPUT_LIMITS, parse: await loadParseCustomer() };
    const result = await screener.screen(input, call);
    assert.equal(result.kind, 'unavailable');
    assert.ok(result.kind === 'unavailable' && result.cause === 'queue' && result.partial === undefined);
  });
});

test("middleware with onUnavailable: 'allow' and the queue down: an unknown GPU is 400, never a fail-open allow", async () => {
  const app = express();
  app.use(express.json());
  let reachedHandler = false;
  app.post(
    '/x',
    kycgate.screen({
      customer: (req) => ({ id: req.body.id, name: req.body.name, country: req.body.country }),
      request: (req) => req.body.request,
      onUnavailable: 'allow',
      engine: throwingEngine(new KycError('KYC_ERR_UNKNOWN_GPU', 'unknown GPU model Z9')),
      review,
      queue: downQueue,
      logger,
    }),
    (_req, res) => {
      reachedHandler = true;
      res.status(201).end();
    },
  );
  app.use(problemHandler(logger));
  const res = await request(app).post('/x').send(input);
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.body.code, 'KYC_ERR_UNKNOWN_GPU');
  assert.equal(reachedHandler, false);
});
