// `kycgate compare` end to end: pairs in order, error records for bad lines, default weights without lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve(import.meta.dirname, '../../../src/bin.mjs');

test('compare: one output line per input line, in order; bad lines become error records', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kycgate-compare-'));
  try {
    const input = [
      JSON.stringify({ a: 'Huawei Technologies Co., Ltd.', b: 'HUAWEI TECHNOLOGIES COMPANY LIMITED' }),
      '{not json',
      JSON.stringify({ a: 'only a' }),
      JSON.stringify({ a: 'OKPOH, Felix Osilama', b: 'Felix Osilama Okpoh', type: 'individual' }),
      JSON.stringify({ a: 'Vision', b: 'Technology' }),
    ].join('\n');
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', KYCGATE_DATA_DIR: dataDir, KYCGATE_LOG_LEVEL: 'warn' };
    const res = spawnSync(process.execPath, [bin, 'compare'], { input, env, encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 5);
    assert.equal(lines[0].score, 1);
    assert.equal(lines[0].match, true);
    assert.ok(Array.isArray(lines[0].pieces) && lines[0].pieces.length === 3);
    assert.deepEqual({ id: lines[1].id, line: lines[1].line, code: lines[1].error.code }, { id: null, line: 2, code: 'KYC_ERR_INPUT_JSON' });
    assert.deepEqual({ id: lines[2].id, line: lines[2].line, code: lines[2].error.code }, { id: null, line: 3, code: 'KYC_ERR_INPUT_INVALID' });
    assert.equal(lines[3].score, 1);
    assert.equal(lines[4].match, false);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
