// HashedPostings and the FNV hashes behind the index's typo and compound tables.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FNV_START, fnvAppend, fnvHash, HashedPostings } from '../../../src/match/hashed-postings.js';

describe('fnvHash', () => {
  test('hashing with a skipped character equals hashing the deletion ("hikvision" → "hikvsion")', () => {
    assert.equal(fnvHash('hikvision', 4), fnvHash('hikvsion'));
    assert.notEqual(fnvHash('hikvision'), fnvHash('hikvsion'));
  });

  test('hashing continues across pieces: "hik" + "vision" = "hikvision"', () => {
    assert.equal(fnvAppend(fnvAppend(FNV_START, 'hik'), 'vision'), fnvHash('hikvision'));
  });
});

describe('HashedPostings', () => {
  test('ids come back per key, ascending and de-duplicated; unknown keys give none', () => {
    const b = HashedPostings.builder();
    for (const [k, id] of [[7, 3], [fnvHash('huawei'), 9], [7, 1], [7, 3], [0xffffffff, 2_000_000], [0, 0]] as const) b.add(k, id);
    const t = b.build();
    const ids = (k: number) => {
      const out: number[] = [];
      t.forEach(k, (id) => out.push(id));
      return out;
    };
    assert.deepEqual(ids(7), [1, 3]);
    assert.deepEqual(ids(fnvHash('huawei')), [9]);
    assert.deepEqual(ids(0xffffffff), [2_000_000]);
    assert.deepEqual(ids(0), [0]);
    assert.deepEqual(ids(8), []);
    assert.equal(t.size, 5);
  });

  test('ids beyond 2^21 are refused rather than corrupted', () => {
    assert.throws(() => HashedPostings.builder().add(1, 2 ** 21), RangeError);
  });
});
