// `kycgate screen` / `compare` I/O contract: one output line per input line (blank lines too), write errors, EPIPE, list age, compare ids and lists.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');
const bin = join(root, 'src/bin.mjs');
let dir: string;
let seed: string;
let n = 0;

// Two real rows of current-2026/SDN.CSV: a small seed starts in well under a second.
const SDN_ROWS =
  '36,"AEROCARIBBEAN AIRLINES","-0- ","CUBA","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- "\r\n' +
  '12927,"MAHAN AIR","-0- ","SDGT] [NPWMD] [IFSR","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","Additional Sanctions Information - Subject to Secondary Sanctions."\r\n';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kycgate-cli-io-'));
  seed = join(dir, 'seed');
  mkdirSync(seed);
  writeFileSync(join(seed, 'SDN.CSV'), SDN_ROWS);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh data directory per run, so runs do not share snapshots. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', KYCGATE_DATA_DIR: join(dir, `data-${n++}`), KYCGATE_LOG_LEVEL: 'warn', ...extra };
}

function run(command: string, args: string[], input: string, extra: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, command, ...args], { input, encoding: 'utf8', env: env(extra), timeout: 120_000 });
}

const records = (stdout: string) => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
const empty = (line: number) => ({ id: null, line, error: { code: 'KYC_ERR_INPUT_INVALID', message: 'empty line' } });
const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, `stack trace on stderr: ${stderr}`);

const customer = (id: string, name = 'Sunny Side Bakery GmbH') => JSON.stringify({ id, name, country: 'DE' });
const pair = (id: string) => JSON.stringify({ id, a: 'Mahan Air', b: 'MAHAN AIR' });

describe('one output line per input line: blank lines are error records, a final newline is not a line', () => {
  // [case, input lines joined by the caller, expected: id of a result, or the line number of an "empty line" error]
  const table: [string, (x: (i: string) => string) => string, (string | number)[]][] = [
    ['blank and whitespace-only lines in the middle', (x) => [x('a'), '', '   ', x('b')].join('\n') + '\n', ['a', 2, 3, 'b']],
    ['a final newline ends the last line', (x) => `${x('a')}\n`, ['a']],
    ['no final newline', (x) => `${x('a')}\n${x('b')}`, ['a', 'b']],
    ['a blank last line before the final newline', (x) => `${x('a')}\n\n`, ['a', 2]],
    ['CRLF line ends', (x) => `${x('a')}\r\n\r\n${x('b')}\r\n`, ['a', 2, 'b']],
    ['a blank first line', (x) => `\n${x('a')}\n`, [1, 'a']],
  ];
  for (const [command, make, seedEnv] of [
    ['screen', customer, () => ({ KYCGATE_SEED_DIR: seed })],
    ['compare', pair, () => ({})],
  ] as const) {
    for (const [name, input, want] of table) {
      test(`${command}: ${name}`, () => {
        const res = run(command, [], input(make), seedEnv());
        assert.equal(res.status, 0, res.stderr);
        const out = records(res.stdout);
        assert.equal(out.length, want.length, res.stdout);
        want.forEach((w, i) => {
          if (typeof w === 'number') assert.deepEqual(out[i], empty(w));
          else assert.equal(out[i]!.id, w);
        });
      });
    }
  }
});

describe('write errors', () => {
  for (const command of ['screen', 'compare'] as const) {
    const input = (command === 'screen' ? [customer('a'), customer('b')] : [pair('a'), pair('b')]).join('\n') + '\n';
    const extra = command === 'screen' ? () => ({ KYCGATE_SEED_DIR: seed }) : () => ({});

    test(`${command}: --output on a full disk (/dev/full) exits non-zero, without a stack trace`, () => {
      const res = run(command, ['--output', '/dev/full'], input, extra());
      assert.notEqual(res.status, 0);
      assert.match(res.stderr, /cannot write/);
      assert.match(res.stderr, /ENOSPC/);
      noStack(res.stderr);
    });

    test(`${command}: --output naming a directory exits non-zero`, () => {
      const res = run(command, ['--output', dir], input, extra());
      assert.notEqual(res.status, 0);
      assert.match(res.stderr, /EISDIR|cannot write/);
      noStack(res.stderr);
    });

    test(`${command}: stdout on a full disk exits non-zero`, () => {
      const full = openSync('/dev/full', 'w');
      try {
        const res = spawnSync(process.execPath, [bin, command], { input, encoding: 'utf8', env: env(extra()), stdio: ['pipe', full, 'pipe'], timeout: 120_000 });
        assert.notEqual(res.status, 0, res.stderr);
        assert.match(res.stderr, /ENOSPC/);
        noStack(res.stderr);
      } finally {
        closeSync(full);
      }
    });

    test(`${command}: the reader going away (EPIPE, like \`| head -1\`) stops quietly with exit 0`, async () => {
      const lines = Array.from({ length: command === 'screen' ? 6000 : 20000 }, (_, i) => (command === 'screen' ? customer(`c${i}`) : pair(`p${i}`)));
      const child = spawn(process.execPath, [bin, command], { env: env(extra()), stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.on('error', () => undefined); // the child may stop reading first
      child.stdin.end(lines.join('\n') + '\n');
      const first = await new Promise<string>((res) => child.stdout.once('data', (d: Buffer) => res(d.toString())));
      child.stdout.destroy(); // close the read end: the child's next writes fail with EPIPE
      const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
      assert.ok(first.length > 0);
      assert.equal(code, 0, stderr);
      noStack(stderr);
    });
  }
});

describe('compare: pairs may carry extra fields; `id` is echoed', () => {
  test('results and error records echo the id; extra fields are ignored', () => {
    const input = [
      JSON.stringify({ id: 'p1', a: 'Mahan Air', b: 'MAHAN AIR', label: 'true-match', source: 'eval' }),
      JSON.stringify({ id: 'p2', a: 'only a', note: 'x' }),
      JSON.stringify({ id: 7, a: 'Vision', b: 'Technology' }),
      JSON.stringify({ a: 'Vision', b: 'Technology' }),
      '{not json',
    ].join('\n');
    const res = run('compare', [], input);
    assert.equal(res.status, 0, res.stderr);
    const out = records(res.stdout);
    assert.deepEqual([out[0]!.id, out[0]!.score, out[0]!.match], ['p1', 1, true]);
    assert.deepEqual(out[1], { id: 'p2', line: 2, error: { code: 'KYC_ERR_INPUT_INVALID', message: (out[1]!.error as { message: string }).message } });
    assert.match((out[1]!.error as { message: string }).message, /line 2: b:/);
    assert.deepEqual([out[2]!.id, out[2]!.match], ['7', false]);
    assert.equal('id' in out[3]!, false);
    assert.deepEqual([out[4]!.id, (out[4]!.error as { code: string }).code], [null, 'KYC_ERR_INPUT_JSON']);
  });
});

describe('compare: token weights', () => {
  test('no lists configured: built-in weights, exit 0', () => {
    const res = run('compare', [], pair('a'));
    assert.equal(res.status, 0, res.stderr);
    assert.equal(records(res.stdout).length, 1);
  });
  test('a working seed directory: weights from the lists, exit 0', () => {
    const res = spawnSync(process.execPath, [bin, 'compare'], { input: pair('a'), encoding: 'utf8', env: env({ KYCGATE_SEED_DIR: seed, KYCGATE_LOG_LEVEL: 'info' }) });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stderr, /token weights from the list snapshot/);
  });
  test('KYCGATE_SEED_DIR set but unreadable: KYC_ERR_LISTS_UNAVAILABLE, no output, no built-in fall-back', () => {
    const res = run('compare', [], pair('a'), { KYCGATE_SEED_DIR: join(dir, 'no-such-dir') });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /KYC_ERR_LISTS_UNAVAILABLE: lists are configured \(KYCGATE_SEED_DIR .*no-such-dir\) but could not be loaded/);
    assert.equal(res.stdout, '');
  });
  test('a stored snapshot that cannot be loaded: KYC_ERR_LISTS_UNAVAILABLE', () => {
    const data = join(dir, 'broken-store');
    mkdirSync(join(data, 'lists'), { recursive: true });
    writeFileSync(join(data, 'lists', 'current'), 'snap-missing\n');
    const res = spawnSync(process.execPath, [bin, 'compare'], { input: pair('a'), encoding: 'utf8', env: { PATH: process.env.PATH ?? '', KYCGATE_DATA_DIR: data, KYCGATE_LOG_LEVEL: 'warn' } });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /KYC_ERR_LISTS_UNAVAILABLE/);
  });
});

describe('screen: list age', () => {
  const input = `${customer('a')}\n${JSON.stringify({ id: 'm', name: 'Mahan Air', country: 'AE' })}\n`;
  test('decisions dated 30 days after the import carry SCREENING_UNAVAILABLE (review); a deny stays a deny', () => {
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const res = run('screen', ['--date', later], input, { KYCGATE_SEED_DIR: seed });
    assert.equal(res.status, 0, res.stderr);
    const [a, m] = records(res.stdout) as { outcome: string; reasons: { code: string; detail: string }[] }[];
    assert.equal(a!.outcome, 'review');
    assert.match(a!.reasons.find((r) => r.code === 'SCREENING_UNAVAILABLE')!.detail, /h \(30\.0 days\) before this decision — older than the 72 h allowed/);
    assert.equal(m!.outcome, 'deny');
  });
  test('the seed imported now, decided now: a clean allow; KYCGATE_MAX_LIST_AGE_HOURS=0 turns the check off', () => {
    const now = run('screen', [], input, { KYCGATE_SEED_DIR: seed });
    assert.equal((records(now.stdout)[0] as { outcome: string }).outcome, 'allow', now.stderr);
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const off = run('screen', ['--date', later], input, { KYCGATE_SEED_DIR: seed, KYCGATE_MAX_LIST_AGE_HOURS: '0' });
    assert.equal((records(off.stdout)[0] as { outcome: string }).outcome, 'allow', off.stderr);
  });
});
