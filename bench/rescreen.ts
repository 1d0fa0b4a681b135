// Benchmark: full rescreen throughput with 1 and 2 worker processes, and a 50-entry delta rescreen; prints JSON, writes bench/results/rescreen.json.
// Usage: node --import tsx bench/rescreen.ts [--count 1000000] [--chunk 1000] [--workers 1,2] [--full-db 0|1]
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { link, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import type { Snapshot } from '../src/lists/snapshot.js';
import { diffSnapshots } from '../src/lists/diff.js';
import { createLogger } from '../src/runtime/logger.js';
import { importFiles, readSeedDir } from '../src/runtime/lists-runtime.js';
import { openQueues } from '../src/queue/queues.js';
import { RescreenLedger } from '../src/queue/rescreen-ledger.js';
import { buildIndex } from '../src/match/index.js';
import { planDeltaRescreen, planFullRescreen } from '../workers/rescreen-plan.js';
import { openDatabase } from '../src/store/database.js';
import { backfillNameTokens } from '../src/store/repos/name-tokens-repo.js';
import { arg, ROOT, SEED_DIR, writeResult } from './kit.js';
import type { Customer } from '../src/model/index.js';
import { customerFingerprint } from '../src/screening/fingerprints.js';

const SEED = SEED_DIR;
const COUNT = Number(arg('count', '1000000'));
const CHUNK = Number(arg('chunk', '1000'));
const WORKERS = arg('workers', '1,2').split(',').map(Number);
const FULL_DB = arg('full-db', '1') !== '0';
const HITS = Math.max(200, Math.round(COUNT / 2500));

const GIVEN = ['James', 'Mary', 'Wei', 'Fatima', 'Olga', 'Carlos', 'Yuki', 'Ahmed', 'Anna', 'Liam', 'Sofia', 'Raj', 'Chen', 'Elena', 'Mateo', 'Aisha', 'Noah', 'Priya', 'Lucas', 'Mei', 'Omar', 'Ingrid', 'Kenji', 'Zanele', 'Pierre', 'Ana', 'Dmitri', 'Leila', 'Hiroshi', 'Grace'];
const FAMILY = ['Smith', 'Garcia', 'Zhang', 'Hassan', 'Petrova', 'Silva', 'Tanaka', 'Khan', 'Muller', 'Nguyen', 'Okafor', 'Rossi', 'Kowalski', 'Johansson', 'Haddad', 'Park', 'Dubois', 'Fernandes', 'Novak', 'Murphy', 'Sato', 'Kumar', 'Lopez', 'Schmidt', 'Ivanova', 'Cohen', 'Mensah', 'Larsen', 'Yilmaz', 'Costa'];
const ORG_A = ['Northwind', 'Blue Harbor', 'Apex', 'Summit', 'Silverline', 'Vertex', 'Oceanic', 'Redwood', 'Lumen', 'Cobalt', 'Evergreen', 'Granite', 'Helios', 'Ironbridge', 'Juniper', 'Kestrel', 'Meridian', 'Nimbus', 'Orchid', 'Pioneer', 'Quantum', 'Riverstone', 'Sapphire', 'Tidewater', 'Unity', 'Vanguard', 'Westfield', 'Zenith', 'Aurora', 'Beacon'];
const ORG_B = ['Compute', 'Analytics', 'Cloud', 'Data', 'Robotics', 'Logistics', 'Biotech', 'Media', 'Energy', 'Software', 'Systems', 'Labs', 'Networks', 'Capital', 'Trading'];
const ORG_C = ['Ltd', 'LLC', 'Inc.', 'GmbH', 'Pte. Ltd.', 'S.A.', 'B.V.', 'AB', 'K.K.', 'Pty Ltd', 'Sp. z o.o.', 'S.r.l.', 'Oy', 'A/S', 'Co., Ltd.'];
const COUNTRIES = ['US', 'GB', 'DE', 'SG', 'JP', 'FR', 'NL', 'CA', 'AU', 'IN', 'BR', 'KR', 'SE', 'ES', 'IT', 'PL', 'CH', 'AE', 'IL', 'MX'];

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function writeCustomers(file: string, snapshot: Snapshot): Promise<number> {
  const r = rng(42);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const listed = snapshot.entries.filter((e) => e.entityType === 'organization' || e.entityType === 'individual');
  const out = createWriteStream(file);
  const hitEvery = Math.floor(COUNT / HITS);
  let hits = 0;
  for (let i = 0; i < COUNT; i++) {
    const id = `cust-${String(i).padStart(8, '0')}`;
    let c: Record<string, unknown>;
    if (i % hitEvery === 0 && hits < HITS) {
      const e = listed[Math.floor(r() * listed.length)]!;
      hits += 1;
      c = { id, name: e.name, type: e.entityType === 'individual' ? 'individual' : 'organization', ...(e.addresses[0]?.country ? { country: e.addresses[0].country } : {}) };
    } else if (r() < 0.45) {
      c = { id, name: `${pick(GIVEN)} ${r() < 0.2 ? `${pick(GIVEN)} ` : ''}${pick(FAMILY)}`, type: 'individual', country: pick(COUNTRIES) };
    } else {
      c = { id, name: `${pick(ORG_A)} ${pick(ORG_B)} ${pick(ORG_C)}`, country: pick(COUNTRIES) };
      if (r() < 0.3) c.parents = [{ name: `${pick(ORG_A)} ${pick(['Holdings', 'Group', 'Partners'])} ${pick(ORG_C)}`, country: pick(COUNTRIES), ownership: 0.6 }];
      if (r() < 0.2) c.beneficialOwners = [{ name: `${pick(GIVEN)} ${pick(FAMILY)}`, ownership: 0.3 }];
    }
    if (!out.write(JSON.stringify(c) + "\n")) await new Promise<void>((res) => out.once("drain", () => res()));
  }
  await new Promise<void>((res) => out.end(res));
  return hits;
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'kycgate-bench-rescreen-'));
  const dbName = `kycgate_bench_${randomUUID().slice(0, 8)}`;
  const prefix = `{kbench-${randomUUID().slice(0, 6)}}`;
  const env = {
    ...process.env,
    DATABASE_URL: `postgres://root@127.0.0.1:5432/${dbName}`,
    REDIS_URL: 'redis://127.0.0.1:6379',
    KYCGATE_QUEUE_PREFIX: prefix,
    KYCGATE_DATA_DIR: path.join(dir, 'data'),
    KYCGATE_SEED_DIR: SEED,
    KYCGATE_LOG_LEVEL: 'error',
    KYCGATE_RESCREEN_CHUNK: String(CHUNK),
  };
  const admin = new pg.Client({ host: '127.0.0.1', user: 'root', database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const config = loadConfig(env as Record<string, string>);
  const logger = createLogger('silent');
  const conn = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const queues = openQueues(conn, prefix);
  const ledger = new RescreenLedger(conn, prefix);
  const children: ChildProcess[] = [];
  let db: Awaited<ReturnType<typeof openDatabase>> | undefined;
  const result: Record<string, unknown> = { count: COUNT, chunk: CHUNK, cpus: cpus().length, listHitsPlanted: 0 };
  try {
    const { snapshot } = await importFiles(await readSeedDir(SEED), config, logger);
    const file = path.join(dir, 'customers.ndjson');
    let t = performance.now();
    result.listHitsPlanted = await writeCustomers(file, snapshot);
    process.stderr.write(`generated ${COUNT} customers in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);

    // the same customers in PostgreSQL (as recorded screenings leave them), then filed in the name token index
    db = await openDatabase(config, logger);
    t = performance.now();
    let ids: string[] = [];
    let datas: string[] = [];
    let fps: string[] = [];
    const flushRows = async () => {
      if (ids.length === 0) return;
      await db!.query(
        `INSERT INTO customers (id, data, fingerprint, first_seen, last_screened, last_screening_id)
         SELECT id, data, fp, now(), now(), 'bench' FROM unnest($1::text[], $2::jsonb[], $3::text[]) AS t(id, data, fp)`,
        [ids, datas, fps],
      );
      ids = [];
      datas = [];
      fps = [];
    };
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      if (!line) continue;
      const customer = JSON.parse(line) as Customer;
      ids.push(customer.id);
      datas.push(line);
      // the fingerprint screening gives the customer, as its recorded screenings leave it
      fps.push(customerFingerprint(customer));
      if (ids.length >= 5000) await flushRows();
    }
    await flushRows();
    result.loadDbSeconds = Math.round((performance.now() - t) / 10) / 100;
    t = performance.now();
    const filed = await backfillNameTokens(db, 5000);
    result.tokenIndexSeconds = Math.round((performance.now() - t) / 10) / 100;
    const { rows: tokRows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM customer_name_tokens');
    const { rows: keyRows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM name_token_keys');
    result.tokenIndexRows = { customerTokens: Number(tokRows[0]!.n), keys: Number(keyRows[0]!.n) };
    process.stderr.write(`loaded into PostgreSQL in ${result.loadDbSeconds} s; ${filed} customers filed in the name token index in ${result.tokenIndexSeconds} s (${JSON.stringify(result.tokenIndexRows)})\n`);

    const startWorkers = async (n: number) => {
      const ps = await Promise.all(
        Array.from({ length: n }, () => {
          const p = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/rescreen-worker.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
          children.push(p);
          return new Promise<ChildProcess>((res, rej) => {
            p.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && res(p));
            p.once('exit', (code) => rej(new Error(`worker exited (${code})`)));
          });
        }),
      );
      return ps;
    };
    const stop = async (ps: ChildProcess[]) => {
      await Promise.all(ps.map((p) => new Promise((res) => (p.once('exit', res), p.kill('SIGTERM')))));
    };
    const waitRun = async (runId: string, total: number) => {
      for (;;) {
        const rec = await ledger.readRun(runId);
        if ((rec?.doneChunks ?? 0) >= total) return rec!;
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    const perSecond: Record<string, number> = {};
    const fullSeconds: Record<string, number> = {};
    let outcomes: unknown;
    for (const n of WORKERS) {
      const ps = await startWorkers(n);
      t = performance.now();
      // workers screen only on the snapshot they serve: the real id; a hard link of the export per worker count
      // is another source, hence its own run (nothing skipped as already done)
      const runFile = path.join(dir, `customers-w${n}.ndjson`);
      await link(file, runFile);
      const plan = await planFullRescreen({ config, queues, ledger, logger }, snapshot.id, { kind: 'file', path: runFile, format: 'ndjson' }, { trigger: 'manual' });
      const rec = await waitRun(plan.runId, plan.totalChunks);
      const secs = (performance.now() - t) / 1000;
      fullSeconds[n] = Math.round(secs * 100) / 100;
      perSecond[n] = Math.round(rec.screened / secs);
      outcomes = rec.outcomes;
      process.stderr.write(`full rescreen, ${n} worker process(es): ${rec.screened} customers in ${secs.toFixed(1)} s = ${perSecond[n]}/s, outcomes ${JSON.stringify(rec.outcomes)}, errors ${rec.errors}\n`);
      if (n !== WORKERS[WORKERS.length - 1]) await stop(ps);
    }
    let fullDbSeconds: number | undefined;
    if (FULL_DB) {
      // the same full rescreen reading the customers table (with the last worker count's processes)
      t = performance.now();
      const plan = await planFullRescreen({ config, queues, ledger, logger, db }, snapshot.id, { kind: 'db' }, { trigger: 'manual' });
      const rec = await waitRun(plan.runId, plan.totalChunks);
      fullDbSeconds = Math.round(((performance.now() - t) / 1000) * 100) / 100;
      process.stderr.write(`full rescreen from PostgreSQL, ${WORKERS[WORKERS.length - 1]} worker process(es): ${rec.screened} customers in ${fullDbSeconds} s\n`);
    }

    // delta: a previous snapshot without 50 entries → diff of 50 added entries
    const r = rng(7);
    const removedIdx = new Set<number>();
    const named = snapshot.entries.map((e, i) => ({ e, i })).filter(({ e }) => e.entityType === 'organization' || e.entityType === 'individual');
    while (removedIdx.size < 50) removedIdx.add(named[Math.floor(r() * named.length)]!.i);
    const previous: Snapshot = { ...snapshot, id: `${snapshot.id}-prev`, entries: snapshot.entries.filter((_, i) => !removedIdx.has(i)) };
    const diff = diffSnapshots(previous, snapshot);
    const engineLike = { ready: true, snapshot, index: buildIndex(snapshot.entries), screen: () => { throw new Error('unused'); }, swap: () => {} };
    // delta from the customers table: token index lookup, no scan
    t = performance.now();
    const dplan = await planDeltaRescreen({ config, queues, ledger, logger, db }, diff, { kind: 'db' }, { trigger: 'list-change', engine: engineLike });
    await waitRun(dplan.runId, dplan.totalChunks);
    const deltaSecs = (performance.now() - t) / 1000;
    process.stderr.write(`delta rescreen from PostgreSQL (${diff.added.length} added entries): ${dplan.totalCustomers} of ${dplan.baseCustomers} customers (${dplan.selection?.candidates} token-index candidates) in ${deltaSecs.toFixed(2)} s (selection ${(dplan.selectMs! / 1000).toFixed(2)} s)\n`);
    // delta from the export file: still one scan of the file
    t = performance.now();
    const fplan = await planDeltaRescreen({ config, queues, ledger, logger }, diff, { kind: 'file', path: file, format: 'ndjson' }, { trigger: 'list-change', engine: engineLike });
    await waitRun(fplan.runId, fplan.totalChunks);
    const deltaFileSecs = (performance.now() - t) / 1000;
    await stop(children.filter((c) => c.exitCode === null));
    process.stderr.write(`delta rescreen from the export file: ${fplan.totalCustomers} of ${fplan.baseCustomers} customers in ${deltaFileSecs.toFixed(2)} s (selection ${(fplan.selectMs! / 1000).toFixed(2)} s)\n`);

    const base = WORKERS[0]!;
    Object.assign(result, {
      customersPerSecond: perSecond,
      fullSeconds,
      deltaSeconds: Math.round(deltaSecs * 100) / 100,
      deltaSelectSeconds: Math.round((dplan.selectMs ?? 0) / 10) / 100,
      deltaDiffEntries: diff.added.length + diff.changed.length + diff.removed.length,
      deltaRescreened: dplan.totalCustomers,
      deltaBase: dplan.baseCustomers,
      deltaCandidates: dplan.selection?.candidates,
      deltaSpeedup: Math.round((fullSeconds[base]! / deltaSecs) * 10) / 10,
      deltaSpeedupVs: `full rescreen of the export file with ${base} worker process(es); delta from PostgreSQL via the name token index`,
      ...(fullDbSeconds !== undefined ? { fullDbSeconds, fullDbWorkers: WORKERS[WORKERS.length - 1], deltaSpeedupVsFullDb: Math.round((fullDbSeconds / deltaSecs) * 10) / 10 } : {}),
      deltaFile: {
        seconds: Math.round(deltaFileSecs * 100) / 100,
        selectSeconds: Math.round((fplan.selectMs ?? 0) / 10) / 100,
        rescreened: fplan.totalCustomers,
        speedup: Math.round((fullSeconds[base]! / deltaFileSecs) * 10) / 10,
      },
      outcomes,
      extrapolated1M: COUNT < 1_000_000 ? Object.fromEntries(Object.entries(perSecond).map(([k, v]) => [k, `${Math.round(1_000_000 / v)} s at the measured rate`])) : undefined,
      measuredAt: new Date().toISOString(),
    });
    await writeResult('rescreen', result);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    const keys = await conn.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 1000) await conn.del(...keys.slice(i, i + 1000));
    await queues.close();
    conn.disconnect();
    await new Promise((r) => setTimeout(r, 500));
    await db?.close().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
