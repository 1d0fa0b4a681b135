#!/usr/bin/env node
// Times `kycgate screen` end to end (process start, list load, index build, screening) over N customers with
// parents, owners and requests built from the eval names; prints JSON and writes bench/results/screen-cli.json.
//   KYCGATE_SEED_DIR=../shared/lists/current-2026 node bench/screen-cli.mjs [N=10000] [--policy PACK]
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 10_000);
const pi = process.argv.indexOf('--policy');
const policy = pi > 0 ? process.argv[pi + 1] : 'us-export-2026';
const evalFile = resolve(root, '../shared/eval/dev.ndjson');
const names = readFileSync(evalFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).customer);
const countries = ['US', 'SG', 'DE', 'IN', 'CN', 'HK', 'MO', 'AE', 'JP', 'BR'];
const gpus = ['H100-SXM', 'A100', 'H200', 'B200', 'L40S', 'MI300X'];

const lines = [];
for (let i = 0; i < n; i++) {
  const base = names[i % names.length];
  const c = { id: `b${i}`, name: base.name, type: base.type, country: countries[i % countries.length] };
  if (i % 3 === 0) c.parents = [{ name: names[(i * 7) % names.length].name, country: countries[(i + 3) % countries.length], ownership: 0.6, parents: [{ name: names[(i * 13) % names.length].name, country: countries[(i + 5) % countries.length], ownership: 0.7 }] }];
  if (i % 4 === 0) c.beneficialOwners = [{ name: names[(i * 11) % names.length].name, ownership: 0.3 }];
  if (i % 2 === 0) c.request = { gpuModel: gpus[i % gpus.length], gpuCount: 8 * (1 + (i % 5000)), hours: 24 * (1 + (i % 90)), purpose: i % 6 === 0 ? 'inference' : 'training' };
  lines.push(JSON.stringify(c));
}

const started = process.hrtime.bigint();
const child = spawn(process.execPath, [join(root, 'src/bin.mjs'), 'screen', '--policy', policy], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KYCGATE_LOG_LEVEL: 'info' } });
let out = '';
let err = '';
child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
child.stdin.end(lines.join('\n') + '\n');
const code = await new Promise((r) => child.on('close', r));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const records = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
const finished = err.split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return {}; } }).find((l) => l.msg === 'screening finished') ?? {};
const outcomes = {};
for (const r of records) { const k = r.error ? `error:${r.error.code}` : r.outcome; outcomes[k] = (outcomes[k] ?? 0) + 1; }
const result = {
  command: `node src/bin.mjs screen --policy ${policy}`,
  customers: n,
  exitCode: code,
  records: records.length,
  wallSeconds: +seconds.toFixed(2),
  startupMs: finished.startMs,
  screeningMs: finished.totalMs !== undefined ? finished.totalMs - finished.startMs : undefined,
  perCustomerMs: finished.totalMs !== undefined ? +((finished.totalMs - finished.startMs) / n).toFixed(3) : undefined,
  outcomes,
};
console.log(JSON.stringify(result, null, 2));
const file = join(root, 'bench/results/screen-cli.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
