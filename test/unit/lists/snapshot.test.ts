// Snapshots: SDN dedupe (OFAC files win), content-addressed ids, version for decisions, diff, count validation.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot, diffSnapshots, parseSourceFiles, snapshotVersion, validateAgainstPrevious } from '../../../src/lists/index.js';
import { textFile } from './helpers.js';

const HEADER =
  '_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids';
const csl = (rows: string[]) => textFile('consolidated.csv', `${HEADER}\n${rows.join('\n')}\n`);
const sdnRow = (id: number, name: string, program = 'CUBA', remarks = '-0- ') =>
  `${id},"${name}","-0- ","${program}","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","${remarks}"`;
const sdn = (rows: string[]) => textFile('SDN.CSV', `${rows.join('\r\n')}\r\n\x1a`);
const NOW = new Date('2026-11-01T00:00:00Z');

describe('buildSnapshot', () => {
  test('one SDN entry per sourceId: OFAC names/aliases win, the CSL fills ISO countries, ids and birth dates', () => {
    const parts = parseSourceFiles([
      sdn([sdnRow(36, 'AEROCARIBBEAN AIRLINES')]),
      textFile('ALT.CSV', '36,12,"aka","AERO-CARIBBEAN","-0- "\r\n'),
      csl([
        '36,Specially Designated Nationals (SDN) - Treasury Department,36,Entity,CUBA,AEROCARIBBEAN AIRLINES (CSL SPELLING),,"Havana, CU",,,,,,,,,,,,,,,AERO CARIBBEAN CSL,,,,,,"CU, 123, Registration Number"',
        // an SDN row the OFAC file no longer has: dropped (OFAC's file is the authority for SDN)
        '999,Specially Designated Nationals (SDN) - Treasury Department,999,Entity,CUBA,DELISTED CO,,"Havana, CU",,,,,,,,,,,,,,,,,,,,,',
        'aaa,Entity List (EL) - Bureau of Industry and Security,,,,Some Company Ltd.,,"1 Road, Beijing, China, CN",,,,,,,,,,,,,,,,,,,,,',
      ]),
    ]);
    const snap = buildSnapshot(parts, NOW);
    assert.deepEqual(snap.counts, { SDN: 1, ENTITY_LIST: 1 });
    const e = snap.entries.find((x) => x.list === 'SDN')!;
    assert.equal(e.sourceId, '36');
    assert.equal(e.primaryName, 'AEROCARIBBEAN AIRLINES');
    assert.deepEqual(e.aliases, [{ name: 'AERO-CARIBBEAN', type: 'aka' }]);
    assert.deepEqual(e.addresses, [{ raw: 'Havana', line: 'Havana', country: 'CU' }]);
    assert.deepEqual(e.ids, [{ type: 'Registration Number', value: '123', country: 'CU' }]);
    assert.equal(e.origin, 'ofac-csv:SDN.CSV');
  });

  test('the id is a content address: same files → same id, a changed file → a new id', () => {
    const a = buildSnapshot(parseSourceFiles([sdn([sdnRow(1, 'A CO')])]), NOW);
    const b = buildSnapshot(parseSourceFiles([sdn([sdnRow(1, 'A CO')])]), new Date('2027-01-01T00:00:00Z'));
    const c = buildSnapshot(parseSourceFiles([sdn([sdnRow(1, 'A CO'), sdnRow(2, 'B CO')])]), NOW);
    assert.equal(a.id, b.id);
    assert.notEqual(a.id, c.id);
    assert.match(a.id, /^snap-[0-9a-f]{20}$/);
  });

  test('snapshotVersion names the snapshot and a dated, hashed source per list', () => {
    const snap = buildSnapshot(parseSourceFiles([sdn([sdnRow(1, 'A CO')])]), NOW);
    const v = snapshotVersion(snap);
    assert.equal(v.version, snap.id);
    assert.deepEqual(Object.keys(v.sources), ['SDN']);
    assert.match(v.sources['SDN']!, /^2026-11-01 ofac-sdn sha256:[0-9a-f]{12}$/);
  });
});

describe('diffSnapshots', () => {
  test('added, removed, changed by sourceId; remarks alone are not a change', () => {
    const before = buildSnapshot(parseSourceFiles([sdn([sdnRow(1, 'ONE CO'), sdnRow(2, 'TWO CO'), sdnRow(3, 'THREE CO'), sdnRow(5, 'FIVE CO', 'CUBA', 'old')])]), NOW);
    const after = buildSnapshot(
      parseSourceFiles([sdn([sdnRow(1, 'ONE CO'), sdnRow(2, 'TWO COMPANY'), sdnRow(4, 'FOUR CO'), sdnRow(5, 'FIVE CO', 'CUBA', 'new remark')])]),
      NOW,
    );
    const d = diffSnapshots(before, after);
    assert.equal(d.from, before.id);
    assert.equal(d.to, after.id);
    assert.deepEqual(d.added.map((e) => e.sourceId), ['4']);
    assert.deepEqual(d.removed.map((e) => e.sourceId), ['3']);
    assert.deepEqual(d.changed.map((c) => [c.before.name, c.after.name]), [['TWO CO', 'TWO COMPANY']]);
  });

  test('program, alias and address changes are changes', () => {
    const base = [sdn([sdnRow(1, 'ONE CO')]), textFile('ALT.CSV', '1,1,"aka","UNO","-0- "\r\n'), textFile('ADD.CSV', '1,1,"-0- ","Havana","Cuba","-0- "\r\n')];
    const a = buildSnapshot(parseSourceFiles(base), NOW);
    const variants = [
      [sdn([sdnRow(1, 'ONE CO', 'CUBA] [SDGT')]), base[1]!, base[2]!],
      [base[0]!, textFile('ALT.CSV', '1,1,"aka","UNO SA","-0- "\r\n'), base[2]!],
      [base[0]!, base[1]!, textFile('ADD.CSV', '1,1,"-0- ","Caracas","Venezuela","-0- "\r\n')],
    ];
    for (const v of variants) assert.equal(diffSnapshots(a, buildSnapshot(parseSourceFiles(v), NOW)).changed.length, 1);
  });
});

describe('validateAgainstPrevious', () => {
  const meta = (n: number) => buildSnapshot(parseSourceFiles([sdn(Array.from({ length: n }, (_, i) => sdnRow(i + 1, `CO ${i + 1}`)))]), NOW).sources[0]!;
  test('accepts ≥ fraction, refuses below it naming the file and both counts', () => {
    const prev = meta(10);
    validateAgainstPrevious(meta(9), prev, 0.9);
    validateAgainstPrevious(meta(12), prev, 0.9);
    validateAgainstPrevious(meta(1), undefined, 0.9);
    assert.throws(() => validateAgainstPrevious(meta(8), prev, 0.9), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'KYC_ERR_LIST_VALIDATION');
      assert.match(err.message, /SDN\.CSV: source ofac-sdn has 8 entries, below 90% of the 10/);
      return true;
    });
  });
});
