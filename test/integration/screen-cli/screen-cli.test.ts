// `kycgate screen` end to end on the real current-2026 lists, under both packs (one process start per pack).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Decision, ErrorRecord } from '../../../src/model/index.js';

const root = resolve(import.meta.dirname, '../../..');
const seed = resolve(root, '../shared/lists/current-2026');
const bin = join(root, 'src/bin.mjs');
const big = { gpuModel: 'H100-SXM', gpuCount: 50_000, hours: 2000, purpose: 'training' };

// Names as the real lists give them: Entity List "Huawei Technologies Co., Ltd." (CN); SDN 25578 "BANK MELLI IRAN",
// 12927 "MAHAN AIR", 24283 "DERIPASKA, Oleg Vladimirovich" (individual).
const customers: unknown[] = [
  { id: 'el', name: 'Huawei Technologies Co., Ltd.', country: 'CN' },
  { id: 'sdn-owned', name: 'Gulf Horizon Trading LLC', country: 'AE', parents: [{ name: 'Bank Melli Iran', country: 'IR', ownership: 0.3 }], beneficialOwners: [{ name: 'Mahan Air', type: 'organization', country: 'IR', ownership: 0.25 }] },
  { id: 'sg-train', name: 'Merlion Model Labs Pte Ltd', country: 'SG', request: big },
  { id: 'us-cn', name: 'Pacific Inference Inc', country: 'US', parents: [{ name: 'Dragon Gate Holdings Co Ltd', country: 'CN', ownership: 1 }], request: { ...big, purpose: 'inference' } },
  { id: 'sg-mo', name: 'Lion City Compute Pte Ltd', country: 'SG', parents: [{ name: 'Lion Holdings Pte Ltd', country: 'SG', ownership: 0.8, parents: [{ name: 'Lotus Macau Holdings Ltd', country: 'MO', ownership: 0.6 }] }] },
  { id: 'plain', name: 'Sunny Side Bakery GmbH', country: 'DE', request: { gpuModel: 'A100', gpuCount: 8, hours: 24, purpose: 'fine-tuning' } },
  'NOT JSON',
  { id: 'nogpu', name: 'Example Ltd', country: 'US', request: { gpuModel: 'RTX-9090', gpuCount: 1, hours: 1 } },
  { id: 'noname', country: 'US' },
  { id: 'oligarch-owned', name: 'Northern Alloy Trading Ltd', country: 'CY', beneficialOwners: [{ name: 'DERIPASKA, Oleg Vladimirovich', type: 'individual', country: 'RU', ownership: 0.6 }] },
  { id: 'affiliate', name: 'Example Devices GmbH', country: 'DE', parents: [{ name: 'Huawei Technologies Co., Ltd.', country: 'CN', ownership: 0.6 }] },
  { id: 'kh', name: 'Angkor Compute Co Ltd', country: 'KH', request: { gpuModel: 'H100', gpuCount: 64, hours: 100, purpose: 'training' } },
  { id: 'name-only', name: 'Quiet Meadow Consulting' },
];

type Out = Decision | ErrorRecord;
let dir: string;
const runs: Record<string, { out: Out[]; stderr: string; status: number | null }> = {};

function screen(args: string[], stdin?: string) {
  const res = spawnSync(process.execPath, [bin, 'screen', ...args], {
    input: stdin,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', KYCGATE_SEED_DIR: seed, KYCGATE_DATA_DIR: join(dir, 'data'), KYCGATE_LOG_LEVEL: 'info' },
    timeout: 120_000,
  });
  return res;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kycgate-screen-cli-'));
  const input = customers.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))).join('\n') + '\n';
  writeFileSync(join(dir, 'in.ndjson'), input);
  // ai-diffusion-2025: --input/--output files; us-export-2026: stdin → stdout (the default pack)
  const a = screen(['--input', join(dir, 'in.ndjson'), '--output', join(dir, 'out.ndjson'), '--policy', 'ai-diffusion-2025', '--date', '2026-12-01']);
  runs.ai = { out: readFileSync(join(dir, 'out.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Out), stderr: a.stderr, status: a.status };
  assert.equal(a.stdout, '', 'with --output nothing goes to stdout');
  const u = screen(['--date', '2026-12-01'], input);
  runs.us = { out: u.stdout.trim().split('\n').map((l) => JSON.parse(l) as Out), stderr: u.stderr, status: u.status };
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
});

const byId = (pk: string, id: string) => runs[pk]!.out.find((o) => o.id === id) as Decision;
const codes = (d: Decision): string[] => [...new Set(d.reasons.map((r) => r.code as string))].sort();

describe('kycgate screen on current-2026 lists', () => {
  test('exit 0, one record per line, in order; logs only on stderr', () => {
    for (const pk of ['ai', 'us']) {
      const { out, stderr, status } = runs[pk]!;
      assert.equal(status, 0, stderr);
      assert.equal(out.length, customers.length);
      assert.deepEqual(out.map((o) => o.id), ['el', 'sdn-owned', 'sg-train', 'us-cn', 'sg-mo', 'plain', null, 'nogpu', 'noname', 'oligarch-owned', 'affiliate', 'kh', 'name-only']);
      assert.match(stderr, /"msg":"screening finished"/);
    }
  });

  test('bad lines yield error records with line numbers and codes', () => {
    for (const pk of ['ai', 'us']) {
      const out = runs[pk]!.out as ErrorRecord[];
      assert.deepEqual([out[6]!.line, out[6]!.error.code], [7, 'KYC_ERR_INPUT_JSON']);
      assert.deepEqual([out[7]!.line, out[7]!.error.code], [8, 'KYC_ERR_UNKNOWN_GPU']);
      assert.match(out[7]!.error.message, /RTX-9090/);
      assert.deepEqual([out[8]!.id, out[8]!.line, out[8]!.error.code], ['noname', 9, 'KYC_ERR_INPUT_INVALID']);
      assert.match(out[8]!.error.message, /name/);
    }
  });

  const table: [string, string, string, string[]][] = [
    // id, ai outcome, us outcome, codes that must appear (both packs)
    ['el', 'deny', 'deny', ['LIST_MATCH', 'TIER3_HEADQUARTERS']],
    ['sdn-owned', 'deny', 'deny', ['LIST_MATCH', 'OWNED_BY_LISTED', 'TIER3_HEADQUARTERS']],
    ['us-cn', 'review', 'review', ['TIER3_HEADQUARTERS']],
    ['sg-mo', 'review', 'review', ['TIER3_HEADQUARTERS']],
    ['plain', 'allow', 'allow', []],
    ['oligarch-owned', 'deny', 'deny', ['LIST_MATCH', 'OWNED_BY_LISTED']],
    ['kh', 'allow', 'allow', []],
    ['name-only', 'allow', 'allow', []],
  ];
  for (const [id, ai, us, must] of table) {
    test(`${id}: ${ai} under ai-diffusion-2025, ${us} under us-export-2026`, () => {
      for (const [pk, want] of [['ai', ai], ['us', us]] as const) {
        const d = byId(pk, id);
        assert.equal(d.outcome, want, `${pk}: ${JSON.stringify(d.reasons.map((r) => r.detail))}`);
        for (const code of must) assert.ok(codes(d).includes(code), `${pk} ${id} lacks ${code}: ${codes(d)}`);
      }
    });
  }

  test('where the packs differ: Tier 2 training at 3.56e26 and the Affiliates rule after 2026-11-10', () => {
    assert.equal(byId('ai', 'sg-train').outcome, 'review');
    assert.deepEqual(codes(byId('ai', 'sg-train')), ['TIER2_HEADQUARTERS', 'TRAINING_COMPUTE']);
    assert.equal(byId('us', 'sg-train').outcome, 'allow');
    const aff = byId('us', 'affiliate').reasons.find((r) => r.code === 'OWNED_BY_LISTED')!;
    assert.deepEqual([byId('us', 'affiliate').outcome, aff.rule], ['deny', 'bis-affiliates']);
    assert.equal(byId('ai', 'affiliate').outcome, 'review');
    assert.ok(!byId('ai', 'affiliate').reasons.some((r) => r.code === 'OWNED_BY_LISTED'));
  });

  test('hits name the real entries; every reason has a subject and explains itself', () => {
    const el = byId('us', 'el').hits.find((h) => h.list === 'ENTITY_LIST')!;
    assert.equal(el.primaryName, 'Huawei Technologies Co., Ltd.');
    const owned = byId('us', 'sdn-owned');
    const strong = owned.hits.filter((h) => h.list === 'SDN' && h.score >= 0.95).map((h) => `${h.subject} ${h.sourceId}`);
    for (const want of ['owner:0 12927', 'parent:0 25578']) assert.ok(strong.includes(want), `${want} not in ${strong}`);
    assert.match(owned.reasons.find((r) => r.code === 'OWNED_BY_LISTED')!.detail, /own 55% of the customer ≥ 50%/);
    for (const pk of ['ai', 'us']) {
      for (const o of runs[pk]!.out) {
        if ('error' in o) continue;
        assert.equal(o.policy, pk === 'ai' ? 'ai-diffusion-2025' : 'us-export-2026');
        assert.match(o.lists.version, /^snap-/);
        assert.equal(o.decidedAt, '2026-12-01T00:00:00.000Z');
        for (const r of o.reasons) {
          assert.ok(r.subject, `${o.id} ${r.code} has no subject`);
          assert.ok(r.detail.length > 40, `${o.id} ${r.code}: ${r.detail}`);
        }
      }
    }
    assert.match(byId('ai', 'sg-train').reasons.find((r) => r.code === 'TRAINING_COMPUTE')!.detail, /est\. 3\.56e26 ops ≥ 1e26: H100-SXM 989 TFLOP\/s BF16 dense × 50,000 GPUs × 2,000 h × utilization 1\.0/);
  });
});
