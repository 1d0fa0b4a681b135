// The OpenAPI 3.1 document served at /openapi.json (test/integration/http/openapi.test.ts keeps it in step with the routes).

const problem = { $ref: '#/components/responses/Problem' };
const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const protectedOp = { security: [{ bearer: [] }, { apiKey: [] }, { basic: [] }] };
const idParam = (name: string, what: string) => ({ name, in: 'path', required: true, description: what, schema: { type: 'string' } });
/** The case version an officer acted on (or `version` in the body); missing or stale → 409. */
const ifMatch = { name: 'If-Match', in: 'header', required: false, description: 'The case version acted on (or `version` in the body); missing or stale → 409', schema: { type: 'string' } };
const etag = { ETag: { description: 'The case version after this change', schema: { type: 'string' } } };
const html = (summary: string, tag: string, open = false) => ({
  tags: [tag],
  summary,
  ...(open ? { security: [] } : protectedOp),
  responses: { '200': { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } }, ...(open ? {} : { '401': problem }) },
});

/** Paths of the review (H4) and admin (H6) routers, documented here so one document covers the service. */
const reviewAndAdminPaths = {
  '/v1/cases': {
    get: {
      tags: ['review'],
      summary: 'Review cases (filter by status)',
      ...protectedOp,
      parameters: [{ name: 'status', in: 'query', schema: { type: 'string' } }],
      responses: { '200': { description: 'Cases', content: json({ type: 'object' }) }, '401': problem, '403': problem },
    },
  },
  '/v1/cases/{id}': {
    get: {
      tags: ['review'],
      summary: 'One case with its evidence',
      ...protectedOp,
      parameters: [idParam('id', 'case id')],
      responses: { '200': { description: 'The case', content: json({ type: 'object' }) }, '401': problem, '404': problem },
    },
  },
  '/v1/cases/{id}/decision': {
    post: {
      tags: ['review'],
      summary: "An officer's decision on a case: clear, confirm or escalate",
      ...protectedOp,
      parameters: [idParam('id', 'case id'), ifMatch],
      requestBody: { required: true, content: json({ type: 'object' }) },
      responses: {
        '200': { description: 'The decision took effect: the updated case', headers: etag, content: json({ type: 'object' }) },
        '202': { description: 'Four-eyes proposal recorded: a second, different officer must confirm it (the case, with its `proposal`)', headers: etag, content: json({ type: 'object', required: ['proposal'] }) },
        '400': problem,
        '401': problem,
        '403': problem,
        '404': problem,
        '409': problem,
      },
    },
  },
  '/v1/audit': {
    get: {
      tags: ['review'],
      summary: 'Audit log rows',
      ...protectedOp,
      responses: { '200': { description: 'Audit rows', content: json({ type: 'object' }) }, '401': problem, '403': problem },
    },
  },
  '/v1/cases/{id}/assign': {
    post: {
      tags: ['review'],
      summary: 'Assign a case to an officer',
      ...protectedOp,
      parameters: [idParam('id', 'case id'), ifMatch],
      requestBody: { content: json({ type: 'object' }) },
      responses: { '200': { description: 'The updated case', headers: etag, content: json({ type: 'object' }) }, '401': problem, '403': problem, '404': problem, '409': problem },
    },
  },
  '/v1/cases/{id}/licences': {
    post: {
      tags: ['review'],
      summary: 'Record a licence / authorization on a case',
      ...protectedOp,
      parameters: [idParam('id', 'case id')],
      requestBody: { required: true, content: json({ type: 'object' }) },
      responses: { '201': { description: 'The licence', content: json({ type: 'object' }) }, '400': problem, '401': problem, '403': problem, '404': problem, '409': problem },
    },
  },
  '/v1/audit/verify': {
    get: {
      tags: ['review'],
      summary: 'Verify the audit hash chain (admin)',
      ...protectedOp,
      responses: { '200': { description: 'Verification result', content: json({ type: 'object' }) }, '401': problem, '403': problem },
    },
  },
  '/v1/whoami': {
    get: {
      tags: ['review'],
      summary: 'The caller\'s principal (id, name, role)',
      ...protectedOp,
      responses: { '200': { description: 'Principal', content: json({ type: 'object' }) }, '401': problem },
    },
  },
  '/review': { get: html('The review web page (public shell; its API calls need an officer key)', 'review', true) },
  '/review/app.js': { get: { tags: ['review'], summary: 'Review page script', security: [], responses: { '200': { description: 'JavaScript', content: { 'text/javascript': { schema: { type: 'string' } } } } } } },
  '/review/style.css': { get: { tags: ['review'], summary: 'Review page styles', security: [], responses: { '200': { description: 'CSS', content: { 'text/css': { schema: { type: 'string' } } } } } } },
  '/v1/lists/refresh': {
    post: {
      tags: ['admin'],
      summary: 'Refresh list sources now (admin)',
      ...protectedOp,
      responses: { '202': { description: 'Refresh jobs queued', content: json({ type: 'object' }) }, '401': problem, '403': problem, '503': problem },
    },
  },
  '/v1/lists/sources': {
    get: {
      tags: ['admin'],
      summary: "Each list source's breaker state, last success and last refusal (admin)",
      ...protectedOp,
      responses: { '200': { description: 'Source status', content: json({ type: 'object' }) }, '401': problem, '403': problem },
    },
  },
  '/admin/queues': { get: html('Queue dashboard (bull-board, admin)', 'admin') },
};

/** The OpenAPI 3.1 document of kycgate's HTTP service. */
export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'kycgate',
      version,
      description:
        'KYC screening for cloud providers. Public without credentials: /healthz, /readyz, /openapi.json and the demo route. ' +
        'Everything else needs an API key (`Authorization: Bearer <key>` or `X-Api-Key`) with a role. ' +
        'Every error is application/problem+json (RFC 9457) with a stable `type` (urn:kycgate:error:<code>).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    paths: {
      '/healthz': {
        get: { tags: ['ops'], summary: 'Process is up', security: [], responses: { '200': { description: 'Up', content: json({ type: 'object', properties: { status: { const: 'ok' } } }) } } },
      },
      '/readyz': {
        get: {
          tags: ['ops'],
          summary: 'Ready: lists loaded and no configured dependency down; names each dependency\'s state',
          security: [],
          responses: { '200': { description: 'Ready', content: json(ref('Readiness')) }, '503': { description: 'Not ready', content: json(ref('Readiness')) } },
        },
      },
      '/openapi.json': { get: { tags: ['ops'], summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } } } },
      '/metrics': {
        get: {
          tags: ['ops'],
          summary: 'Prometheus metrics (role admin or service)',
          ...protectedOp,
          responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } }, '401': problem, '403': problem },
        },
      },
      '/v1/screen': {
        post: {
          tags: ['screening'],
          summary: 'Screen one customer (→ Decision) or a batch of ≤ 1,000 (→ results; a batch takes the slow path when Redis is configured)',
          ...protectedOp,
          parameters: [
            { name: 'policy', in: 'query', schema: { type: 'string' }, description: 'policy pack (default KYCGATE_POLICY)' },
            { name: 'wait', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 30000 }, description: 'ms to wait before answering 202 (default 5000 single, 10000 batch)' },
          ],
          requestBody: {
            required: true,
            content: json({ oneOf: [ref('Customer'), { type: 'array', maxItems: 1000, items: ref('Customer') }, { type: 'object', required: ['customers'], properties: { customers: { type: 'array', maxItems: 1000, items: ref('Customer') } } }] }),
          },
          responses: {
            '200': { description: 'A decision (single) or every result (batch)', content: json({ oneOf: [ref('Decision'), ref('BatchResults')] }) },
            '202': { description: 'Still screening: poll the Location', headers: { Location: { schema: { type: 'string' } } }, content: json({ oneOf: [ref('Pending'), ref('BatchResults')] }) },
            '400': problem,
            '401': problem,
            '403': problem,
            '413': problem,
            '503': problem,
          },
        },
      },
      '/v1/screenings/{id}': {
        get: {
          tags: ['screening'],
          summary: 'A screening by id (200 decision, 202 still pending)',
          ...protectedOp,
          parameters: [idParam('id', 'screening id')],
          responses: { '200': { description: 'The decision', content: json(ref('Decision')) }, '202': { description: 'Pending', content: json(ref('Pending')) }, '400': problem, '401': problem, '404': problem, '503': problem },
        },
      },
      '/v1/lists': {
        get: {
          tags: ['screening'],
          summary: 'Loaded list snapshot: versions, counts, freshness',
          ...protectedOp,
          responses: { '200': { description: 'Snapshot metadata', content: json({ type: 'object' }) }, '401': problem, '503': problem },
        },
      },
      '/v1/instances': {
        post: {
          tags: ['demo'],
          summary: 'Demo provisioning API (`serve --demo`), guarded by the kycgate middleware; public',
          security: [],
          requestBody: { required: true, content: json(ref('InstanceRequest')) },
          responses: {
            '201': { description: 'Allowed: a fake instance', content: json({ type: 'object' }) },
            '202': { description: 'Held for review (Location: the case) or still screening (Location: the screening)', headers: { Location: { schema: { type: 'string' } } }, content: json({ oneOf: [ref('Pending'), ref('Review')] }) },
            '400': problem,
            '403': problem,
            '413': problem,
            '429': problem,
            '503': problem,
          },
        },
      },
      ...reviewAndAdminPaths,
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API key from `kycgate keys create --role R`' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        basic: { type: 'http', scheme: 'basic', description: 'Any user name, the API key as password (browsers: /admin/queues)' },
      },
      responses: {
        Problem: { description: 'RFC 9457 problem', content: { 'application/problem+json': { schema: ref('Problem') } } },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail', 'instance', 'code'],
          properties: {
            type: { type: 'string', description: 'urn:kycgate:error:<code>' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            code: { type: 'string', pattern: '^KYC_ERR_' },
            screeningId: { type: 'string' },
          },
        },
        Customer: {
          type: 'object',
          required: ['id', 'name'],
          properties: {
            id: { type: 'string' },
            name: { type: 'string', maxLength: 512 },
            type: { enum: ['organization', 'individual'] },
            country: { type: 'string', description: 'ISO 3166-1 alpha-2' },
            aliases: { type: 'array', items: { type: 'string' } },
            parents: { type: 'array', items: { type: 'object' } },
            beneficialOwners: { type: 'array', items: { type: 'object' } },
            request: {
              type: 'object',
              required: ['gpuModel', 'gpuCount', 'hours'],
              properties: { gpuModel: { type: 'string' }, gpuCount: { type: 'integer' }, hours: { type: 'number' }, purpose: { enum: ['training', 'fine-tuning', 'inference', 'other'] } },
            },
          },
        },
        Decision: {
          type: 'object',
          required: ['id', 'outcome', 'screeningId', 'hits', 'reasons', 'lists', 'policy', 'decidedAt'],
          properties: {
            id: { type: 'string' },
            outcome: { enum: ['allow', 'review', 'deny'] },
            screeningId: { type: 'string' },
            hits: { type: 'array', items: { type: 'object' } },
            reasons: { type: 'array', items: { type: 'object', required: ['code'], properties: { code: { type: 'string' }, subject: { type: 'string' }, detail: { type: 'string' } } } },
            lists: { type: 'object' },
            policy: { type: 'string' },
            decidedAt: { type: 'string', format: 'date-time' },
            failOpen: { type: 'boolean' },
          },
        },
        Pending: { type: 'object', required: ['status', 'screeningId'], properties: { status: { const: 'pending' }, screeningId: { type: 'string' } } },
        Review: { type: 'object', required: ['status', 'screeningId'], properties: { status: { const: 'review' }, screeningId: { type: 'string' }, caseId: { type: 'string' } } },
        BatchResults: {
          type: 'object',
          required: ['status', 'results'],
          properties: {
            status: { enum: ['done', 'pending'] },
            results: {
              type: 'array',
              items: {
                type: 'object',
                required: ['index', 'status'],
                properties: { index: { type: 'integer' }, status: { enum: ['done', 'pending', 'error', 'unavailable'] }, decision: ref('Decision'), screeningId: { type: 'string' }, location: { type: 'string' }, error: { type: 'object' } },
              },
            },
          },
        },
        Readiness: { type: 'object', required: ['status', 'checks'], properties: { status: { enum: ['ready', 'not_ready'] }, checks: { type: 'object' } } },
        InstanceRequest: {
          type: 'object',
          required: ['accountId', 'org'],
          properties: {
            accountId: { type: 'string' },
            org: { type: 'string' },
            country: { type: 'string' },
            parents: { type: 'array', items: { type: 'object' } },
            gpu: { type: 'string' },
            count: { type: 'integer', minimum: 1 },
            hours: { type: 'number' },
            purpose: { enum: ['training', 'fine-tuning', 'inference', 'other'] },
          },
        },
      },
    },
  };
}
