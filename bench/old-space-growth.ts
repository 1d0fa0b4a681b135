// Benchmark (diagnosis): how fast the old generation grows per request for a plain Node server, the router package, a minimal Express app, and Node's own handler on Express's prototypes.
//   node --import tsx bench/old-space-growth.ts [--rate 500] [--duration 10] [--out old-space-growth]
// Prints JSON; writes bench/results/<out>.json. Loopback only; no database, no lists.
import http from 'node:http';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import express from 'express';
import { arg, forkServer, type OldSpaceGrowth, oldSpaceGrowthKBPerRequest, pacedLoad, stopServer, trackOldSpaceGrowth, writeResult } from './kit.js';
import { createHttpServer } from '../src/http/http-server.js';

const REPLY = JSON.stringify({ id: 'i-0001', status: 'provisioning' });
const BODY = JSON.stringify({ accountId: 'acct-1', org: 'Blue River Cloud Inc', country: 'US', gpu: 'H100-SXM', count: 8, hours: 24, purpose: 'inference' });

/** Reads the body, answers 201 with a fixed JSON: the same work in every variant but the framework. */
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  req.resume();
  req.on('end', () => {
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(REPLY);
  });
}

/** The server variants, each in its own process. */
const VARIANTS: Record<string, () => http.Server> = {
  /** Node's http server, nothing else. */
  node: () => http.createServer(handler),
  /** Express 5's router (the `router` package) alone, on Node's http server: no Express app around it. */
  router: () => {
    const router = express.Router();
    router.post('/v1/instances', handler);
    const route = router as unknown as (req: http.IncomingMessage, res: http.ServerResponse, done: () => void) => void;
    return http.createServer((req, res) => route(req, res, () => res.writeHead(404).end()));
  },
  /** A minimal Express app (one route), served like kycgate serves its app (createHttpServer). */
  express: () => {
    const app = express();
    app.disable('x-powered-by');
    app.post('/v1/instances', handler);
    return createHttpServer(app);
  },
  /** The same minimal app with `app.listen`'s plain http.createServer (Express swaps the prototypes per request). */
  'express-listen': () => {
    const app = express();
    app.disable('x-powered-by');
    app.post('/v1/instances', handler);
    return http.createServer(app);
  },
  /** Node's handler on requests and responses of trivial subclasses (a prototype level of their own, nothing on it). */
  'node-subclasses': () => http.createServer({ IncomingMessage: class Request extends http.IncomingMessage {}, ServerResponse: class Response extends http.ServerResponse {} }, handler),
  /**
   * Node's handler; requests and responses built by `Reflect.construct` with a `new.target` that is also the function
   * Node calls with `new` (how createHttpServer built them before; prototypes: empty objects over Node's).
   */
  'node-self-new-target': () => {
    function Request(socket: unknown) {
      return Reflect.construct(http.IncomingMessage, [socket], Request) as http.IncomingMessage;
    }
    Request.prototype = Object.create(http.IncomingMessage.prototype) as object;
    function Response(req: unknown, opts: unknown) {
      return Reflect.construct(http.ServerResponse, [req, opts], Response) as http.ServerResponse;
    }
    Response.prototype = Object.create(http.ServerResponse.prototype) as object;
    return http.createServer({ IncomingMessage: Request as unknown as typeof http.IncomingMessage, ServerResponse: Response as unknown as typeof http.ServerResponse }, handler);
  },
  /** No Express code per request: Node's handler, requests and responses built by createHttpServer on an Express app's prototypes. */
  'node-on-express-prototypes': () => {
    const server = createHttpServer(express());
    server.removeAllListeners('request');
    server.on('request', handler);
    return server;
  },
};

/** Server side: serves one variant; on 'stats', reports old-space growth between consecutive scavenges (and major GCs) since the last report. */
async function server(variant: string): Promise<void> {
  const s = VARIANTS[variant]!();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const oldSpace = trackOldSpaceGrowth();
  let majors = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors += 1;
  }).observe({ entryTypes: ['gc'] });
  process.on('message', (msg) => {
    if (msg === 'stats') {
      process.send!({ ...oldSpace.take(), majors });
      majors = 0;
    } else if (msg === 'stop') s.close(() => process.exit(0));
  });
  process.send!({ port: (s.address() as { port: number }).port });
}

async function main(): Promise<void> {
  const rate = Number(arg('rate', '500'));
  const duration = Number(arg('duration', '10'));
  const results: Record<string, unknown> = {};
  for (const variant of Object.keys(VARIANTS)) {
    const { child, ready } = await forkServer<{ port: number }>(import.meta.filename, { BENCH_VARIANT: variant });
    try {
      const url = `http://127.0.0.1:${ready.port}`;
      const request = () => ({ method: 'POST', path: '/v1/instances', headers: { 'content-type': 'application/json' }, body: BODY });
      const ask = async () => {
        child.send('stats');
        return (await new Promise((resolve) => child.once('message', resolve))) as OldSpaceGrowth & { majors: number };
      };
      await pacedLoad({ url, rate, duration: 3, perTick: 10, request }); // warm-up
      await ask();
      const run = await pacedLoad({ url, rate, duration, perTick: 10, request });
      const s = await ask();
      results[variant] = {
        oldSpaceGrowthKBPerRequest: oldSpaceGrowthKBPerRequest(s, run.total),
        oldSpaceGrowthKBPerScavenge: Number((s.intervals > 0 ? s.bytes / s.intervals / 1024 : 0).toFixed(0)),
        scavenges: s.scavenges,
        majorGCs: s.majors,
        requests: run.total,
        p50Ms: run.p50Ms,
        p99Ms: run.p99Ms,
        non2xx: run.non2xx,
      };
    } finally {
      await stopServer(child);
    }
  }
  await writeResult(arg('out', 'old-space-growth'), {
    bench: 'old-space-growth',
    what: 'old-generation growth between consecutive scavenges per request (promotion plus direct old-space allocation), per server variant; one process each',
    when: new Date().toISOString(),
    setup: { rate, durationSeconds: duration, pacing: 'even (bench/kit.ts pacedLoad)', nodeFlags: arg('node-flags', ''), node: process.version },
    variants: results,
  });
}

if (process.argv.includes('--server')) await server(process.env['BENCH_VARIANT']!);
else await main();
