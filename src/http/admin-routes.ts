// Admin HTTP: POST /v1/lists/refresh (enqueue refreshes) and the bull-board queue dashboard at /admin/queues, both admin-only.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Config } from '../config.js';
import { KycError } from '../errors.js';
import { queuePrefix } from '../queue/names.js';
import { enqueueRefresh, openQueues, type KycQueues } from '../queue/queues.js';
import { loadRegistry, getSource, type SourceRegistry } from '../sources/registry.js';
import { readSourceStatus } from '../sources/source-status.js';
import type { Logger } from '../runtime/logger.js';
import { connectRedis, redisUrl } from '../runtime/redis.js';
import type { Db } from '../store/db.js';
import { authenticate, requireRole } from './auth.js';

export interface AdminRouterDeps {
  config: Config;
  logger: Logger;
  /** Resolves API keys; without it (and without `authenticate`) every admin route answers 401. */
  db?: Db;
  /** Overrides `authenticate(db)`. */
  authenticate?: RequestHandler;
  /** Queues to use; default: opened on `url` (or the configured Redis) under `prefix`. */
  queues?: KycQueues;
  /** Redis connection for source status; default: the queues' connection. */
  redis?: Redis;
  prefix?: string;
  url?: string;
  registry?: SourceRegistry;
  clock?: () => Date;
}

const refreshBody = z
  .object({
    /** One source id; default: all sources. */
    source: z.string().min(1).optional(),
    force: z.boolean().optional(),
  })
  .strict();

const unauthenticated: RequestHandler = function adminWithoutAuth(_req, _res, next) {
  next(new KycError('KYC_ERR_UNAUTHORIZED', 'credentials are missing or invalid'));
};

/**
 * Admin routes. `POST /v1/lists/refresh` `{source?, force?}` → 202 with the job ids (idempotent per
 * source and minute). `/admin/queues`: bull-board over the screen, refresh and rescreen queues
 * (failed jobs visible and retryable). `GET /v1/lists/sources`: each source's breaker, last
 * success, last refusal. Everything needs the `admin` role.
 */
export function createAdminRouter(deps: AdminRouterDeps): Router & { close(): Promise<void> } {
  const prefix = deps.prefix ?? queuePrefix(deps.config);
  const registry = deps.registry ?? loadRegistry(deps.config.KYCGATE_SOURCES_FILE);
  let ownConn: Redis | undefined;
  const conn = () => {
    if (deps.redis) return deps.redis;
    ownConn ??= connectRedis(deps.url ?? redisUrl(deps.config), { name: 'kycgate-admin' });
    ownConn.on('error', () => {});
    return ownConn;
  };
  const queues = deps.queues ?? openQueues(conn(), prefix);
  const clock = deps.clock ?? (() => new Date());
  const auth = deps.authenticate ?? (deps.db ? authenticate(deps.db) : unauthenticated);
  const admin = [auth, requireRole('admin')];

  const router = express.Router() as Router & { close(): Promise<void> };

  router.post('/v1/lists/refresh', ...admin, express.json({ limit: '4kb' }), async function refreshLists(req: Request, res: Response) {
    const parsed = refreshBody.safeParse(req.body ?? {});
    if (!parsed.success) throw new KycError('KYC_ERR_INPUT_INVALID', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const sources = parsed.data.source ? [getSource(registry, parsed.data.source).id] : registry.map((s) => s.id);
    const jobs = await enqueueRefresh(queues, sources, 'manual', clock(), parsed.data.force ?? false);
    deps.logger.info({ actor: req.principal?.id, sources, force: parsed.data.force ?? false }, 'list refresh requested');
    res.status(202).location('/admin/queues').json({ status: 'queued', jobs });
  });

  router.get('/v1/lists/sources', ...admin, async function sourceStatus(_req: Request, res: Response) {
    const status = await readSourceStatus(conn(), prefix);
    res.json({ sources: registry.map((s) => ({ id: s.id, title: s.title, files: s.files.map((f) => ({ name: f.name, url: f.url })), status: status[s.id] ?? null })) });
  });

  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({
    queues: [new BullMQAdapter(queues.screen), new BullMQAdapter(queues.refresh), new BullMQAdapter(queues.rescreen)],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'kycgate queues' } },
  });
  router.use('/admin/queues', ...admin, board.getRouter() as (req: Request, res: Response, next: NextFunction) => void);

  router.close = async () => {
    if (!deps.queues) await queues.close();
    ownConn?.disconnect();
  };
  return router;
}
