// Operations endpoints: /healthz (process up), /readyz (lists loaded + each dependency), /metrics, /openapi.json.
import { Router, type RequestHandler } from 'express';
import { within } from './middleware/deadline.js';
import { metrics } from './metrics.js';
import { openApiDocument } from './openapi.js';

export type DependencyState = 'up' | 'down' | 'disabled' | 'loading';

/** Live dependency probes; every one is optional (absent = not part of this deployment). */
export interface HealthProbes {
  /** Lists: id and creation time of the loaded snapshot, undefined while none is. */
  lists: () => { id: string; createdAt: string } | undefined;
  /** A cheap database round trip. */
  database?: () => Promise<unknown>;
  /** Redis state without a round trip. */
  redis?: () => DependencyState;
  /** Embedded workers. */
  workers?: () => DependencyState;
  /** Decisions waiting to be written (write-behind) and whether writing works. */
  recorder?: () => { healthy: boolean; buffered: number };
}

export interface OpsRouteDeps {
  probes: HealthProbes;
  /** Rate limiting etc. of /openapi.json. */
  public: RequestHandler[];
  /** Rate limiting of /healthz and /readyz: their own (generous) limiter, not the public one. @defaultValue `public` */
  probeLimiter?: RequestHandler[];
  metricsGuard: RequestHandler[];
  version: string;
}

export function createOpsRouter(deps: OpsRouteDeps): Router {
  const router = Router();
  const started = Date.now();
  const probe = deps.probeLimiter ?? deps.public;

  router.get('/healthz', ...probe, function healthz(_req, res) {
    res.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000) });
  });

  router.get('/readyz', ...probe, async function readyz(_req, res) {
    const p = deps.probes;
    const snap = p.lists();
    const checks: Record<string, Record<string, unknown>> = {
      lists: snap
        ? { state: 'up', snapshot: snap.id, ageSeconds: Math.round((Date.now() - Date.parse(snap.createdAt)) / 1000) }
        : { state: 'loading' },
    };
    if (p.database) {
      try {
        await within(Promise.resolve(p.database()), 1000, 'database ping');
        checks['database'] = { state: 'up' };
      } catch {
        checks['database'] = { state: 'down' };
      }
    } else checks['database'] = { state: 'disabled' };
    checks['redis'] = { state: p.redis ? p.redis() : 'disabled' };
    checks['workers'] = { state: p.workers ? p.workers() : 'disabled' };
    if (p.recorder) {
      const r = p.recorder();
      checks['decisionWrites'] = { state: r.healthy ? 'up' : 'down', buffered: r.buffered };
    }
    // Ready = lists loaded and nothing the deployment has is down (a held screening is not service).
    const ready = snap !== undefined && Object.values(checks).every((c) => c['state'] !== 'down');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });

  router.get('/openapi.json', ...deps.public, function openapi(_req, res) {
    res.json(openApiDocument(deps.version));
  });

  router.get('/metrics', ...deps.metricsGuard, async function metricsRoute(_req, res) {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return router;
}
