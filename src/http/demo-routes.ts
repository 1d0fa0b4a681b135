// The demo provisioning API (`kycgate serve --demo`): POST /v1/instances guarded by the screening middleware.
import { randomBytes } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';

/** The body of DESIGN.md's middleware example. */
export const instanceRequestSchema = z.object({
  accountId: z.string().min(1).max(200),
  org: z.string().min(1),
  country: z.string().optional(),
  parents: z.array(z.unknown()).max(1000).optional(),
  gpu: z.string().min(1).max(100).optional(),
  count: z.number().int().min(1).max(10_000_000).optional(),
  hours: z.number().positive().max(1_000_000).optional(),
  purpose: z.enum(['training', 'fine-tuning', 'inference', 'other']).optional(),
});

export type InstanceRequest = z.infer<typeof instanceRequestSchema>;

/** What the demo passes to `kycgate.screen()` as extractors. */
export const demoExtractors = {
  customer: (req: { body: InstanceRequest }) => ({
    id: req.body.accountId,
    name: req.body.org,
    ...(req.body.country ? { country: req.body.country } : {}),
    ...(req.body.parents ? { parents: req.body.parents } : {}),
  }),
  request: (req: { body: InstanceRequest }) =>
    req.body.gpu
      ? { gpuModel: req.body.gpu, gpuCount: req.body.count ?? 1, hours: req.body.hours ?? 1, ...(req.body.purpose ? { purpose: req.body.purpose } : {}) }
      : undefined,
};

/**
 * Mounts POST /v1/instances: validate the body, run `guard` (the middleware; omitted only for the
 * benchmark's baseline), then answer 201 with a fake instance.
 */
export function createDemoRouter(deps: { public: RequestHandler[]; guard?: RequestHandler | undefined }): Router {
  const router = Router();
  const validate: RequestHandler = function validateInstanceRequest(req, _res, next) {
    req.body = instanceRequestSchema.parse(req.body);
    next();
  };
  const guard = deps.guard ? [deps.guard] : [];
  router.post('/v1/instances', ...deps.public, validate, ...guard, function provisionInstance(req, res) {
    const body = req.body as InstanceRequest;
    const decision = req.kycgate;
    res.status(201).json({
      id: `i-${randomBytes(8).toString('hex')}`,
      accountId: body.accountId,
      gpu: body.gpu ?? null,
      count: body.count ?? (body.gpu ? 1 : 0),
      hours: body.hours ?? null,
      state: 'provisioning',
      createdAt: new Date().toISOString(),
      screening: decision ? { screeningId: decision.screeningId, outcome: decision.outcome, ...(decision.failOpen ? { failOpen: true } : {}) } : null,
    });
  });
  return router;
}
