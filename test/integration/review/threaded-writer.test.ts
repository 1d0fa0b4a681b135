// ThreadedScreeningWriter on real PostgreSQL: write-behind batches recorded from a worker thread, idempotent, read back, refused connections, decisionStore, process exit.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../../src/config.js';
import { DecisionRecorder } from '../../../src/http/middleware/decision-recorder.js';
import type { Customer, Decision } from '../../../src/model/index.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { openDatabase } from '../../../src/store/database.js';
import { readAudit } from '../../../src/store/repos/audit-repo.js';
import { connectPg, pgDb } from '../../../src/store/pg-db.js';
import { verifyAudit } from '../../../src/store/services/audit-service.js';
import { ReviewService } from '../../../src/store/services/review-service.js';
import { ThreadedScreeningWriter, WriterError, decisionStore } from '../../../src/store/threaded-writer.js';
import { threadNices } from '../../proc-threads.js';
import { createTestDatabase, decisionFor, type TestDatabase } from './helpers.js';

const logger = createLogger('silent');
/** Nothing listens on port 1: connections are refused at once. */
const REFUSED_URL = 'postgres://root@127.0.0.1:1/none';
const ROOT = path.resolve(import.meta.dirname, '../../..');

let t: TestDatabase;
let review: ReviewService;
const writers: ThreadedScreeningWriter[] = [];
const recorders: DecisionRecorder[] = [];

/** A writer closed in `after` whatever the test did. */
function writer(url: string, opts: ConstructorParameters<typeof ThreadedScreeningWriter>[2] = {}): ThreadedScreeningWriter {
  const w = new ThreadedScreeningWriter(url, logger, opts);
  writers.push(w);
  return w;
}

function recorder(store: ConstructorParameters<typeof DecisionRecorder>[0], opts: ConstructorParameters<typeof DecisionRecorder>[2] = {}): DecisionRecorder {
  const r = new DecisionRecorder(store, logger, opts);
  recorders.push(r);
  return r;
}

before(async () => {
  t = await createTestDatabase();
  review = new ReviewService(t.db);
});
after(async () => {
  for (const r of recorders) await r.close(10).catch(() => {});
  for (const w of writers) await w.close().catch(() => {});
  await t?.drop();
});

async function auditRows() {
  const rows = [];
  for await (const r of readAudit(t.db)) rows.push(r);
  return rows;
}

const screeningCount = async (like: string) =>
  Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM screenings WHERE customer_id LIKE $1', [like])).rows[0]!.n);

/** Allow decisions of `n` distinct, unlisted customers (as the engine's fast path makes them: no hits, no reasons). */
function allows(prefix: string, n: number): { customer: Customer; decision: Decision }[] {
  return Array.from({ length: n }, (_, i) => {
    const customer: Customer = { id: `${prefix}-${i}`, name: `Quiet Meadow Compute ${i} Ltd`, country: 'GB' };
    const decision = decisionFor(customer, []);
    assert.equal(decision.outcome, 'allow');
    return { customer, decision };
  });
}

describe('DecisionRecorder on a ThreadedScreeningWriter', () => {
  test('a batch of allows lands in PostgreSQL with one audit row each; writing the same screenings again records nothing', async () => {
    const w = writer(t.url);
    const rec = recorder(w, { flushIntervalMs: 100_000, batchSize: 10 });
    const items = allows('thr', 25);
    const beforeRows = (await auditRows()).length;
    for (const it of items) rec.enqueue(it.customer, it.decision, 'svc-thread');
    assert.equal(rec.buffered, 25);
    assert.equal(rec.pending(items[7]!.decision.screeningId)?.screeningId, items[7]!.decision.screeningId, 'readable while buffered');
    await rec.flush();
    assert.equal(rec.buffered, 0, 'every chunk was written');
    assert.equal(rec.healthy, true);
    assert.equal(rec.pending(items[7]!.decision.screeningId), undefined);

    // read on the main thread, through its own pool
    for (const it of items) {
      const stored = await review.getScreening(it.decision.screeningId);
      assert.deepEqual(stored, it.decision, `screening ${it.decision.screeningId} stored as decided`);
    }
    const { rows: customers } = await t.db.query<{ id: string; last_screening_id: string }>('SELECT id, last_screening_id FROM customers WHERE id LIKE $1', ['thr-%']);
    assert.equal(customers.length, 25);
    for (const it of items) assert.equal(customers.find((c) => c.id === it.customer.id)?.last_screening_id, it.decision.screeningId);

    const rows = (await auditRows()).slice(beforeRows);
    const recorded = rows.filter((r) => r.action === 'screening.recorded');
    assert.equal(recorded.length, 25);
    for (const it of items) {
      const row = recorded.find((r) => r.target === `screening:${it.decision.screeningId}`);
      assert.ok(row, `audit row of ${it.decision.screeningId}`);
      assert.equal(row.actor, 'svc-thread');
      assert.equal(row.before, null, 'a new customer has no previous fingerprint');
      const a = row.after as Record<string, unknown>;
      assert.deepEqual(Object.keys(a).sort(), ['cases', 'customerId', 'decisionSha256', 'fingerprint', 'lists', 'outcome', 'policy', 'policyVersion']);
      assert.equal(a['customerId'], it.customer.id);
      assert.equal(a['outcome'], 'allow');
      assert.deepEqual(a['cases'], []);
    }
    assert.deepEqual(await verifyAudit(t.db), { ok: true, rows: beforeRows + rows.length });

    // idempotent: the same screening ids again, directly and through a recorder, store nothing twice
    const auditBefore = (await auditRows()).length;
    assert.deepEqual(await w.recordScreenings(items.map((it) => ({ ...it, actor: 'svc-thread' }))), { recorded: 0 });
    for (const it of items.slice(0, 5)) rec.enqueue(it.customer, it.decision, 'svc-thread');
    await rec.flush();
    assert.equal(rec.buffered, 0);
    assert.equal(await screeningCount('thr-%'), 25);
    assert.equal((await auditRows()).length, auditBefore, 'no audit row for a screening already stored');
  });

  test('with the default flush interval an enqueued allow waits briefly, then is written without an explicit flush', async () => {
    const w = writer(t.url);
    assert.equal(await w.getScreening('scr-warm-up'), undefined, 'thread started');
    const rec = recorder(w);
    const [it] = allows('thr-timer', 1);
    rec.enqueue(it!.customer, it!.decision, 'svc-thread');
    // a timer set after the recorder's fires first when it is shorter: at 50 ms the batch is still gathering
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(rec.buffered, 1, 'still buffered 50 ms after enqueue (default interval 100 ms)');
    let stored: Decision | undefined;
    for (const t0 = Date.now(); !stored && Date.now() - t0 < 3000; ) {
      await new Promise((r) => setTimeout(r, 25));
      stored = await review.getScreening(it!.decision.screeningId);
    }
    assert.equal(stored?.screeningId, it!.decision.screeningId, 'written by the recorder’s own timer');
    assert.equal(rec.buffered, 0);
  });

  test('writer.getScreening returns the stored decision (and undefined for an unknown id)', async () => {
    const w = writer(t.url);
    const [it] = allows('thr-get', 1);
    await review.recordScreening(it!.customer, it!.decision, 'main');
    assert.deepEqual(await w.getScreening(it!.decision.screeningId), it!.decision);
    assert.equal(await w.getScreening('scr-not-stored'), undefined);
    // and what the thread wrote, it reads back
    const [other] = allows('thr-get2', 1);
    assert.deepEqual(await w.recordScreenings([{ ...other!, actor: 'svc-thread' }]), { recorded: 1 });
    assert.deepEqual(await w.getScreening(other!.decision.screeningId), other!.decision);
  });
});

describe('a writer whose PostgreSQL refuses connections', () => {
  test('recordScreenings rejects with the driver error; a recorder on it turns unhealthy and keeps the decisions', async () => {
    const w = writer(REFUSED_URL, { connectTimeoutMs: 500 });
    const [one] = allows('thr-down', 1);
    const t0 = Date.now();
    await assert.rejects(w.recordScreenings([{ ...one!, actor: 'svc' }]), (err: unknown) => {
      assert.ok(err instanceof WriterError, String(err));
      assert.equal(err.code, 'ECONNREFUSED');
      assert.match(err.message, /ECONNREFUSED/);
      return true;
    });
    assert.ok(Date.now() - t0 < 5000, 'failed fast, did not hang');

    const rec = recorder(w, { flushIntervalMs: 100_000, retryMs: 100_000 });
    const items = allows('thr-down', 3);
    for (const it of items) rec.enqueue(it.customer, it.decision, 'svc');
    assert.equal(rec.healthy, true, 'healthy until a write fails');
    await rec.flush();
    assert.equal(rec.healthy, false);
    assert.equal(rec.buffered, 3, 'kept for retry');
    assert.equal(rec.pending(items[1]!.decision.screeningId)?.screeningId, items[1]!.decision.screeningId);
    // a retry fails the same way and still keeps them
    await rec.flush();
    assert.equal(rec.healthy, false);
    assert.equal(rec.buffered, 3);
  });
});

describe('writer thread life cycle', () => {
  test('close() ends the thread after the call in flight: the call resolves and its row is stored', async () => {
    const w = writer(t.url);
    const [it] = allows('thr-close', 1);
    const write = w.recordScreenings([{ ...it!, actor: 'svc' }]);
    await w.close();
    assert.deepEqual(await write, { recorded: 1 });
    assert.deepEqual(await review.getScreening(it!.decision.screeningId), it!.decision);
    await assert.rejects(w.recordScreenings([{ ...it!, actor: 'svc' }]), /closed/, 'a closed writer takes no more work');
  });

  test('a thread that dies fails the call in hand; the next call starts a new thread', async () => {
    // an unparsable URL makes the thread throw while starting (new URL() in createPgPool); each thread's failure is logged once
    const lines: { msg: string }[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
    const w = new ThreadedScreeningWriter('postgres://root@[bad-host/none', pino({ level: 'error' }, sink), { connectTimeoutMs: 500 });
    writers.push(w);
    const [it] = allows('thr-dies', 1);
    const t0 = Date.now();
    await assert.rejects(w.recordScreenings([{ ...it!, actor: 'svc' }]), /Invalid URL/);
    const failures = () => lines.filter((l) => /writer thread failed/.test(l.msg)).length;
    assert.equal(failures(), 1);
    await assert.rejects(w.getScreening(it!.decision.screeningId), /Invalid URL/);
    assert.equal(failures(), 2, 'the second call started (and lost) a second thread instead of reusing the dead one');
    assert.ok(Date.now() - t0 < 10_000, 'neither call hung');
  });
});

describe('the writer thread\'s CPU priority', () => {
  test('the thread lowers itself to the nice value it is given (the default 10, or 7); the event loop keeps 0', { skip: !existsSync('/proc/thread-self') && 'needs /proc (Linux)' }, async () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }));
    /**
     * Nice values other than 0 among the threads started by `fn` (the thread ids it added: earlier writers' threads are
     * left out, and so are helper threads started at 0 meanwhile, e.g. libuv's pool on first use).
     */
    const startedBy = async (fn: () => Promise<unknown>) => {
      const before = new Set(threadNices().keys());
      await fn();
      return [...threadNices()].flatMap(([tid, nice]) => (before.has(tid) || nice === 0 ? [] : [nice]));
    };
    const [a, b] = allows('thr-nice', 2);
    const seven = new ThreadedScreeningWriter(t.url, sink, { nice: 7 });
    writers.push(seven);
    assert.deepEqual(await startedBy(async () => assert.deepEqual(await seven.recordScreenings([{ ...a!, actor: 'svc' }]), { recorded: 1 })), [7], 'the writer thread, at nice 7');
    const byDefault = writer(t.url);
    assert.deepEqual(await startedBy(async () => assert.deepEqual(await byDefault.recordScreenings([{ ...b!, actor: 'svc' }]), { recorded: 1 })), [10], 'the default: nice 10');
    assert.equal(threadNices().get(process.pid), 0, 'the main thread keeps its priority');
    assert.deepEqual(lines.filter((l) => /could not lower/.test(l.msg)), [], 'no warning where the priority was set');
  });
});

describe('decisionStore', () => {
  const ON = { KYCGATE_RECORDER_THREAD: true, KYCGATE_RECORDER_NICE: 10 };
  test('the review service itself when the thread is off or the database has no URL; a writer thread on db.url otherwise', async () => {
    // openDatabase on PostgreSQL remembers the URL it opened
    const opened = await openDatabase(loadConfig({ DATABASE_URL: t.url, KYCGATE_LOG_LEVEL: 'silent' }), logger, { migrate: false });
    const noUrl = pgDb(await connectPg(t.url, { max: 1 }));
    try {
      assert.equal(opened.kind, 'postgres');
      assert.equal(opened.url, t.url);
      assert.equal(noUrl.url, undefined);
      const svc = new ReviewService(opened);

      const off = decisionStore(opened, svc, { ...ON, KYCGATE_RECORDER_THREAD: false }, logger);
      assert.equal(off.store, svc);
      await off.close();
      const bare = decisionStore(noUrl, svc, ON, logger);
      assert.equal(bare.store, svc);
      await bare.close();
      assert.equal(decisionStore({}, svc, ON, logger).store, svc);

      const on = decisionStore(opened, svc, ON, logger);
      try {
        assert.ok(on.store instanceof ThreadedScreeningWriter);
        const [it] = allows('thr-store', 1);
        assert.deepEqual(await on.store.recordScreenings([{ ...it!, actor: 'svc' }]), { recorded: 1 });
        assert.deepEqual(await review.getScreening(it!.decision.screeningId), it!.decision, 'written to the database at db.url');
      } finally {
        await on.close();
      }
      // after close the writer refuses work instead of starting a new thread
      await assert.rejects((on.store as ThreadedScreeningWriter).getScreening('x'), WriterError);
    } finally {
      await opened.close();
      await noUrl.close();
    }
  });
});

describe('the writer thread and process exit', () => {
  /** Runs a plain node process (tsx loader) that records one allow through a writer; resolves with its exit code and time. */
  async function child(customer: Customer, decision: Decision, callClose: boolean): Promise<{ code: number | null; ms: number; stderr: string; stdout: string }> {
    const src = (p: string) => JSON.stringify(pathToFileURL(path.join(ROOT, p)).href);
    // CommonJS --eval (Node 20 refuses --input-type=module together with --import) importing the ESM sources
    const script = `
      (async () => {
        const { ThreadedScreeningWriter } = await import(${src('src/store/threaded-writer.ts')});
        const { createLogger } = await import(${src('src/runtime/logger.ts')});
        const w = new ThreadedScreeningWriter(${JSON.stringify(t.url)}, createLogger('silent'));
        const res = await w.recordScreenings([{ customer: ${JSON.stringify(customer)}, decision: ${JSON.stringify(decision)}, actor: 'child' }]);
        console.log('recorded', res.recorded);
        ${callClose ? 'await w.close(); console.log("closed");' : ''}
      })().catch((err) => { console.error(err); process.exitCode = 2; });
    `;
    const t0 = Date.now();
    const p = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += String(d)));
    p.stderr.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => p.kill('SIGKILL'), 15_000);
      p.once('exit', (c) => {
        clearTimeout(killer);
        resolve(c);
      });
    });
    return { code, ms: Date.now() - t0, stderr, stdout };
  }

  test('a process that records through the writer and closes it exits by itself; the row is stored', async () => {
    const [it] = allows('thr-child', 1);
    const r = await child(it!.customer, it!.decision, true);
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stdout, /recorded 1\nclosed/);
    assert.ok(r.ms < 8000, `the process took ${r.ms} ms to exit`);
    assert.deepEqual(await review.getScreening(it!.decision.screeningId), it!.decision);
  });

  test('without close() the idle thread does not hold the process open either', async () => {
    const [it] = allows('thr-child-open', 1);
    const r = await child(it!.customer, it!.decision, false);
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stdout, /recorded 1/);
    assert.ok(r.ms < 8000, `the process took ${r.ms} ms to exit`);
    assert.deepEqual(await review.getScreening(it!.decision.screeningId), it!.decision);
  });
});
