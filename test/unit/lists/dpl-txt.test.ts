// BIS dpl.txt: tab-separated, quoted, one row per address → one entry per person; leading spaces, typo years.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseSourceFiles } from '../../../src/lists/index.js';
import { dplDate, dplSourceId } from '../../../src/lists/dpl-txt.js';
import { listFile } from './helpers.js';

describe('dpl.txt', () => {
  const [p] = parseSourceFiles([listFile('official/bis-dpl-2023-11-30/dpl.txt')]);
  const byName = new Map(p!.entries.map((e) => [e.name, e]));

  test('rows of one person become one entry with every address', () => {
    const mita = byName.get('MITA ZAREK')!;
    assert.equal(mita.list, 'DPL');
    assert.equal(mita.addresses.length, 4);
    assert.deepEqual(mita.addresses.map((a) => a.country ?? null), ['CY', null, 'CY', 'CY']);
    assert.equal(mita.dates.start, '2017-08-10');
    assert.equal(mita.dates.end, '2026-12-14');
    assert.equal(mita.entityType, 'individual');
    assert.equal(mita.sourceId, dplSourceId('MITA ZAREK', mita.addresses[0]!.raw));
    assert.match(mita.sourceId, /^[0-9a-f]{40}$/);
  });

  test('a name with a leading space keeps it in primaryName and drops it in name', () => {
    const ash = byName.get('I. ASH')!;
    assert.equal(ash.primaryName, ' I. ASH');
    assert.equal(ash.dates.end, '2056-06-29');
  });

  test('typo years (3033, 1023 in Last_Update) do not break parsing or the published date', () => {
    assert.ok(byName.get('JOSE ERNESTO GARCIA'));
    assert.equal(p!.source.publishedAt, '2023-11-28');
    assert.equal(dplDate('09/30/3033'), undefined);
    assert.equal(dplDate('06/19/2003'), '2003-06-19');
  });

  test('organisations on the DPL are typed as organisations', () => {
    assert.equal(byName.get('AL NASER AIRLINES')!.entityType, 'organization');
  });

  test('sourceIds are unique and stable', () => {
    assert.equal(new Set(p!.entries.map((e) => e.sourceId)).size, p!.entries.length);
    const [again] = parseSourceFiles([listFile('official/bis-dpl-2023-11-30/dpl.txt')]);
    assert.deepEqual(again!.entries.map((e) => e.sourceId), p!.entries.map((e) => e.sourceId));
  });
});
