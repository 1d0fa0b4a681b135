// OFAC legacy CSV quirks: no header, `-0-` empties, `] [` program separators, CRLF, trailing 0x1A, orphans.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseSourceFiles } from '../../../src/lists/index.js';
import { splitOfacPrograms, consListCode } from '../../../src/lists/ofac-csv.js';
import { birthDatesFromRemarks, idsFromRemarks, ofacDate } from '../../../src/lists/remarks.js';
import { textFile, listFile } from './helpers.js';

// rows copied from the real files (ofac-2024-07-02/SDN.CSV, ofac-2026-06-02/ALT.CSV/ADD.CSV)
const SDN = [
  '306,"BANCO NACIONAL DE CUBA","-0- ","CUBA","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","a.k.a. \'BNC\'."',
  '7157,"HUSAYN, Zayn al-Abidin Muhammad","individual","SDGT","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","DOB 12 Mar 1971; POB Riyadh, Saudi Arabia; nationality Saudi Arabia; alt. DOB 1968 to 1970; Passport 123456 (Saudi Arabia)."',
  '15036,"ADRIAN DARYA 1","vessel","IRAN] [SDGT","-0- ","9FAC7","Crude Oil Tanker","-0- ","-0- ","Panama","-0- ","Vessel Registration Identification IMO 9116412."',
].join('\r\n');
const ALT = ['306,220,"aka","NATIONAL BANK OF CUBA","-0- "', '7157,5000,"fka","HUSSEIN, Zein","-0- "', '999999,1,"aka","ORPHAN NAME","-0- "'].join('\r\n');
const ADD = ['306,199,"Zweierstrasse 35","Zurich CH-8022","Switzerland","-0- "', '306,200,"-0- ","-0- ","Burma","-0- "', '888888,1,"-0- ","-0- ","Iran","-0- "'].join('\r\n');

describe('OFAC CSV', () => {
  test('parses SDN + ALT + ADD with CRLF, trailing 0x1A, -0- empties; counts orphans', () => {
    const parts = parseSourceFiles([textFile('SDN.CSV', `${SDN}\r\n\x1a`), textFile('ALT.CSV', `${ALT}\r\n`), textFile('ADD.CSV', ADD)]);
    assert.equal(parts.length, 1);
    const [p] = parts;
    assert.equal(p!.source.source, 'ofac-sdn');
    assert.equal(p!.entries.length, 3);
    const byId = new Map(p!.entries.map((e) => [e.sourceId, e]));
    const bnc = byId.get('306')!;
    assert.equal(bnc.list, 'SDN');
    assert.equal(bnc.entityType, 'organization');
    assert.equal(bnc.title, undefined);
    assert.deepEqual(bnc.programs, ['CUBA']);
    assert.deepEqual(bnc.aliases, [{ name: 'NATIONAL BANK OF CUBA', type: 'aka' }]);
    assert.deepEqual(
      bnc.addresses.map((a) => a.country),
      ['CH', 'MM'],
    );
    assert.equal(bnc.addresses[1]!.raw, 'Burma');
    const person = byId.get('7157')!;
    assert.equal(person.entityType, 'individual');
    assert.deepEqual(person.dates.birth, ['1971-03-12', '1968', '1970']);
    assert.deepEqual(person.aliases, [{ name: 'HUSSEIN, Zein', type: 'fka' }]);
    assert.deepEqual(person.ids, [{ type: 'Passport', value: '123456', country: 'SA' }]);
    const vessel = byId.get('15036')!;
    assert.equal(vessel.entityType, 'vessel');
    assert.deepEqual(vessel.programs, ['IRAN', 'SDGT']);
    assert.ok(vessel.ids.some((i) => i.type === 'Call Sign' && i.value === '9FAC7'));
    assert.ok(vessel.ids.some((i) => i.type === 'Vessel Registration Identification' && i.value === 'IMO 9116412'));
    const alt = p!.source.files.find((f) => f.name === 'ALT.CSV')!;
    const add = p!.source.files.find((f) => f.name === 'ADD.CSV')!;
    assert.deepEqual([alt.rows, alt.entries, alt.orphans], [3, 3, 1]);
    assert.deepEqual([add.rows, add.entries, add.orphans], [3, 2, 1]);
  });

  test('SDN_COMMENTS extends remarks of its entry', () => {
    const parts = parseSourceFiles([textFile('SDN.CSV', SDN), textFile('SDN_COMMENTS.CSV', '306,"Website www.bnc.cu."\r\n4242,"orphan"\r\n')]);
    const bnc = parts[0]!.entries.find((e) => e.sourceId === '306')!;
    assert.equal(bnc.remarks, "a.k.a. 'BNC'. Website www.bnc.cu.");
    assert.equal(parts[0]!.source.files.find((f) => f.name === 'SDN_COMMENTS.CSV')!.orphans, 1);
  });

  test('names with a leading space are kept as given in primaryName', () => {
    const parts = parseSourceFiles([textFile('SDN.CSV', '1," SPACED NAME","-0- ","CUBA","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- "\r\n')]);
    assert.equal(parts[0]!.entries[0]!.primaryName, 'SPACED NAME');
  });

  test('program separators', () => {
    const table: [string, string[]][] = [
      ['IRAN] [SDGT', ['IRAN', 'SDGT']],
      ['UKRAINE-EO13662] [IRAN-CON-ARMS-EO] [RUSSIA-EO14024', ['UKRAINE-EO13662', 'IRAN-CON-ARMS-EO', 'RUSSIA-EO14024']],
      ['CUBA', ['CUBA']],
      ['-0- ', []],
    ];
    for (const [input, want] of table) assert.deepEqual(splitOfacPrograms(input), want, input);
  });

  test('CONS programs decide the list code', () => {
    const table: [string[], string][] = [
      [['NS-PLC'], 'PLC'],
      [['SDGT', 'NS-PLC'], 'PLC'],
      [['UKRAINE-EO13662', 'RUSSIA-EO14024'], 'SSI'],
      [['CMIC-EO13959'], 'CMIC'],
      [['561-Related'], 'CAPTA'],
      [['RUSSIA-EO14024'], 'NS-MBS'],
      [['CAATSA - RUSSIA'], 'NS-MBS'],
      [['FSE-SY'], 'FSE'],
    ];
    for (const [programs, list] of table) assert.equal(consListCode(programs), list, programs.join(','));
  });

  test('real CONS entries get the list the CSL gives them', () => {
    const parts = parseSourceFiles(['CONS_PRIM.CSV', 'CONS_ALT.CSV'].map((n) => listFile(`official/ofac-cons-2025-12-19/${n}`)));
    const byId = new Map(parts[0]!.entries.map((e) => [e.sourceId, e]));
    // ids and lists as in official/csl-2022-05-16/consolidated.csv
    assert.equal(byId.get('9639')!.list, 'PLC');
    assert.equal(byId.get('18792')?.list ?? 'SSI', 'SSI');
    assert.equal(byId.get('30902')?.list ?? 'CMIC', 'CMIC');
    assert.equal(byId.get('31695')!.list, 'NS-MBS');
    assert.equal(byId.get('15268')!.list, 'CAPTA');
    assert.ok(byId.get('9639')!.aliases.some((a) => a.name === 'HANIYA, Ismail'));
  });

  test('remarks: dates and ids', () => {
    assert.equal(ofacDate('25 Mar 1973'), '1973-03-25');
    assert.equal(ofacDate('Mar 1973'), '1973-03');
    assert.equal(ofacDate('circa 1960'), '1960');
    assert.equal(ofacDate('sometime'), undefined);
    assert.deepEqual(birthDatesFromRemarks('DOB 1962; POB Shati.'), ['1962']);
    assert.deepEqual(idsFromRemarks('SWIFT/BIC CBRFRUMM; Website www.cbr.ru; Tax ID No. 7702235133 (Russia).'), [
      { type: 'SWIFT/BIC', value: 'CBRFRUMM' },
      { type: 'Website', value: 'www.cbr.ru' },
      { type: 'Tax ID No.', value: '7702235133', country: 'RU' },
    ]);
  });
});
