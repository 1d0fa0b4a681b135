// createHttpServer: requests arrive with the app's prototypes already in place, and Express behaves as under app.listen.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import express from 'express';
import { createHttpServer } from '../../../src/http/http-server.js';
import { problemHandler } from '../../../src/http/problem.js';
import { createLogger } from '../../../src/runtime/logger.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** A small app: JSON body, res.locals, req.ip, a sub-router, the problem handler; records each request's prototype on arrival. */
function app(): { app: express.Express; arrived: boolean[] } {
  const a = express();
  const arrived: boolean[] = [];
  a.use(express.json({ limit: 1000 }));
  const r = express.Router();
  r.post('/echo', (req, res) => {
    res.locals['n'] = (req.body as { n: number }).n + 1;
    res.status(201).json({ n: res.locals['n'], ip: req.ip, json: req.is('application/json'), path: req.path });
  });
  a.use('/v1', r);
  a.use(problemHandler(createLogger('silent', { component: 'test' })));
  return { app: a, arrived };
}

async function serve(server: http.Server): Promise<{ url: string; close: () => Promise<void> }> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Whether each request's prototype was already the app's, seen before Express handles it. */
function watchArrivals(server: http.Server, a: express.Express, arrived: boolean[]): void {
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    arrived.push(Object.getPrototypeOf(req) === a.request && Object.getPrototypeOf(res) === a.response);
  });
}

test('requests and responses are constructed with app.request / app.response (plain createServer: they are not)', async () => {
  for (const [make, expected] of [
    [createHttpServer, true],
    [(x: express.Express) => http.createServer(x), false],
  ] as const) {
    const { app: a, arrived } = app();
    const server = make(a);
    watchArrivals(server, a, arrived);
    const s = await serve(server);
    try {
      const res = await fetch(`${s.url}/v1/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
      assert.equal(res.status, 201);
      assert.deepEqual(arrived, [expected]);
    } finally {
      await s.close();
    }
  }
});

test('Express works as under app.listen: body, locals, req.ip, mounted router, keep-alive, problem+json errors', async () => {
  const { app: a, arrived } = app();
  const server = createHttpServer(a, { keepAliveTimeout: 5000 });
  watchArrivals(server, a, arrived);
  const s = await serve(server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: string) =>
    new Promise<{ status: number; type: string; body: string; socket: unknown }>((resolve, reject) => {
      const req = http.request(`${s.url}/v1/echo`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body: text, socket: req.socket }));
      });
      req.on('error', reject);
      req.end(body);
    });
  try {
    const results: Awaited<ReturnType<typeof post>>[] = [];
    for (let n = 0; n < 3; n++) results.push(await post(JSON.stringify({ n })));
    assert.deepEqual(
      results.map((r) => JSON.parse(r.body)),
      [0, 1, 2].map((n) => ({ n: n + 1, ip: '127.0.0.1', json: 'application/json', path: '/echo' })),
    );
    assert.ok(results.every((r) => r.socket === results[0]!.socket), 'the three requests share one keep-alive connection');
    const bad = await post('{"n":');
    assert.equal(bad.status, 400);
    assert.match(bad.type, /application\/problem\+json/);
    const big = await post(JSON.stringify({ n: 1, pad: 'x'.repeat(2000) }));
    assert.equal(big.status, 413);
    assert.deepEqual(arrived, [true, true, true, true, true]);
  } finally {
    agent.destroy();
    await s.close();
  }
});

test('app.request keeps what it had (req.app, additions made before), and a second server for the same app shares its classes', async () => {
  const a = express();
  (a.request as unknown as { tenant: () => string }).tenant = () => 'acme';
  a.get('/who', (req, res) => {
    res.json({ sameApp: req.app === a, tenant: (req as unknown as { tenant: () => string }).tenant(), path: req.path, swapped: Object.getPrototypeOf(req) !== a.request });
  });
  const servers = [createHttpServer(a), createHttpServer(a)];
  const arrived: boolean[] = [];
  for (const server of servers) watchArrivals(server, a, arrived);
  const running = await Promise.all(servers.map(serve));
  try {
    for (const s of running) {
      const res = await fetch(`${s.url}/who`);
      assert.deepEqual(await res.json(), { sameApp: true, tenant: 'acme', path: '/who', swapped: false });
    }
    assert.deepEqual(arrived, [true, true]);
  } finally {
    await Promise.all(running.map((s) => s.close()));
  }
});

test('every request and every response of a server share one object layout (V8 map): none is built per request', () => {
  // V8's own answer, in a child process with natives syntax: the requests of two connections, and their responses
  const script = `
    import http from 'node:http';
    import express from 'express';
    import { createHttpServer } from './src/http/http-server.ts';
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)');
    const app = express();
    const seen = [];
    app.get('/', (req, res) => { seen.push([req, res]); res.end('ok'); });
    const server = createHttpServer(app).listen(0, '127.0.0.1', async () => {
      const url = 'http://127.0.0.1:' + server.address().port + '/';
      for (let i = 0; i < 2; i++) await fetch(url, { headers: { connection: 'close' } }).then((r) => r.text());
      console.log(JSON.stringify({ requests: sameMap(seen[0][0], seen[1][0]), responses: sameMap(seen[0][1], seen[1][1]) }));
      server.close();
    });`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { requests: true, responses: true });
});
