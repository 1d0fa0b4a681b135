// kycgate.screen() options: validated once at creation, unknown keys rejected, defaults applied.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKycError } from '../../../src/errors.js';
import { kycgate } from '../../../src/index.js';
import { checkInputLimits } from '../../../src/http/middleware/input-limits.js';
import { parseScreenOptions } from '../../../src/http/middleware/options.js';

const engine = { ready: true, screen: () => { throw new Error('unused'); } };
const customer = () => ({ id: 'c', name: 'n' });

const rejects = (options: unknown, pattern: RegExp) =>
  assert.throws(
    () => kycgate.screen(options as never),
    (err: unknown) => isKycError(err) && err.code === 'KYC_ERR_OPTIONS_INVALID' && pattern.test(err.message),
  );

describe('kycgate.screen options', () => {
  test('defaults: budget 50 ms, review accepted, unavailable holds', () => {
    const cfg = parseScreenOptions({ customer, engine });
    assert.equal(cfg.budgetMs, 50);
    assert.equal(cfg.onReview, 'accept');
    assert.equal(cfg.onUnavailable, 'hold');
    assert.equal(cfg.retryAfterSeconds, 5);
    assert.equal(cfg.casePath('a/b'), '/v1/cases/a%2Fb');
    assert.equal(cfg.screeningPath('s1'), '/v1/screenings/s1');
    assert.ok(Object.isFrozen(cfg));
  });

  test('undefined values fall back to the defaults', () => {
    assert.equal(parseScreenOptions({ customer, engine, budgetMs: undefined }).budgetMs, 50);
  });

  test('table of invalid options, each rejected at creation with KYC_ERR_OPTIONS_INVALID', () => {
    const cases: [unknown, RegExp][] = [
      [{ customer, engine, budgetMS: 10 }, /unknown option\(s\): budgetMS/],
      [{ customer, engine, onUnavailable: 'block' }, /onUnavailable/],
      [{ customer, engine, onReview: 'maybe' }, /onReview/],
      [{ customer, engine, budgetMs: 0 }, /budgetMs/],
      [{ customer, engine, budgetMs: 1.5 }, /budgetMs/],
      [{ engine }, /customer/],
      [{ customer: 'req.body', engine }, /customer must be a function/],
      [{ customer, engine: {} }, /engine must be an object with screen/],
      [{ customer, engine, queue: { submit: () => {} } }, /queue/],
      [{ customer, engine, limits: { maxNameLength: 10, extra: 1 } }, /limits/],
      [null, /options/],
    ];
    for (const [opts, pattern] of cases) rejects(opts, pattern);
  });

  test('returns a named middleware function', () => {
    const mw = kycgate.screen({ customer, engine });
    assert.equal(typeof mw, 'function');
    assert.equal(mw.name, 'kycgateScreenMiddleware');
  });
});

describe('input limits', () => {
  test('counts parties and rejects over-long names with the path', () => {
    assert.equal(checkInputLimits({ id: 'c', name: 'A', aliases: ['B'], parents: [{ name: 'P', parents: [{ name: 'Q' }] }] }), 4);
    assert.throws(() => checkInputLimits({ id: 'c', name: 'A', parents: [{ name: 'x'.repeat(600) }] }), /customer\.parents\.0\.name/);
    assert.throws(() => checkInputLimits({ id: 'c', name: 'A', aliases: ['y'.repeat(513)] }), /customer\.aliases\.0/);
    let deep: Record<string, unknown> = { name: 'root' };
    for (let i = 0; i < 30; i++) deep = { name: `p${i}`, parents: [deep] };
    assert.throws(() => checkInputLimits({ id: 'c', ...deep }), /deeper than 25/);
  });
});
