// Bad list files (truncated, HTML, binary, empty, garbage, too few entries) are refused naming file and line; the snapshot in force survives.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { importFiles, loadCurrentSnapshot, readSeedDir } from '../../../src/runtime/lists-runtime.js';
import type { Snapshot } from '../../../src/lists/index.js';
import { isKycError } from '../../../src/errors.js';
import { LISTS } from './helpers.js';

const logger = createLogger('silent');
let tmp: string;
let baseline: Snapshot;
let config: ReturnType<typeof loadConfig>;

/** Writes `bytes` as `name` in a fresh directory and reads it back the way `lists import` does. */
async function asImport(name: string, bytes: Uint8Array | string) {
  const dir = mkdtempSync(join(tmp, 'in-'));
  writeFileSync(join(dir, name), bytes);
  return readSeedDir(join(dir, name));
}

/** Imports bad files and checks the refusal and that the baseline snapshot stays in force. */
async function expectRefused(name: string, bytes: Uint8Array | string, code: string, message: RegExp) {
  const res = await importFiles(await asImport(name, bytes), config, logger, { previous: baseline });
  assert.equal(res.accepted, false);
  assert.ok(res.error && isKycError(res.error));
  assert.equal(res.error.code, code);
  assert.match(res.reason!, message);
  assert.equal(res.snapshot.id, baseline.id);
  const current = await loadCurrentSnapshot(config, logger);
  assert.equal(current?.id, baseline.id, 'previous snapshot still current');
  assert.equal(current?.counts.SDN, 19249);
}

describe('bad input is refused, nothing accepted is lost', () => {
  const sdnBytes = readFileSync(join(LISTS, 'current-2026/SDN.CSV'));

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'kycgate-lists-'));
    config = loadConfig({ KYCGATE_DATA_DIR: join(tmp, 'data') });
    const res = await importFiles(await readSeedDir(join(LISTS, 'current-2026')), config, logger);
    assert.equal(res.accepted, true);
    baseline = res.snapshot;
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('SDN.CSV cut in half inside a quoted field', async () => {
    let cut = Math.floor(sdnBytes.length / 2);
    while (sdnBytes[cut - 1] !== 0x41 && sdnBytes[cut - 1] !== 0x45) cut++; // stop right after a letter, inside a name
    const line = sdnBytes.subarray(0, cut).toString('latin1').split('\n').length;
    await expectRefused('SDN.CSV', sdnBytes.subarray(0, cut), 'KYC_ERR_LIST_PARSE', new RegExp(`^SDN\\.CSV: line ${line}: .*truncated`));
  });

  test('SDN.CSV cut in half between two fields of a row', async () => {
    let cut = Math.floor(sdnBytes.length / 2);
    while (!(sdnBytes[cut - 2] === 0x22 && sdnBytes[cut - 1] === 0x2c)) cut++; // right after `",`
    const line = sdnBytes.subarray(0, cut).toString('latin1').split('\n').length;
    await expectRefused('SDN.CSV', sdnBytes.subarray(0, cut), 'KYC_ERR_LIST_PARSE', new RegExp(`^SDN\\.CSV: line ${line}: expected 12 columns`));
  });

  test('SDN.CSV cut at a row boundary: parses, but too few entries', async () => {
    const text = sdnBytes.toString('latin1');
    const rows = text.split('\r\n');
    await expectRefused('SDN.CSV', rows.slice(0, 5000).join('\r\n') + '\r\n', 'KYC_ERR_LIST_VALIDATION', /^SDN\.CSV, ADD\.CSV, ALT\.CSV: source ofac-sdn has 5000 entries, below 90% of the 19249/);
  });

  test('an HTML error page saved as consolidated.csv', async () => {
    const html = '<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>\n';
    await expectRefused('consolidated.csv', html, 'KYC_ERR_LIST_FORMAT', /^consolidated\.csv: an HTML\/XML page \(line 1\)/);
  });

  test('a binary file (gzip of SDN.CSV) named SDN.CSV', async () => {
    await expectRefused('SDN.CSV', gzipSync(sdnBytes), 'KYC_ERR_LIST_FORMAT', /^SDN\.CSV: binary content .*line \d+/);
  });

  test('an empty file', async () => {
    await expectRefused('consolidated.csv', '', 'KYC_ERR_LIST_FORMAT', /^consolidated\.csv: the file is empty \(line 1\)/);
  });

  test('text in no known layout', async () => {
    await expectRefused('dpl.txt', 'hello,world\nthis is not a list\n', 'KYC_ERR_LIST_FORMAT', /^dpl\.txt: line 1: not a known list format/);
  });

  test('a CSL file with its header but rows of another layout', async () => {
    const header = readFileSync(join(LISTS, 'current-2026/consolidated.csv'), 'utf8').split('\n')[0]!;
    await expectRefused('consolidated.csv', `${header}\nfoo,bar\n`, 'KYC_ERR_LIST_PARSE', /^consolidated\.csv: line 2: expected 29 columns, found 2/);
  });

  test('--force accepts a smaller file; the diff names what went away; re-importing the full file restores it', async () => {
    const rows = sdnBytes.toString('latin1').split('\r\n');
    const small = await asImport('SDN.CSV', rows.slice(0, 5000).join('\r\n') + '\r\n');
    const forced = await importFiles(small, config, logger, { force: true, previous: baseline });
    assert.equal(forced.accepted, true);
    assert.equal(forced.snapshot.counts.SDN, 5000);
    // ALT/ADD of the stored set were kept (only SDN.CSV was imported)
    assert.deepEqual(forced.snapshot.sources.find((s) => s.source === 'ofac-sdn')!.files.map((f) => f.name).sort(), ['ADD.CSV', 'ALT.CSV', 'SDN.CSV']);
    assert.equal(forced.diff!.removed.length, 19249 - 5000);
    assert.equal(forced.diff!.added.length, 0);
    const back = await importFiles(await asImport('SDN.CSV', sdnBytes), config, logger, { force: true, previous: forced.snapshot });
    assert.equal(back.snapshot.id, baseline.id, 'same files → same content address');
    assert.equal(back.diff!.added.length, 19249 - 5000);
  });

  test('the seed directory is imported once; unchanged seeds load the stored snapshot', async () => {
    const seedDir = join(tmp, 'seed');
    mkdirSync(seedDir);
    writeFileSync(join(seedDir, 'dpl.txt'), readFileSync(join(LISTS, 'official/bis-dpl-2023-11-30/dpl.txt')));
    writeFileSync(join(seedDir, 'README.md'), 'not a list file\n');
    const cfg = loadConfig({ KYCGATE_DATA_DIR: join(tmp, 'data'), KYCGATE_SEED_DIR: seedDir });
    const first = await loadCurrentSnapshot(cfg, logger);
    assert.notEqual(first!.id, baseline.id);
    // sources not in the seed stay (SDN from the stored snapshot), DPL from dpl.txt added
    assert.equal(first!.counts.SDN, 19249);
    assert.equal(first!.sources.find((s) => s.source === 'dpl')!.counts.DPL, 545);
    const second = await loadCurrentSnapshot(cfg, logger);
    assert.equal(second!.id, first!.id);
    assert.equal(second!.createdAt, first!.createdAt);
  });
});
