// Pure parts of the workers: rescreen triggers (customer change, dated rules), export chunking, delta selection, source registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { customerChangeNeedsRescreen, dueRuleSwitches, ruleSwitchDates } from '../../../src/runtime/rescreen-triggers.js';
import { planFileChunks, readFileChunk } from '../../../src/sources/customer-export.js';
import { loadRegistry, sourceOfFile } from '../../../src/sources/registry.js';
import { loadPolicyPack } from '../../../src/runtime/policy-runtime.js';
import { selectDeltaCustomers } from '../../../workers/delta-select.js';
import type { ListEntry } from '../../../src/model/index.js';

test('customer data changes that trigger a rescreen: name, owners, parents, country — not contact data', () => {
  const base = { id: 'c1', name: 'Example Compute Pte. Ltd.', country: 'SG', contact: { email: 'a@example.sg' } };
  const table: [string, object, boolean][] = [
    ['same data', {}, false],
    ['new e-mail only', { contact: { email: 'b@example.sg' } }, false],
    ['renamed', { name: 'Example Compute Holdings' }, true],
    ['moved country', { country: 'HK' }, true],
    ['new owner', { beneficialOwners: [{ name: 'Jane Doe', ownership: 0.3 }] }, true],
    ['new parent', { parents: [{ name: 'Example Holdings Ltd', country: 'HK', ownership: 0.6 }] }, true],
  ];
  for (const [what, patch, expected] of table) assert.equal(customerChangeNeedsRescreen(base, { ...base, ...patch }), expected, what);
  assert.equal(customerChangeNeedsRescreen(undefined, base), true, 'a new customer');
});

test('the BIS Affiliates rule date (2026-11-10) of us-export-2026 triggers a rescreen on that day, once', () => {
  const switches = ruleSwitchDates(loadPolicyPack('us-export-2026'));
  assert.ok(switches.some((s) => s.day === '2026-11-10'), JSON.stringify(switches));
  assert.ok(dueRuleSwitches(switches, '2026-11-09', '2026-11-10').some((s) => s.day === '2026-11-10'));
  assert.equal(dueRuleSwitches(switches, '2026-11-10', '2026-11-11').filter((s) => s.day === '2026-11-10').length, 0, 'not again the next day');
  assert.ok(dueRuleSwitches(switches, '2026-11-01', '2026-11-12').some((s) => s.day === '2026-11-10'), 'a missed day is caught up');
});

test('an NDJSON export is cut into byte-range chunks that read back every customer once, bad lines counted', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'kycgate-h6-chunks-'));
  try {
    const file = path.join(dir, 'c.ndjson');
    const lines = Array.from({ length: 23 }, (_, i) => JSON.stringify({ id: `c${i}`, name: `Name ${i}` }));
    lines.splice(5, 0, '', '{broken');
    await writeFile(file, lines.join('\r\n') + '\r\n\r\n');
    const { chunks, total } = await planFileChunks(file, 'ndjson', 5);
    assert.equal(total, 24);
    assert.deepEqual(chunks.map((c) => c.count), [5, 5, 5, 5, 4]);
    const read = await Promise.all(chunks.map((c) => readFileChunk(file, 'ndjson', c)));
    const ids = read.flatMap((r) => r.records.map((x) => (x.value as { id: string }).id));
    assert.deepEqual(ids, Array.from({ length: 23 }, (_, i) => `c${i}`));
    assert.deepEqual(read.flatMap((r) => r.bad.map((b) => b.line)), [7]);
    const csv = path.join(dir, 'c.csv');
    await writeFile(csv, 'id,name,country,aliases\n1,Acme Ltd,US,Acme;ACME Corp\n2,"Beta, Inc.",DE,\n3,Gamma,FR,\n');
    const p = await planFileChunks(csv, 'csv', 2);
    const rows = (await Promise.all(p.chunks.map((c) => readFileChunk(csv, 'csv', c)))).flatMap((r) => r.records.map((x) => x.value));
    assert.deepEqual(rows, [{ id: '1', name: 'Acme Ltd', country: 'US', aliases: ['Acme', 'ACME Corp'] }, { id: '2', name: 'Beta, Inc.', country: 'DE' }, { id: '3', name: 'Gamma', country: 'FR' }]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const entry = (sourceId: string, name: string, aliases: string[] = []): ListEntry => ({
  list: 'SDN', sourceId, primaryName: name, name, aliases: aliases.map((a) => ({ name: a, type: 'aka' })), entityType: 'organization',
  addresses: [], programs: ['RUSSIA-EO14024'], ids: [], dates: {}, origin: 'ofac-csv:SDN.CSV', raw: {},
});

test('delta selection keeps customers close to added/changed entries (also via parents, owners, typos) and those with open cases on removed ones', async () => {
  const diff = {
    from: 'a', to: 'b',
    added: [entry('90001', 'PROMTEKHNOLOGIYA LLC')],
    changed: [{ before: entry('90002', 'NORD STAR SHIPPING'), after: entry('90002', 'NORD STAR SHIPPING', ['NORDSTAR MARINE']) }],
    removed: [entry('90003', 'OLD EXAMPLE TRADING')],
  };
  const customers = [
    { id: 'hit-name', name: 'Promtekhnologiya LLC' },
    { id: 'hit-typo', name: 'Promtehnologiya' },
    { id: 'hit-parent', name: 'Harbor Logistics Pte Ltd', parents: [{ name: 'Nordstar Marine', ownership: 0.7 }] },
    { id: 'open-case', name: 'Whatever Unrelated GmbH' },
    { id: 'miss', name: 'Northwind Analytics Ltd' },
    { id: 'miss-2', name: 'Maria Garcia', type: 'individual' },
  ];
  async function* batches() {
    yield customers;
  }
  const sel = await selectDeltaCustomers(diff, batches(), { openCaseIds: new Set(['open-case']) });
  assert.deepEqual(sel.affected.map((c) => c.id).sort(), ['hit-name', 'hit-parent', 'hit-typo', 'open-case']);
  assert.equal(sel.base, 6);
  assert.equal(sel.byOpenCase, 1);
});

test('the source registry names the official files and URLs; seed files map back to their source', () => {
  const reg = loadRegistry();
  assert.deepEqual(reg.map((s) => s.id), ['ofac-sdn', 'ofac-cons', 'csl', 'dpl']);
  assert.equal(sourceOfFile(reg, '/x/SDN.CSV')?.id, 'ofac-sdn');
  assert.equal(sourceOfFile(reg, 'cons_prim.csv')?.id, 'ofac-cons');
  assert.equal(sourceOfFile(reg, 'consolidated.csv')?.id, 'csl');
  assert.equal(sourceOfFile(reg, 'dpl.txt')?.id, 'dpl');
  for (const s of reg) for (const f of s.files) assert.match(f.url, /^https:\/\/(sanctionslistservice\.ofac\.treas\.gov|data\.trade\.gov|www\.bis\.doc\.gov)\//);
});
