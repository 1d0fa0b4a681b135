// The audit chain and its commands on real PostgreSQL: append-only triggers, tamper detection, keys/audit/migrate CLIs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ReviewService } from '../../../src/store/services/review-service.js';
import { verifyAudit } from '../../../src/store/services/audit-service.js';
import { principalForKey } from '../../../src/store/services/api-keys.js';
import { runMigrations } from '../../../src/store/migrate.js';
import { createTestDatabase, decisionFor, hitOn, sdnRows, type TestDatabase } from './helpers.js';

const BIN = path.resolve(import.meta.dirname, '../../../src/bin.mjs');

/** Runs the kycgate CLI with only the given environment (plus PATH/HOME). */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', KYCGATE_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let t: TestDatabase;
const BNC = sdnRows('306').get('306')!;

before(async () => {
  t = await createTestDatabase();
  const svc = new ReviewService(t.db);
  for (let i = 0; i < 5; i++) {
    const c = { id: `cust-a${i}`, name: `Banco Nacional de Cuba ${i}` };
    await svc.recordScreening(c, decisionFor(c, [hitOn(BNC, { queryName: c.name, score: 0.9 })]), 'test');
  }
  await svc.audit({ actor: 'lists', action: 'lists.snapshot', target: 'snapshot:snap-test', before: { version: 'snap-0' }, after: { version: 'snap-test', counts: { SDN: 15443 } } });
});
after(async () => {
  await t?.drop();
});

describe('append-only tables', () => {
  for (const table of ['audit_log', 'screenings', 'case_events']) {
    test(`${table}: UPDATE, DELETE and TRUNCATE are refused by a trigger`, async () => {
      await assert.rejects(t.db.query(`UPDATE ${table} SET actor = actor`), /append-only/);
      await assert.rejects(t.db.query(`DELETE FROM ${table}`), /append-only/);
      await assert.rejects(t.db.query(`TRUNCATE ${table} CASCADE`), /append-only/);
    });
  }

  test('migrations are applied once, and a changed migration file is refused', async () => {
    assert.deepEqual(await runMigrations(t.db), []);
    await assert.rejects(runMigrations(t.db, [{ name: '001-initial.sql', sql: 'SELECT 1', sha256: 'edited' }]), /KYC_ERR_MIGRATION_FAILED|changed after it was applied/);
  });
});

describe('kycgate CLI against the database', () => {
  test('keys create prints a key once; only its hash is stored', async () => {
    const r = await cli(['keys', 'create', '--role', 'senior_officer', '--name', 'Ada Officer'], { DATABASE_URL: t.url });
    assert.equal(r.code, 0, r.stderr);
    const key = r.stdout.trim();
    assert.match(key, /^kyc_[A-Za-z0-9_-]{32}$/);
    assert.match(r.stderr, /shown only now/);
    const stored = await t.db.query<{ key_hash: string }>('SELECT key_hash FROM api_keys');
    assert.ok(stored.rows.every((row) => row.key_hash !== key && !row.key_hash.includes(key.slice(4))));
    assert.deepEqual(await principalForKey(t.db, key).then((p) => p && { name: p.name, role: p.role }), { name: 'Ada Officer', role: 'senior_officer' });
    const bad = await cli(['keys', 'create', '--role', 'root'], { DATABASE_URL: t.url });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /KYC_ERR_INPUT_INVALID.*unknown role/);
  });

  test('migrate reports an up-to-date database', async () => {
    const r = await cli(['migrate'], { DATABASE_URL: t.url });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /up to date \(postgres\)/);
  });

  test('audit export writes the rows of a date range as NDJSON', async () => {
    const all = await cli(['audit', 'export'], { DATABASE_URL: t.url });
    assert.equal(all.code, 0, all.stderr);
    const rows = all.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; at: string; action: string; hash: string });
    assert.deepEqual(rows.map((r) => r.seq), rows.map((_, i) => i + 1));
    assert.ok(rows.some((r) => r.action === 'lists.snapshot'));
    const none = await cli(['audit', 'export', '--from', '2000-01-01', '--to', '2000-01-02'], { DATABASE_URL: t.url });
    assert.equal(none.stdout, '');
    const bad = await cli(['audit', 'export', '--from', 'yesterday'], { DATABASE_URL: t.url });
    assert.equal(bad.code, 2);
  });

  test('audit verify --help needs no database', async () => {
    const r = await cli(['audit', 'verify', '--help'], { DATABASE_URL: 'postgres://root@127.0.0.1:1/none' });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /hash chain/);
  });

  test('audit verify passes, then names the row edited behind the API’s back', async () => {
    const ok = await cli(['audit', 'verify'], { DATABASE_URL: t.url });
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /audit chain OK: \d+ rows/);
    // tamper: as superuser, switch the trigger off and rewrite one row's payload
    const [victim] = (await t.superuser("SELECT seq FROM audit_log WHERE action = 'case.opened' ORDER BY seq OFFSET 2 LIMIT 1")) as { seq: string }[];
    await t.superuser(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
      UPDATE audit_log SET actor = 'mallory' WHERE seq = ${Number(victim!.seq)};
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);
    const v = await verifyAudit(t.db);
    assert.equal(v.ok, false);
    assert.equal(v.broken?.seq, Number(victim!.seq));
    assert.equal(v.broken?.problem, 'hash_mismatch');
    const broken = await cli(['audit', 'verify'], { DATABASE_URL: t.url });
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, new RegExp(`BROKEN at row ${Number(victim!.seq)} \\(hash_mismatch\\)`));
  });

  test('a deleted row is named too (the gap)', async () => {
    const [last] = (await t.superuser('SELECT max(seq) AS seq FROM audit_log')) as { seq: string }[];
    const gone = Number(last!.seq) - 1;
    await t.superuser(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
      DELETE FROM audit_log WHERE seq = ${gone};
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);
    // verify stops at the first break (the edit above), so walk the tail from a trusted anchor before the gap
    const { ChainVerifier } = await import('../../../src/review/audit-chain.js');
    const { readAudit } = await import('../../../src/store/repos/audit-repo.js');
    let v: InstanceType<typeof ChainVerifier> | undefined;
    for await (const row of readAudit(t.db)) {
      if (row.seq < gone - 1) continue;
      v ??= new ChainVerifier({ seq: row.seq - 1, hash: row.prevHash });
      v.push(row);
    }
    assert.ok(v);
    assert.equal(v.result?.problem, 'sequence_gap');
    assert.equal(v.result?.seq, gone + 1);
  });
});
