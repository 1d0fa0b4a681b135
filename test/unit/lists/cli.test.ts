// `kycgate lists status` and `kycgate lists import` as a user runs them (child processes, temp data dir).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LISTS } from './helpers.js';

const BIN = resolve(import.meta.dirname, '../../../src/bin.mjs');
let tmp: string;

function kycgate(args: string[], env: Record<string, string>) {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', KYCGATE_LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('lists CLI', () => {
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'kycgate-cli-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('lists status with no snapshot says how to get one', () => {
    const r = kycgate(['lists', 'status'], { KYCGATE_DATA_DIR: join(tmp, 'empty') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no list snapshot: set KYCGATE_SEED_DIR/);
  });

  test('lists status --json loads the seed first: SDN 19,249 for current-2026', () => {
    const r = kycgate(['lists', 'status', '--json'], { KYCGATE_DATA_DIR: join(tmp, 'data'), KYCGATE_SEED_DIR: join(LISTS, 'current-2026') });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.counts.SDN, 19249);
    assert.match(s.id, /^snap-/);
    const ofac = s.sources.find((x: { source: string }) => x.source === 'ofac-sdn');
    assert.deepEqual(ofac.files.map((f: { name: string }) => f.name).sort(), ['ADD.CSV', 'ALT.CSV', 'SDN.CSV']);
    assert.match(ofac.files[0].sha256, /^[0-9a-f]{64}$/);
    assert.equal(typeof ofac.ageSeconds, 'number');
  });

  test('lists import of a bad file exits 2 naming the file and line; a good one is accepted', () => {
    const dir = join(tmp, 'bad');
    rmSync(dir, { recursive: true, force: true });
    const bad = join(tmp, 'dpl.txt');
    const dpl = readFileSync(join(LISTS, 'official/bis-dpl-2023-11-30/dpl.txt'), 'utf8');
    writeFileSync(bad, dpl.slice(0, Math.floor(dpl.length / 2)).replace(/[^\t]*$/, ''));
    const env = { KYCGATE_DATA_DIR: join(tmp, 'data') };
    const r = kycgate(['lists', 'import', bad], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /KYC_ERR_LIST_PARSE: dpl\.txt: line \d+: expected 12 tab-separated columns/);
    assert.match(r.stderr, /stays in force/);
    const ok = kycgate(['lists', 'import', join(LISTS, 'official/bis-dpl-2023-11-30')], env);
    assert.equal(ok.code, 0, ok.stderr);
    const summary = JSON.parse(ok.stdout);
    assert.equal(summary.accepted, true);
    assert.equal(summary.counts.DPL, 562 + 545);
    assert.equal(summary.diff.added, 545);
    const human = kycgate(['lists', 'status'], env);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /SDN\s+19,249/);
    assert.match(human.stdout, /dpl\.txt\s+sha256:[0-9a-f]{16}\s+665 rows, 545 entries/);
    assert.match(human.stdout, /last refused import .*KYC_ERR_LIST_PARSE/);
  });
});
