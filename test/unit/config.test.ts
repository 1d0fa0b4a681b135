// Configuration: defaults, validation naming the variable, unknown KYCGATE_* variables, freezing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { KycError } from '../../src/errors.js';

function failure(env: Record<string, string>): KycError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof KycError);
    assert.equal(err.code, 'KYC_ERR_CONFIG_INVALID');
    return err;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

test('defaults apply with an empty environment', () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 8080);
  assert.equal(c.KYCGATE_POLICY, 'us-export-2026');
  assert.equal(c.KYCGATE_MIN_COUNT_FRACTION, 0.9);
  assert.equal(c.KYCGATE_LATENCY_BUDGET_MS, 50);
  assert.equal(c.KYCGATE_QUEUE_PREFIX, '{kycgate}');
  assert.equal(c.DATABASE_URL, undefined);
  assert.equal(c.KYCGATE_MAX_LIST_AGE_HOURS, 72);
  assert.deepEqual(c.explicit, { database: false, redis: false });
});

test('KYCGATE_MAX_LIST_AGE_HOURS: hours, 0 = off', () => {
  assert.equal(loadConfig({ KYCGATE_MAX_LIST_AGE_HOURS: '0' }).KYCGATE_MAX_LIST_AGE_HOURS, 0);
  assert.equal(loadConfig({ KYCGATE_MAX_LIST_AGE_HOURS: '168' }).KYCGATE_MAX_LIST_AGE_HOURS, 168);
});

test('values are parsed and the result is frozen', () => {
  const c = loadConfig({ PORT: '9090', KYCGATE_MIN_COUNT_FRACTION: '0.75', KYCGATE_DOWNLOAD: 'false', REDIS_URL: 'redis://127.0.0.1:6380', PATH: '/bin' });
  assert.equal(c.PORT, 9090);
  assert.equal(c.KYCGATE_MIN_COUNT_FRACTION, 0.75);
  assert.equal(c.KYCGATE_DOWNLOAD, false);
  assert.equal(c.explicit.redis, true);
  assert.ok(Object.isFrozen(c));
  assert.throws(() => {
    (c as { PORT: number }).PORT = 1;
  }, TypeError);
});

test('empty strings count as unset', () => {
  assert.equal(loadConfig({ PORT: '' }).PORT, 8080);
});

const invalid: [Record<string, string>, string][] = [
  [{ PORT: 'eighty' }, 'PORT'],
  [{ PORT: '70000' }, 'PORT'],
  [{ KYCGATE_MIN_COUNT_FRACTION: '1.5' }, 'KYCGATE_MIN_COUNT_FRACTION'],
  [{ KYCGATE_LOG_LEVEL: 'loud' }, 'KYCGATE_LOG_LEVEL'],
  [{ DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL'],
  [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
  [{ KYCGATE_DOWNLOAD: 'maybe' }, 'KYCGATE_DOWNLOAD'],
  [{ KYCGATE_POLCY: 'us-export-2026' }, 'KYCGATE_POLCY'],
  [{ KYCGATE_MAX_LIST_AGE_HOURS: '-1' }, 'KYCGATE_MAX_LIST_AGE_HOURS'],
  [{ KYCGATE_MAX_LIST_AGE_HOURS: '1.5' }, 'KYCGATE_MAX_LIST_AGE_HOURS'],
  [{ KYCGATE_MAX_LIST_AGE_HOURS: 'three days' }, 'KYCGATE_MAX_LIST_AGE_HOURS'],
  [{ KYCGATE_QUEUE_PREFIX: 'kycgate' }, 'KYCGATE_QUEUE_PREFIX'],
];
for (const [env, variable] of invalid) {
  test(`invalid ${variable} fails naming the variable`, () => {
    assert.match(failure(env).message, new RegExp(variable));
  });
}

test('README documents every variable config.ts reads', async () => {
  const { readFileSync } = await import('node:fs');
  const { CONFIG_VARIABLES } = await import('../../src/config.js');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const name of CONFIG_VARIABLES) assert.ok(readme.includes(`\`${name}\``), `${name} missing from README.md`);
});
