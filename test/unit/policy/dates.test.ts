// isoDay: the UTC day of an instant, remembered between calls for the same day, switching correctly between days.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inPeriod, isoDay } from '../../../src/policy/dates.js';

test('isoDay: UTC day of each instant, in any order (the remembered day never leaks into another)', () => {
  const table: [string, string][] = [
    ['2026-11-20T00:00:00.000Z', '2026-11-20'],
    ['2026-11-20T23:59:59.999Z', '2026-11-20'],
    ['2026-11-21T00:00:00.000Z', '2026-11-21'],
    ['2026-11-20T12:00:00.000Z', '2026-11-20'],
    ['2026-11-20T23:30:00.000-05:00', '2026-11-21'], // 04:30 UTC the next day
    ['1970-01-01T00:00:00.000Z', '1970-01-01'],
    ['1969-12-31T23:59:59.999Z', '1969-12-31'],
    ['2024-02-29T10:00:00.000Z', '2024-02-29'],
    ['2026-11-21T00:00:00.000Z', '2026-11-21'],
  ];
  for (const [instant, day] of [...table, ...table.reverse()]) assert.equal(isoDay(new Date(instant)), day, instant);
});

test('isoDay: an invalid date throws RangeError, also right after a valid one', () => {
  isoDay(new Date('2026-11-20T00:00:00Z'));
  assert.throws(() => isoDay(new Date('nope')), RangeError);
  assert.equal(isoDay(new Date('2026-11-20T05:00:00Z')), '2026-11-20');
});

test('inPeriod: half-open [from, to), null bounds open', () => {
  const rows: [string, string | null, string | null, boolean][] = [
    ['2026-01-15', '2026-01-15', null, true],
    ['2026-01-14', '2026-01-15', null, false],
    ['2026-05-15', null, '2026-05-15', false],
    ['2026-05-14', null, '2026-05-15', true],
    ['2030-01-01', null, null, true],
  ];
  for (const [day, from, to, expected] of rows) assert.equal(inPeriod(day, from, to), expected, `${day} in [${from}, ${to})`);
});
