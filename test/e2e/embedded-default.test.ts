// The quick start with no services: in a network namespace where nothing listens, `serve --demo` uses embedded PGlite,
// screens in-process, and names each feature that needs Redis in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const seed = resolve(root, '../shared/lists/current-2026');
const canIsolate = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && true'], { stdio: 'ignore' }).status === 0;

test('serve --demo with no Redis and no PostgreSQL reachable still serves', { skip: canIsolate ? false : 'unshare -n is not permitted here', timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kycgate-embedded-'));
  const port = 18_500 + Math.floor(Math.random() * 400);
  // Inside the namespace curl is the only client that can reach the server, so the probes run in the same shell.
  const script = [
    'ip link set lo up',
    `node src/bin.mjs serve --demo & pid=$!`,
    `for i in $(seq 1 90); do curl -sf localhost:${port}/readyz >/dev/null && break; sleep 0.5; done`,
    `echo "READYZ $(curl -s localhost:${port}/readyz)"`,
    `echo "ALLOW $(curl -s -o /dev/null -w '%{http_code}' -XPOST localhost:${port}/v1/instances -H 'content-type: application/json' -d '{"accountId":"a1","org":"Example Compute Pte. Ltd.","country":"SG"}')"`,
    `echo "DENY $(curl -s -o /dev/null -w '%{http_code}' -XPOST localhost:${port}/v1/instances -H 'content-type: application/json' -d '{"accountId":"a2","org":"Rosneft","country":"RU"}')"`,
    'kill -TERM $pid; wait $pid; echo "EXIT $?"',
  ].join('\n');
  const child = spawn('unshare', ['-n', 'sh', '-c', script], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), KYCGATE_DATA_DIR: dataDir, KYCGATE_SEED_DIR: seed, KYCGATE_LOG_LEVEL: 'warn' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((res) => child.on('close', res));
  rmSync(dataDir, { recursive: true, force: true });
  assert.equal(code, 0, err);
  const readyz = JSON.parse(/READYZ (.*)/.exec(out)?.[1] ?? 'null');
  assert.equal(readyz?.status, 'ready', out);
  assert.equal(readyz.checks.redis.state, 'disabled');
  assert.match(out, /ALLOW 201/);
  assert.match(out, /DENY 403/);
  assert.match(out, /EXIT 0/);
  assert.match(err, /using embedded PGlite/);
  for (const feature of ['slow path', 'scheduled list refresh', 'rescreening']) {
    const lines = err.split('\n').filter((l) => l.startsWith(`kycgate: ${feature}`) && l.includes('needs Redis'));
    assert.equal(lines.length, 1, `one start-up line for ${feature}:\n${err}`);
  }
});
