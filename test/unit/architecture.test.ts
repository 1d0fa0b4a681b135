// Layout rules of DESIGN.md kept by a test: a pure core, one reader of process.env, a purpose comment on every file.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');

function files(dir: string, exts = ['.ts', '.mjs', '.js']): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, exts));
    else if (exts.some((e) => name.endsWith(e)) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Module specifiers imported (statically or dynamically) by a source file. */
function imports(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/g)) specs.push(m[1]!);
  for (const m of source.matchAll(/(?:^|\n)\s*import\s+'([^']+)'/g)) specs.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) specs.push(m[1]!);
  return specs;
}

const CORE = ['model', 'normalize', 'lists', 'match', 'policy', 'screening', 'review'];
/** Pure computation the core may use: hashing, schema validation, CSV text parsing, transliteration data. */
const CORE_ALLOWED_PACKAGES = new Set(['node:crypto', 'node:module', 'zod', 'csv-parse/sync', 'any-ascii', 'pinyin-pro', 'double-metaphone', 'fastest-levenshtein', 'fuse.js', 'lru-cache']);

test('the core (model, normalize, lists, match, policy, screening, review) imports no I/O library and no adapter', () => {
  const offences: string[] = [];
  for (const dir of CORE) {
    for (const file of files(join(root, 'src', dir))) {
      const rel = relative(root, file);
      for (const spec of imports(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = relative(join(root, 'src'), join(file, '..', spec)).split('/')[0]!;
          if (!CORE.includes(target) && target !== 'errors.js') offences.push(`${rel} → ${spec}`);
        } else if (!CORE_ALLOWED_PACKAGES.has(spec)) {
          offences.push(`${rel} → ${spec}`);
        }
      }
    }
  }
  assert.deepEqual(offences, []);
});

test('src/config.ts is the only reader of process.env', () => {
  const readers = [...files(join(root, 'src')), ...files(join(root, 'workers'))]
    .filter((f) => /process\.env\b/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(root, f));
  assert.deepEqual(readers, ['src/config.ts']);
});

test('every source file opens with a one-line purpose comment', () => {
  const missing = [...files(join(root, 'src')), ...files(join(root, 'workers')), ...files(join(root, 'bench'))]
    .filter((f) => {
      const lines = readFileSync(f, 'utf8').split('\n');
      const first = lines[0]!.startsWith('#!') ? lines[1]! : lines[0]!;
      return !/^\/\/ \S.{10,}/.test(first);
    })
    .map((f) => relative(root, f));
  assert.deepEqual(missing, []);
});

test('the architecture check itself catches an I/O import (the rule can fail)', () => {
  assert.deepEqual(imports("import { Pool } from 'pg';\nexport { x } from './y.js';\nconst m = await import('node:fs');"), ['pg', './y.js', 'node:fs']);
});
