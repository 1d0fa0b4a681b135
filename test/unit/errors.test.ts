// Keeps the KYC_ERR_* catalog, the README's error table and the codes used in the source in step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ERROR_CATALOG, KycError, problemType, type ErrorCode } from '../../src/errors.js';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const catalog = Object.keys(ERROR_CATALOG) as ErrorCode[];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(ts|mjs|js|sql|html)$/.test(name) ? [p] : [];
  });
}

test('every catalog code is documented in README.md, with its HTTP status', () => {
  for (const code of catalog) {
    const row = readme.split('\n').find((line) => line.includes(`\`${code}\``));
    assert.ok(row, `${code} is missing from README.md's error table`);
    assert.match(row, new RegExp(`\\| ${ERROR_CATALOG[code].status} \\|`), `${code}: README gives a different status`);
  }
});

test('every KYC_ERR_* code the README mentions exists in the catalog', () => {
  const mentioned = new Set(readme.match(/KYC_ERR_[A-Z0-9_]+/g) ?? []);
  for (const code of mentioned) assert.ok(code in ERROR_CATALOG, `README mentions unknown code ${code}`);
});

test('every KYC_ERR_* code used in src/ and workers/ exists in the catalog', () => {
  const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'workers'))];
  for (const file of files) {
    for (const code of readFileSync(file, 'utf8').match(/KYC_ERR_[A-Z0-9_]+/g) ?? []) {
      assert.ok(code in ERROR_CATALOG, `${file} uses ${code}, which is not in src/errors.ts`);
    }
  }
});

test('KycError carries code, status and a stable problem type', () => {
  const err = new KycError('KYC_ERR_INPUT_INVALID', 'name: required', { path: 'name' });
  assert.equal(err.code, 'KYC_ERR_INPUT_INVALID');
  assert.equal(err.status, 400);
  assert.equal(err.name, 'KycError');
  assert.ok(err instanceof Error);
  assert.deepEqual(err.details, { path: 'name' });
  assert.equal(problemType('KYC_ERR_INPUT_INVALID'), 'urn:kycgate:error:KYC_ERR_INPUT_INVALID');
});

test('codes are unique after normalization and follow the naming rule', () => {
  for (const code of catalog) assert.match(code, /^KYC_ERR_[A-Z][A-Z0-9_]*$/);
  for (const spec of Object.values(ERROR_CATALOG)) assert.ok(spec.status >= 400 && spec.status < 600);
});
