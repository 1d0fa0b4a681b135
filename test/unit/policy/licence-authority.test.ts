// Licences relax only the reasons of their own agency: OFAC for SDN/non-SDN matches and the OFAC 50% rule, BIS for EAR reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Customer, Licence, ReasonCode } from '../../../src/model/index.js';
import { LIST_AUTHORITY } from '../../../src/policy/index.js';
import { decide, reason, type FakeRow } from './fixtures.js';

// Real rows: SDN 12927 "MAHAN AIR", 25578 "BANK MELLI IRAN"; Entity List "Huawei Technologies Co., Ltd." (consolidated.csv).
const rows: FakeRow[] = [
  { query: 'Mahan Air', list: 'SDN', sourceId: '12927', primaryName: 'MAHAN AIR' },
  { query: 'Bank Melli Iran', list: 'SDN', sourceId: '25578', primaryName: 'BANK MELLI IRAN' },
  { query: 'Huawei Technologies Co., Ltd.', list: 'ENTITY_LIST', sourceId: '9688d876a8f97f5d4b2454a83b3d90dc59e2bc90' },
  { query: 'Denied Exporter Ltd', list: 'DPL', sourceId: 'dpl-1' },
];
const lic = (agency: string, codes?: ReasonCode[]): Licence => ({ agency, number: `${agency}-1`, expiresAt: '2027-12-31', ...(codes ? { codes } : {}) });
const big = { gpuModel: 'H100-SXM', gpuCount: 50_000, hours: 2000, purpose: 'training' as const };

const sdnCustomer: Customer = { id: 'a', name: 'Mahan Air', country: 'AE' };
const elCustomer: Customer = { id: 'b', name: 'Huawei Technologies Co., Ltd.', country: 'DE' };
const dplCustomer: Customer = { id: 'c', name: 'Denied Exporter Ltd', country: 'DE' };
const sdnOwned: Customer = { id: 'd', name: 'Gulf Freight Services LLC', country: 'AE', parents: [{ name: 'Bank Melli Iran', country: 'AE', ownership: 0.6 }] };
const elOwned: Customer = { id: 'e', name: 'Example Devices GmbH', country: 'DE', parents: [{ name: 'Huawei Technologies Co., Ltd.', country: 'DE', ownership: 0.6 }] };
const cnTraining: Customer = { id: 'f', name: 'Example Compute Co Ltd', country: 'CN', request: big };

// [case, customer, licence, reason code it targets, applied?]
const table: [string, Customer, Licence, ReasonCode, boolean][] = [
  ['OFAC licence, SDN name match', sdnCustomer, lic('OFAC'), 'LIST_MATCH', true],
  ['BIS licence, SDN name match', sdnCustomer, lic('BIS'), 'LIST_MATCH', false],
  ['BIS licence, Entity List match', elCustomer, lic('BIS'), 'LIST_MATCH', true],
  ['OFAC licence, Entity List match', elCustomer, lic('OFAC'), 'LIST_MATCH', false],
  ['BIS licence, DPL match', dplCustomer, lic('BIS'), 'LIST_MATCH', true],
  ['OFAC licence, DPL match', dplCustomer, lic('OFAC'), 'LIST_MATCH', false],
  ['OFAC licence, OFAC 50% rule', sdnOwned, lic('OFAC', ['OWNED_BY_LISTED']), 'OWNED_BY_LISTED', true],
  ['BIS licence, OFAC 50% rule', sdnOwned, lic('BIS', ['OWNED_BY_LISTED']), 'OWNED_BY_LISTED', false],
  ['BIS licence, BIS Affiliates rule (in force)', elOwned, lic('BIS', ['OWNED_BY_LISTED']), 'OWNED_BY_LISTED', true],
  ['OFAC licence, BIS Affiliates rule (in force)', elOwned, lic('OFAC', ['OWNED_BY_LISTED']), 'OWNED_BY_LISTED', false],
  ['BIS licence, Tier 3 headquarters', cnTraining, lic('BIS', ['TIER3_HEADQUARTERS']), 'TIER3_HEADQUARTERS', true],
  ['OFAC licence, Tier 3 headquarters', cnTraining, lic('OFAC', ['TIER3_HEADQUARTERS']), 'TIER3_HEADQUARTERS', false],
  ['BIS licence, training compute', cnTraining, lic('BIS', ['TRAINING_COMPUTE']), 'TRAINING_COMPUTE', true],
  ['OFAC licence, training compute', cnTraining, lic('OFAC', ['TRAINING_COMPUTE']), 'TRAINING_COMPUTE', false],
  ['agency written in lower case', sdnCustomer, lic('ofac'), 'LIST_MATCH', true],
  ['State licence, SDN name match', sdnCustomer, lic('STATE'), 'LIST_MATCH', false],
];

for (const [name, customer, licence, code, applied] of table) {
  test(`${name} → ${applied ? 'applied (allow)' : 'not applied (deny)'}`, () => {
    const d = decide(customer, 'us', { rows, licences: [licence], date: '2026-11-10' });
    const r = reason(d, code)!;
    assert.ok(r, JSON.stringify(d.reasons));
    assert.equal(r.outcome, applied ? 'allow' : 'deny', r.detail);
    if (applied) {
      assert.deepEqual(d.licences?.map((l) => l.number), [licence.number]);
      assert.match(r.detail, /authorized by/);
    } else {
      assert.equal(d.licences, undefined);
      assert.match(r.detail, new RegExp(`${licence.agency} licence ${licence.number} not applied: this reason is for (OFAC|BIS) to license`));
    }
  });
}

test('every list has an agency: OFAC for SDN and the non-SDN lists, BIS for Entity List, DPL, MEU, UVL', () => {
  assert.deepEqual(
    Object.entries(LIST_AUTHORITY).filter(([, a]) => a === 'OFAC').map(([l]) => l).sort(),
    ['CAPTA', 'CMIC', 'FSE', 'NS-MBS', 'PLC', 'SDN', 'SSI'],
  );
  assert.deepEqual(Object.entries(LIST_AUTHORITY).filter(([, a]) => a === 'BIS').map(([l]) => l).sort(), ['DPL', 'ENTITY_LIST', 'MEU', 'UVL']);
});
