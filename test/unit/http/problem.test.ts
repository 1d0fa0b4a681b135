// Error → problem mapping of database connection failures, and the credentials the auth layer reads (Bearer, Basic, X-Api-Key).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Request } from 'express';
import { credentialOf } from '../../../src/http/auth.js';
import { asKycError, authChallenge } from '../../../src/http/problem.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('asKycError: database connection failures are 503 KYC_ERR_STORE_UNAVAILABLE with a retry hint', () => {
  const connectionErrors: [string, unknown][] = [
    ['ECONNREFUSED', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['ECONNRESET', withCode('ECONNRESET')],
    ['ETIMEDOUT', withCode('ETIMEDOUT')],
    ['SQLSTATE 08006', withCode('08006', 'connection failure')],
    ['SQLSTATE 08P01', withCode('08P01')],
    ['SQLSTATE 57P01', withCode('57P01', 'terminating connection due to administrator command')],
    ['SQLSTATE 57P03', withCode('57P03', 'the database system is starting up')],
    ['pg connect timeout', new Error('timeout exceeded when trying to connect')],
    ['pg terminated', new Error('Connection terminated unexpectedly')],
    ['ended pool', new Error('Cannot use a pool after calling end on the pool')],
    ['in the cause chain', new Error('query failed', { cause: withCode('ECONNREFUSED') })],
    ['AggregateError', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed')],
  ];
  for (const [name, err] of connectionErrors) {
    test(name, () => {
      const kyc = asKycError(err);
      assert.equal(kyc.code, 'KYC_ERR_STORE_UNAVAILABLE');
      assert.equal(kyc.status, 503);
      assert.equal(kyc.details?.['retryAfterSeconds'], 5);
      assert.doesNotMatch(kyc.message, /127\.0\.0\.1|5432/, 'connection details stay in the logs');
    });
  }

  test('other database errors stay 500 KYC_ERR_INTERNAL', () => {
    for (const err of [withCode('23505', 'duplicate key'), withCode('42P01', 'relation does not exist'), new Error('boom'), undefined]) {
      assert.equal(asKycError(err).code, 'KYC_ERR_INTERNAL');
    }
  });
});

const req = (headers: Record<string, string>) => ({ get: (name: string) => headers[name.toLowerCase()] }) as unknown as Request;
const basic = (userPass: string) => ({ authorization: `Basic ${Buffer.from(userPass).toString('base64')}` });

describe('credentialOf', () => {
  test('Bearer, X-Api-Key, Basic (key as password, or as user with an empty password)', () => {
    assert.equal(credentialOf(req({ authorization: 'Bearer kyc_abc' })), 'kyc_abc');
    assert.equal(credentialOf(req({ 'x-api-key': ' kyc_abc ' })), 'kyc_abc');
    assert.equal(credentialOf(req(basic('admin:kyc_abc'))), 'kyc_abc');
    assert.equal(credentialOf(req(basic(':kyc_abc'))), 'kyc_abc');
    assert.equal(credentialOf(req(basic('kyc_abc:'))), 'kyc_abc');
    assert.equal(credentialOf(req({})), undefined);
  });

  test('malformed Authorization headers are an empty (invalid) credential, not "none"', () => {
    for (const h of ['Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, 'Digest x', 'Bearer']) {
      assert.equal(credentialOf(req({ authorization: h })), '', h);
    }
  });

  test('the 401 challenge is Basic unless the caller used a token', () => {
    assert.equal(authChallenge(req({})), 'Basic realm="kycgate"');
    assert.equal(authChallenge(req(basic('a:b'))), 'Basic realm="kycgate"');
    assert.equal(authChallenge(req({ authorization: 'Bearer x' })), 'Bearer realm="kycgate"');
    assert.equal(authChallenge(req({ 'x-api-key': 'x' })), 'Bearer realm="kycgate"');
  });
});
