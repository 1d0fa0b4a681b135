// Admin routes on a real Express app, real PostgreSQL keys and real Redis: bull-board and POST /v1/lists/refresh are admin-only; a refresh is queued once per minute.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig } from '../../../src/config.js';
import { createAdminRouter } from '../../../src/http/admin-routes.js';
import { problemHandler } from '../../../src/http/problem.js';
import { createApiKey } from '../../../src/store/services/api-keys.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { openQueues, type KycQueues } from '../../../src/queue/queues.js';

const dbName = `kycgate_t_h6adm_${randomUUID().slice(0, 8)}`;
const prefix = `{h6adm-${randomUUID().slice(0, 6)}}`;
const logger = createLogger('silent');
const admin = new pg.Client({ host: '127.0.0.1', user: 'root', database: 'postgres' });
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
let db: Db;
let queues: KycQueues;
let app: express.Express;
let router: ReturnType<typeof createAdminRouter>;
let adminKey = '';
let officerKey = '';

before(async () => {
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const config = loadConfig({ DATABASE_URL: `postgres://root@127.0.0.1:5432/${dbName}`, KYCGATE_QUEUE_PREFIX: prefix, KYCGATE_LOG_LEVEL: 'silent' });
  db = await openDatabase(config, logger);
  adminKey = (await createApiKey(db, { role: 'admin', name: 'h6-admin' }, new Date())).key;
  officerKey = (await createApiKey(db, { role: 'officer', name: 'h6-officer' }, new Date())).key;
  queues = openQueues(redis, prefix);
  router = createAdminRouter({ config, logger, db, queues, redis, prefix, clock: () => new Date('2026-11-23T10:00:30Z') });
  app = express();
  app.use(router);
  app.use(problemHandler(logger));
});

after(async () => {
  await router.close();
  await queues.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
});

test('bull-board and refresh need the admin role: 401 without a key, 403 for an officer', async () => {
  for (const [method, path] of [['get', '/admin/queues'], ['post', '/v1/lists/refresh'], ['get', '/v1/lists/sources']] as const) {
    const anon = await request(app)[method](path);
    assert.equal(anon.status, 401, `${method} ${path} anonymous`);
    assert.match(anon.headers['content-type'] ?? '', /problem\+json/);
    const officer = await request(app)[method](path).set('Authorization', `Bearer ${officerKey}`);
    assert.equal(officer.status, 403, `${method} ${path} officer`);
  }
});

test('an admin sees bull-board with the three queues', async () => {
  const page = await request(app).get('/admin/queues').set('Authorization', `Bearer ${adminKey}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /<html/i);
  const api = await request(app).get('/admin/queues/api/queues').set('X-Api-Key', adminKey);
  assert.equal(api.status, 200);
  const names = (api.body.queues as { name: string }[]).map((q) => q.name).sort();
  assert.deepEqual(names, ['refresh', 'rescreen', 'screen']);
});

test('POST /v1/lists/refresh queues one job per source, idempotent within the minute; unknown source is 400', async () => {
  const r1 = await request(app).post('/v1/lists/refresh').set('Authorization', `Bearer ${adminKey}`).send({});
  assert.equal(r1.status, 202);
  assert.deepEqual(r1.body.jobs.map((j: { source: string }) => j.source), ['ofac-sdn', 'ofac-cons', 'csl', 'dpl']);
  const r2 = await request(app).post('/v1/lists/refresh').set('Authorization', `Bearer ${adminKey}`).send({ source: 'dpl' });
  assert.equal(r2.status, 202);
  assert.equal(await queues.refresh.count(), 4, 'the second request for dpl folded into the waiting one');
  const bad = await request(app).post('/v1/lists/refresh').set('Authorization', `Bearer ${adminKey}`).send({ source: 'nope' });
  assert.equal(bad.status, 400);
});
