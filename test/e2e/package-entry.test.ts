// `import { kycgate } from 'kycgate'` from a plain Node host (no TypeScript loader): the package entry compiles its own sources only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');

/** Runs an ES module snippet in a fresh `node` without tsx, from the package root (package self-reference). */
function plainNode(code: string) {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  return spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
}

test('a plain Node host imports the middleware by package name; options are validated by the TypeScript sources', () => {
  const res = plainNode(`
    const { kycgate, KycError, ERROR_CATALOG, drainBackgroundAdds, createHttpServer } = await import('kycgate');
    let code = 'none';
    try { kycgate.screen({ customer: 'not a function', nope: 1 }); } catch (e) { code = e instanceof KycError ? e.code : 'other:' + e; }
    console.log(JSON.stringify({ screen: typeof kycgate.screen, drain: typeof drainBackgroundAdds, server: typeof createHttpServer, code, codes: Object.keys(ERROR_CATALOG).length }));
  `);
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout.trim()) as { screen: string; drain: string; server: string; code: string; codes: number };
  assert.equal(out.screen, 'function');
  assert.equal(out.drain, 'function', 'drainBackgroundAdds is exported for hosts that pass their own aggregator');
  assert.equal(out.server, 'function', 'createHttpServer is exported for hosts serving their own Express app');
  assert.equal(out.code, 'KYC_ERR_OPTIONS_INVALID');
  assert.ok(out.codes > 10);
});

test("the loader is scoped to kycgate: the host's own .ts imports are not compiled by it", () => {
  const res = plainNode(`
    await import('kycgate');
    try { await import('./src/errors.ts'); console.log('compiled'); } catch (e) { console.log(e.code); }
  `);
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stdout.trim(), 'ERR_UNKNOWN_FILE_EXTENSION');
});
