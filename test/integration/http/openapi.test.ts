// Keeps /openapi.json in step with the Express routes: every route is documented, every documented path is routed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createAdminRouter } from '../../../src/http/admin-routes.js';
import { openApiDocument } from '../../../src/http/openapi.js';
import { REDIS_URL, startHarness, type Harness } from './harness.js';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  /** Express 5 (router 2): the path a layer was mounted with. */
  rawPath?: string | string[];
}

/**
 * Routes as `METHOD /path/{param}`. Routers mounted at the root are walked; a router mounted under a
 * path (bull-board's UI at /admin/queues) counts as that one path: its internal UI routes are not API.
 */
function walk(stack: Layer[], routes: Set<string>, mounts: Set<string>): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const p of paths) {
        for (const [m, on] of Object.entries(layer.route.methods)) {
          if (on && m !== '_all') routes.add(`${m.toUpperCase()} ${p.replace(/:(\w+)/g, '{$1}')}`);
        }
      }
    } else {
      const mount = typeof layer.rawPath === 'string' ? layer.rawPath : '/';
      if (mount !== '/') mounts.add(mount);
      else if (layer.handle?.stack) walk(layer.handle.stack, routes, mounts);
    }
  }
}

let h: Harness;
let app: Express;
let admin: ReturnType<typeof createAdminRouter>;
before(async () => {
  h = await startHarness({ redisUrl: REDIS_URL });
  admin = createAdminRouter({ config: h.config, logger: h.logger, db: h.db, prefix: h.prefix, url: REDIS_URL });
  app = h.app({ adminRouter: admin });
});
after(async () => {
  await admin.close();
  await h.close();
});

test('every Express route is in /openapi.json and every documented operation is routed', async () => {
  const served = await request(app).get('/openapi.json');
  assert.equal(served.status, 200);
  const doc = served.body as ReturnType<typeof openApiDocument>;
  assert.equal(doc.openapi, '3.1.0');
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths)) for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path}`);

  const routes = new Set<string>();
  const mounts = new Set<string>();
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, routes, mounts);
  assert.ok(routes.size >= 15, `walked ${routes.size} routes`);
  const undocumented = [...routes].filter((r) => !documented.has(r));
  assert.deepEqual(undocumented, [], 'routes missing from openapi.ts');
  for (const m of mounts) routes.add(`GET ${m}`);
  const unrouted = [...documented].filter((op) => !routes.has(op));
  assert.deepEqual(unrouted, [], 'documented operations with no route');
  assert.deepEqual([...mounts], ['/admin/queues']);
});

test('documented security matches behaviour: public operations answer without credentials, the others 401', async () => {
  const doc = openApiDocument('test');
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (path.includes('{') || path.startsWith('/review/')) continue;
    for (const [method, op] of Object.entries(ops as Record<string, { security?: unknown[] }>)) {
      const res = await request(app)[method as 'get' | 'post'](path).send({});
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      if (isPublic) assert.notEqual(res.status, 401, `${method} ${path} documented public`);
      else assert.equal(res.status, 401, `${method.toUpperCase()} ${path} documented protected but answered ${res.status}`);
    }
  }
});
