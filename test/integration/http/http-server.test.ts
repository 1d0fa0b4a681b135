// createHttpServer: requests arrive with the app's prototypes already in place, and Express behaves as under app.listen.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { createHttpServer } from '../../../src/http/http-server.js';
import { problemHandler } from '../../../src/http/problem.js';
import { createLogger } from '../../../src/runtime/logger.js';

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
