// Worker-thread side of the threaded decision writer: its own PostgreSQL pool; records each batch the main thread sends.
import { parentPort, workerData } from 'node:worker_threads';
import { createPgPool, pgDb } from './pg-db.js';
import { ReviewService } from './services/review-service.js';
import { lowerThreadPriority } from './thread-priority.js';
import type { WriterReady, WriterReply, WriterRequest, WriterSetup } from './threaded-writer.js';

const setup = workerData as WriterSetup;
// first, so that even the pool's set-up runs at the lower priority
const nice = setup.nice > 0 ? (lowerThreadPriority(setup.nice) ?? null) : 0;
const db = pgDb(createPgPool(setup.url, { max: setup.poolSize, connectTimeoutMs: setup.connectTimeoutMs }), setup.url);
const review = new ReviewService(db);
const port = parentPort!;

port.on('message', (msg: WriterRequest) => {
  if (msg.op === 'close') {
    void db.close().finally(() => port.close());
    return;
  }
  const work: Promise<unknown> = msg.op === 'recordScreenings' ? review.recordScreenings(msg.items) : review.getScreening(msg.screeningId);
  work.then(
    (result) => port.postMessage({ id: msg.id, ok: true, result } satisfies WriterReply),
    (err: unknown) => {
      const e = err as { message?: unknown; code?: unknown };
      port.postMessage({ id: msg.id, ok: false, message: String(e?.message ?? err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) } satisfies WriterReply);
    },
  );
});
port.postMessage({ ready: true, nice } satisfies WriterReady);
