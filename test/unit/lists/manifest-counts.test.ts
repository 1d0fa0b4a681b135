// Every official file in ../shared/lists parses with the counts MANIFEST.md states (table-driven, per file).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseSourceFiles, buildSnapshot, type ParsedSource } from '../../../src/lists/index.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { listFile, CURRENT_2026, LISTS } from './helpers.js';

interface FileExpect {
  name: string;
  rows: number;
  entries: number;
  orphans?: number;
}
interface Case {
  set: string;
  files: string[];
  source: string;
  counts: Record<string, number>;
  types?: Record<string, number>;
  perFile: FileExpect[];
  publishedAt?: string;
}

const CASES: Case[] = [
  {
    set: 'OFAC SDN 2024-07-02 + ALT/ADD 2026-06-02 + COMMENTS 2025-12-24',
    files: ['official/ofac-2024-07-02/SDN.CSV', 'official/ofac-2026-06-02/ALT.CSV', 'official/ofac-2026-06-02/ADD.CSV', 'official/ofac-2025-12-24/SDN_COMMENTS.CSV'],
    source: 'ofac-sdn',
    counts: { SDN: 15443 },
    types: { organization: 7270, individual: 6927, vessel: 872, aircraft: 374 },
    // ALT/ADD are newer than SDN.CSV: their rows for entries the 2024 file lacks are orphans
    perFile: [
      { name: 'SDN.CSV', rows: 15443, entries: 15443 },
      { name: 'ALT.CSV', rows: 20260, entries: 8766, orphans: 2375 },
      { name: 'ADD.CSV', rows: 24776, entries: 19014, orphans: 4992 },
      { name: 'SDN_COMMENTS.CSV', rows: 28, entries: 28, orphans: 5 },
    ],
    // the set is as old as its SDN.CSV
    publishedAt: '2024-07-02',
  },
  {
    set: 'OFAC consolidated non-SDN 2025-12-19',
    files: ['official/ofac-cons-2025-12-19/CONS_PRIM.CSV', 'official/ofac-cons-2025-12-19/CONS_ALT.CSV', 'official/ofac-cons-2025-12-19/CONS_ADD.CSV', 'official/ofac-cons-2025-12-19/CONS_COMMENTS.CSV'],
    source: 'ofac-cons',
    counts: { SSI: 286, PLC: 78, CMIC: 68, 'NS-MBS': 9, CAPTA: 1 },
    perFile: [
      { name: 'CONS_PRIM.CSV', rows: 442, entries: 442 },
      { name: 'CONS_ALT.CSV', rows: 1073, entries: 395, orphans: 0 },
      { name: 'CONS_ADD.CSV', rows: 574, entries: 442, orphans: 0 },
      { name: 'CONS_COMMENTS.CSV', rows: 10, entries: 10, orphans: 0 },
    ],
  },
  {
    set: 'trade.gov CSL 2022-05-16',
    files: ['official/csl-2022-05-16/consolidated.csv'],
    source: 'csl',
    counts: { SDN: 10026, ENTITY_LIST: 2001, DTC: 727, DPL: 462, SSI: 290, UVL: 201, ISN: 163, PLC: 78, MEU: 71, CMIC: 68, CAPTA: 53, 'NS-MBS': 17, FSE: 3 },
    perFile: [{ name: 'consolidated.csv', rows: 14160, entries: 14160 }],
  },
  {
    set: 'BIS DPL 2023-11-30',
    files: ['official/bis-dpl-2023-11-30/dpl.txt'],
    source: 'dpl',
    counts: { DPL: 545 },
    perFile: [{ name: 'dpl.txt', rows: 665, entries: 545 }],
    publishedAt: '2023-11-28',
  },
  {
    set: 'current-2026 OFAC layout',
    files: CURRENT_2026.slice(0, 3),
    source: 'ofac-sdn',
    counts: { SDN: 19249 },
    types: { organization: 9871, individual: 7502, vessel: 1534, aircraft: 342 },
    perFile: [
      { name: 'SDN.CSV', rows: 19249, entries: 19249 },
      { name: 'ALT.CSV', rows: 20242, entries: 8811, orphans: 0 },
      { name: 'ADD.CSV', rows: 24547, entries: 18830, orphans: 0 },
    ],
  },
  {
    set: 'current-2026 CSL layout',
    files: [CURRENT_2026[3]!],
    source: 'csl',
    counts: { ENTITY_LIST: 3409, MEU: 70, DPL: 564, SDN: 19249 },
    perFile: [{ name: 'consolidated.csv', rows: 23292, entries: 23292 }],
  },
];

describe('MANIFEST.md counts, per file', () => {
  for (const c of CASES) {
    test(c.set, () => {
      const parts: ParsedSource[] = parseSourceFiles(c.files.map((f) => listFile(f)));
      assert.equal(parts.length, 1);
      const p = parts[0]!;
      assert.equal(p.source.source, c.source);
      assert.deepEqual(p.source.counts, c.counts);
      for (const want of c.perFile) {
        const got = p.source.files.find((f) => f.name === want.name);
        assert.ok(got, `${want.name} in source metadata`);
        assert.equal(got.rows, want.rows, `${want.name} rows`);
        assert.equal(got.entries, want.entries, `${want.name} entries`);
        assert.equal(got.orphans, want.orphans, `${want.name} orphans`);
        assert.match(got.sha256, /^[0-9a-f]{64}$/);
      }
      if (c.types) {
        const types: Record<string, number> = {};
        for (const e of p.entries) types[e.entityType] = (types[e.entityType] ?? 0) + 1;
        assert.deepEqual(types, c.types);
      }
      if (c.publishedAt) assert.equal(p.source.publishedAt, c.publishedAt);
      for (const e of p.entries) {
        assert.ok(e.sourceId, 'every entry has a sourceId');
        assert.ok(e.name.trim(), `entry ${e.sourceId} has a name`);
      }
    });
  }

  test('current-2026 snapshot: one SDN entry per sourceId though OFAC files and the CSL both carry them', () => {
    const snap = buildSnapshot(parseSourceFiles(CURRENT_2026.map((f) => listFile(f))), new Date('2026-11-01T00:00:00Z'));
    assert.equal(snap.counts.SDN, 19249);
    // the CSL repeats some BIS rows with the same _id (entries listed under several countries): merged
    assert.equal(snap.counts.ENTITY_LIST, 3399);
    assert.equal(snap.counts.DPL, 562);
    assert.equal(snap.counts.MEU, 70);
    const ids = new Set(snap.entries.map((e) => `${e.list}|${e.sourceId}`));
    assert.equal(ids.size, snap.entries.length);
    // the eval scorer matches hits on list + sourceId + primaryName: every labelled positive must exist as labelled
    const byKey = new Map(snap.entries.map((e) => [`${e.list}|${e.sourceId}`, e]));
    const positives = readFileSync(resolve(LISTS, '../eval/dev.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { label: { expect: string; list?: string; sourceId?: string; primaryName?: string } })
      .filter((l) => l.label.expect === 'flag');
    assert.ok(positives.length > 4000);
    const missing = positives.filter((p) => byKey.get(`${p.label.list}|${p.label.sourceId}`)?.primaryName !== p.label.primaryName);
    assert.deepEqual(missing.slice(0, 5), []);
  });
});
