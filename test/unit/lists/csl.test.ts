// trade.gov CSL: consolidated.csv rows (Entity List a.k.a. clauses, several addresses) and the JSON layout.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSourceFiles } from '../../../src/lists/index.js';
import { splitAkaName, splitAltNames, splitCslAddresses } from '../../../src/lists/entity-list-text.js';
import { cslListCode } from '../../../src/lists/csl.js';
import { textFile } from './helpers.js';

const HEADER =
  '_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids';
// rows copied from current-2026/consolidated.csv
const ROWS = [
  '6dae00a24f53675c376d1bfd92213f7ed8ec4e1e,Entity List (EL) - Bureau of Industry and Security,,,,Lim Yong Nam,,"(a.k.a. Lin Rongnan, Steven Lim and Yong Nam Lim), YuJingHuaCheng Huaqiang South Road Futian, Shenzhen, China 518033; and Room 2613, NanGuangJieJia Building ShenNan Road, FuTian, Shenzhen, China 518033 (See alternate addresses under Singapore), CN","76 FR 67062, 10/31/11",,,,For all items subject to the EAR. (See § 744.11 of the EAR),,,,,,,,,https://www.bis.gov/entity-list,,,,,,,',
  'b1a3c7da7da6917c413483d728e2074efcd570ab,Entity List (EL) - Bureau of Industry and Security,,,,Sabanican Company (a.k.a.,,"Sabanican Pad Co.), Unit #23, Eighth Floor, No. 193 West Sarve Boulevard Kaj Square, Saadat Abad, 19987-14434, Tehran, Iran, IR","76 FR 37633, 6/28/11",,,,For all items subject to the EAR. (See § 744.11 of the EAR),,,,,,,,,https://www.bis.gov/entity-list,,,,,,,',
  '4eb8bf2c51a89de85ccc4a321727b9724ba3c236,Entity List (EL) - Bureau of Industry and Security,,,,Afghan-German Construction Company,,"Golaye Park, Shari Naw, Kabul, Afghanistan, and Dasht Qala, Takhar Province, Afghanistan., AF","77 FR 25057, 4/27/12",,,,For all items subject to the EAR. (See § 744.11 of the EAR).,,,,,,,,,https://www.bis.gov/entity-list,,,,,,,',
  '36,Specially Designated Nationals (SDN) - Treasury Department,36,Entity,CUBA,AEROCARIBBEAN AIRLINES,,"Havana, CU",,,,,,,,,,,,,,https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV,AERO-CARIBBEAN,,,,,,',
];

describe('CSL consolidated.csv', () => {
  test('Entity List rows: a.k.a. clauses become aliases, addresses are split, ISO country kept', () => {
    const [p] = parseSourceFiles([textFile('consolidated.csv', `${HEADER}\r\n${ROWS.join('\r\n')}\r\n`)]);
    assert.equal(p!.source.source, 'csl');
    assert.deepEqual(p!.source.counts, { ENTITY_LIST: 3, SDN: 1 });
    const [lim, saba, afghan, aero] = p!.entries;
    assert.equal(lim!.primaryName, 'Lim Yong Nam');
    assert.deepEqual(lim!.aliases.map((a) => a.name), ['Lin Rongnan', 'Steven Lim', 'Yong Nam Lim']);
    assert.equal(lim!.entityType, 'individual');
    assert.equal(lim!.addresses.length, 2);
    assert.ok(lim!.addresses.every((a) => a.country === 'CN'));
    assert.equal(saba!.primaryName, 'Sabanican Company (a.k.a.');
    assert.equal(saba!.name, 'Sabanican Company');
    assert.deepEqual(saba!.aliases, [{ name: 'Sabanican Pad Co.', type: 'aka' }]);
    assert.match(saba!.addresses[0]!.raw, /^Unit #23/);
    assert.equal(saba!.addresses[0]!.country, 'IR');
    assert.deepEqual(afghan!.addresses.map((a) => [a.city, a.country]), [['Kabul', 'AF'], ['Takhar Province', 'AF']]);
    assert.equal(aero!.list, 'SDN');
    assert.equal(aero!.sourceId, '36');
    assert.equal(aero!.entityType, 'organization');
    assert.deepEqual(aero!.aliases, [{ name: 'AERO-CARIBBEAN', type: 'aka' }]);
    assert.deepEqual(aero!.addresses, [{ raw: 'Havana', line: 'Havana', country: 'CU' }]);
  });

  test('a.k.a. / f.k.a. in names', () => {
    const table: [string, string, string[]][] = [
      ['Mesbah Energy Company (a.k.a. “MEC”)', 'Mesbah Energy Company', ['aka:MEC']],
      ['Gaz-Oil, OOO (f.k.a., Zakrytoe Aktsionernoe Obshchestvo Gaz Oil)', 'Gaz-Oil, OOO', ['fka:Zakrytoe Aktsionernoe Obshchestvo Gaz Oil']],
      ['Huawei Technologies Co., Ltd.', 'Huawei Technologies Co., Ltd.', []],
    ];
    for (const [input, name, aliases] of table) {
      const r = splitAkaName(input);
      assert.equal(r.name, name);
      assert.deepEqual(r.aliases.map((a) => `${a.type}:${a.name}`), aliases);
    }
  });

  test('alt_names with embedded a.k.a.', () => {
    assert.deepEqual(
      splitAltNames("China Shipbuilding Industry Group Co., Ltd. (CSIC) 12th Research Institute; Thermal Processing Technology Research Institute, a.k.a., Hot Working Technology Research Institute").map((a) => a.name),
      ['China Shipbuilding Industry Group Co., Ltd. (CSIC) 12th Research Institute', 'Thermal Processing Technology Research Institute', 'Hot Working Technology Research Institute'],
    );
  });

  test('SDN-style address lists', () => {
    const a = splitCslAddresses('Neglinnaya St 12, Moscow, 107016, RU; Moscow, RU');
    assert.deepEqual(a.map((x) => x.country), ['RU', 'RU']);
  });

  test('list codes from CSL sources', () => {
    const table: [string, string | undefined][] = [
      ['Entity List (EL) - Bureau of Industry and Security', 'ENTITY_LIST'],
      ['Denied Persons List (DPL) - Bureau of Industry and Security', 'DPL'],
      ['Military End User (MEU) List - Bureau of Industry and Security', 'MEU'],
      ['ITAR Debarred (DTC) - State Department', 'DTC'],
      ['Capta List (CAP) - Treasury Department', 'CAPTA'],
      ['Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department', 'NS-MBS'],
      ['Something Else (XYZ)', undefined],
    ];
    for (const [source, code] of table) assert.equal(cslListCode(source), code, source);
  });

  test('a row with the wrong number of columns is refused naming the line', () => {
    assert.throws(() => parseSourceFiles([textFile('consolidated.csv', `${HEADER}\n${ROWS[0]}\n${ROWS[1]!.split(',').slice(0, 10).join(',')}\n`)]), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'KYC_ERR_LIST_PARSE');
      assert.match(err.message, /consolidated\.csv: line 3/);
      return true;
    });
  });
});

describe('CSL JSON ({results:[…]} as the API serves it)', () => {
  test('structured addresses and ids', () => {
    const bytes = readFileSync(resolve(import.meta.dirname, '../../fixtures/lists/csl-sample.json'));
    const [p] = parseSourceFiles([textFile('consolidated.json', bytes)]);
    assert.equal(p!.source.source, 'csl');
    assert.equal(p!.source.files[0]!.format, 'csl-json');
    assert.deepEqual(p!.source.counts, { ENTITY_LIST: 1, SDN: 1, DPL: 1, MEU: 1 });
    const [mesbah, abbas, dpl, meu] = p!.entries;
    assert.equal(mesbah!.name, 'Mesbah Energy Company');
    assert.deepEqual(mesbah!.aliases.map((a) => a.name), ['MEC', 'Mesbah Energy Co.']);
    assert.deepEqual(mesbah!.addresses[0], { raw: '77 Armaghan Gharbi Street, Valiasr Blve, Tehran, IR', line: '77 Armaghan Gharbi Street, Valiasr Blve', city: 'Tehran', country: 'IR' });
    assert.equal(mesbah!.dates.start, '2007-07-12');
    assert.equal(abbas!.sourceId, '21944');
    assert.equal(abbas!.entityType, 'individual');
    assert.deepEqual(abbas!.ids, [{ type: 'Passport', value: 'N009876', country: 'SY' }]);
    assert.deepEqual(abbas!.dates.birth, ['1973-03-25']);
    assert.equal(dpl!.addresses[0]!.postalCode, '93500');
    assert.equal(meu!.list, 'MEU');
  });
});
