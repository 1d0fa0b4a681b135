// compactEntries: the runtime's compact in-memory entries are the same entries (raw evidence included), just smaller.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseSourceFiles } from '../../../src/lists/index.js';
import { compactEntries, compactRawBytes } from '../../../src/runtime/compact-entries.js';
import { listFile } from './helpers.js';

describe('compactEntries (real dpl.txt rows)', () => {
  const [p] = parseSourceFiles([listFile('official/bis-dpl-2023-11-30/dpl.txt')]);
  const entries = p!.entries;
  const compact = compactEntries(entries);

  test('every entry keeps every field, raw rows included, in the same key order', () => {
    assert.equal(compact.length, entries.length);
    assert.equal(JSON.stringify(compact), JSON.stringify(entries));
    assert.deepEqual(compact, entries);
    assert.deepEqual(Object.keys(compact[0]!), Object.keys(entries[0]!));
  });

  test('raw reads back the untouched source row (MITA ZAREK: four dpl.txt rows)', () => {
    const i = entries.findIndex((e) => e.name === 'MITA ZAREK');
    const rows = (compact[i]!.raw['rows'] as Record<string, string>[]).map((r) => r['Name']);
    assert.equal(rows.length, 4);
    assert.deepEqual(compact[i]!.raw, entries[i]!.raw);
    // spread and structuredClone see raw as an ordinary field
    assert.deepEqual({ ...compact[i]! }.raw, entries[i]!.raw);
    assert.deepEqual(structuredClone(compact[i]!).raw, entries[i]!.raw);
  });

  test('raw is stored deflated, and a read is a copy: changing it does not change the evidence', () => {
    const bytes = compactRawBytes(compact)!;
    assert.ok(bytes > 0 && bytes < JSON.stringify(entries.map((e) => e.raw)).length / 3, `deflated ${bytes} bytes`);
    assert.equal(compactRawBytes(entries), undefined);
    const r = compact[0]!.raw;
    r['Name'] = 'changed';
    assert.deepEqual(compact[0]!.raw, entries[0]!.raw);
  });

  test('assigning raw replaces it like an ordinary property', () => {
    const [one] = compactEntries(entries.slice(0, 1));
    one!.raw = { replaced: true };
    assert.deepEqual(one!.raw, { replaced: true });
    assert.deepEqual(JSON.parse(JSON.stringify(one)).raw, { replaced: true });
  });

  test('the input entries are left as they were', () => {
    assert.equal(Object.getOwnPropertyDescriptor(entries[0]!, 'raw')!.get, undefined);
  });
});
