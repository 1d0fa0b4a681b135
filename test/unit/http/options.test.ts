// kycgate.screen() options: validated once at creation, unknown keys rejected, defaults applied.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKycError } from '../../../src/errors.js';
import { kycgate } from '../../../src/index.js';
import { checkInputLimits } from '../../../src/http/middleware/input-limits.js';
import { parseScreenOptions } from '../../../src/http/middleware/options.js';

const engine = { ready: true, screen: () => { throw new Error('unused'); } };
const unused = async () => { throw new Error('unused'); };
const review = { recordScreening: unused, getScreening: unused, suppressionsFor: unused, licencesFor: unused };
const customer = () => ({ id: 'c', name: 'n' });

const rejects = (options: unknown, pattern: RegExp) =>
  assert.throws(
    () => kycgate.screen(options as never),
    (err: unknown) => isKycError(err) && err.code === 'KYC_ERR_OPTIONS_INVALID' && pattern.test(err.message),
  );

describe('kycgate.screen options', () => {
  test('defaults: budget 50 ms, review accepted, unavailable holds', () => {
    const cfg = parseScreenOptions({ customer, engine, review });
    assert.equal(cfg.budgetMs, 50);
    assert.equal(cfg.onReview, 'accept');
    assert.equal(cfg.onUnavailable, 'hold');
    assert.equal(cfg.retryAfterSeconds, 5);
    assert.equal(cfg.casePath('a/b'), '/v1/cases/a%2Fb');
    assert.equal(cfg.screeningPath('s1'), '/v1/screenings/s1');
    assert.ok(Object.isFrozen(cfg));
  });

  test('undefined values fall back to the defaults', () => {
    assert.equal(parseScreenOptions({ customer, engine, review, budgetMs: undefined }).budgetMs, 50);
  });

  test('table of invalid options, each rejected at creation with KYC_ERR_OPTIONS_INVALID', () => {
    const cases: [unknown, RegExp][] = [
      [{ customer, engine, review, budgetMS: 10 }, /unknown option\(s\): budgetMS/],
      [{ customer, engine, review, onUnavailable: 'block' }, /onUnavailable/],
      [{ customer, engine, review, onReview: 'maybe' }, /onReview/],
      [{ customer, engine, review, budgetMs: 0 }, /budgetMs/],
      [{ customer, engine, review, budgetMs: 1.5 }, /budgetMs/],
      [{ engine, review }, /customer/],
      [{ customer: 'req.body', engine }, /customer must be a function/],
      [{ customer, engine: {}, review }, /engine must be an object with screen/],
      [{ customer, engine, review, queue: { submit: () => {} } }, /queue/],
      [{ customer, engine, review, limits: { maxNameLength: 10, extra: 1 } }, /limits/],
      [null, /options/],
    ];
    for (const [opts, pattern] of cases) rejects(opts, pattern);
  });

  test('engine without review is rejected unless onReview is deny (a review 202 would point at no case)', () => {
    rejects({ customer, engine }, /engine without review/);
    rejects({ customer, engine, onReview: 'accept' }, /onReview: 'deny'/);
    const cfg = parseScreenOptions({ customer, engine, onReview: 'deny' });
    assert.equal(cfg.onReview, 'deny');
    assert.equal(cfg.review, undefined);
    // without engine the default runtime brings its own review service
    assert.equal(parseScreenOptions({ customer }).engine, undefined);
  });

  test('returns a named middleware function', () => {
    const mw = kycgate.screen({ customer, engine, review });
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

  const long = 'z'.repeat(513);
  const deepChain = (levels: number): Record<string, unknown> => {
    let party: Record<string, unknown> = { name: 'top' };
    for (let i = 0; i < levels; i++) party = { name: `p${i}`, parents: [party] };
    return party;
  };
  // the path names exactly the party or name at fault, wherever it sits in the tree
  const paths: [string, unknown, string][] = [
    ['customer name', { id: 'c', name: long }, 'customer.name: name longer than 512'],
    ['second alias', { id: 'c', name: 'A', aliases: ['ok', long] }, 'customer.aliases.1: name longer'],
    ['owner', { id: 'c', name: 'A', beneficialOwners: [{ name: 'ok' }, { name: long }] }, 'customer.beneficialOwners.1.name: name longer'],
    ['alias of a second parent', { id: 'c', name: 'A', parents: [{ name: 'P' }, { name: 'Q', aliases: [long] }] }, 'customer.parents.1.aliases.0: name longer'],
    ['grandparent after a sibling tree', { id: 'c', name: 'A', parents: [{ name: 'P', parents: [{ name: 'PP' }] }, { name: 'Q', parents: [{ name: long }] }] }, 'customer.parents.1.parents.0.name: name longer'],
    ['26 levels deep', { id: 'c', ...deepChain(26) }, `customer${'.parents.0'.repeat(26)}: ownership chain deeper than 25`],
  ];
  for (const [what, input, message] of paths) {
    test(`names the path: ${what}`, () => {
      assert.throws(() => checkInputLimits(input), (err: Error) => err.message.startsWith(message));
    });
  }

  test('a 25-level chain and 1000 parties are within the limits; the 1001st party is not', () => {
    assert.equal(checkInputLimits({ id: 'c', ...deepChain(25) }), 26);
    const aliases = Array.from({ length: 999 }, (_, i) => `alias ${i}`);
    assert.equal(checkInputLimits({ id: 'c', name: 'A', aliases }), 1000);
    assert.throws(() => checkInputLimits({ id: 'c', name: 'A', aliases: [...aliases, 'one more'] }), /more than 1000 parties/);
  });
});
