// parseCustomer: the DESIGN.md Customer contract; structural errors name their path (KYC_ERR_INPUT_INVALID).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCustomer } from '../../../src/screening/customer-schema.js';

test('the DESIGN.md example parses; country codes are upper-cased; numeric ids become strings', () => {
  const c = parseCustomer({
    id: 'cust-42',
    name: 'Example Compute Pte. Ltd.',
    type: 'organization',
    country: 'sg',
    aliases: ['Example Compute'],
    address: { line1: '1 Example Road', city: 'Singapore', country: 'SG' },
    parents: [{ name: 'Example Holdings Ltd', country: 'HK', ownership: 0.6, parents: [] }],
    beneficialOwners: [{ name: 'Jane Doe', type: 'individual', country: 'SG', ownership: 0.3 }],
    identifiers: [{ type: 'registration', value: '201912345K', country: 'SG' }],
    contact: { email: 'ops@example.sg', phone: '+65 0000' },
    paymentFingerprint: 'fp',
    accessIps: ['203.0.113.7'],
    request: { gpuModel: 'H100-SXM', gpuCount: 50000, hours: 2000, purpose: 'training' },
  });
  assert.equal(c.country, 'SG');
  assert.equal(c.parents?.[0]?.country, 'HK');
  assert.equal(parseCustomer({ id: 7, name: 'X' }).id, '7');
});

test('only id and name are required', () => {
  assert.deepEqual(parseCustomer({ id: 'a', name: 'Plain Name' }), { id: 'a', name: 'Plain Name' });
});

const bad: [string, unknown, RegExp][] = [
  ['missing name', { id: 'a' }, /name:/],
  ['empty name', { id: 'a', name: '   ' }, /name: must be a non-empty string/],
  ['missing id', { name: 'X' }, /id:/],
  ['not an object', ['x'], /\(customer\)/],
  ['bad type', { id: 'a', name: 'X', type: 'company' }, /type:/],
  ['fractional GPU count', { id: 'a', name: 'X', country: 'US', request: { gpuModel: 'A100', gpuCount: 1.5, hours: 1 } }, /request\.gpuCount: must be a whole number of GPUs/],
  ['negative hours', { id: 'a', name: 'X', country: 'US', request: { gpuModel: 'A100', gpuCount: 1, hours: -1 } }, /request\.hours:/],
  ['unknown purpose', { id: 'a', name: 'X', country: 'US', request: { gpuModel: 'A100', gpuCount: 1, hours: 1, purpose: 'mining' } }, /request\.purpose:/],
  ['nested parent without name', { id: 'a', name: 'X', parents: [{ name: 'P', parents: [{ country: 'CN' }] }] }, /parents\.0\.parents\.0\.name:/],
  ['ownership as text', { id: 'a', name: 'X', beneficialOwners: [{ name: 'J', ownership: '30%' }] }, /beneficialOwners\.0\.ownership:/],
];
for (const [name, input, message] of bad) {
  test(`${name} → KYC_ERR_INPUT_INVALID naming the path`, () => {
    assert.throws(() => parseCustomer(input), (e: Error & { code?: string }) => e.code === 'KYC_ERR_INPUT_INVALID' && message.test(e.message));
  });
}
