// The one error → RFC 9457 application/problem+json mapper of the HTTP service and the middleware.
import type { ErrorRequestHandler, Request, Response } from 'express';
import { ZodError } from 'zod';
import { ERROR_CATALOG, KycError, isKycError, problemType, type ErrorCode } from '../errors.js';
import type { Logger } from '../runtime/logger.js';

/** An RFC 9457 problem document as kycgate sends it; `code` is the stable KYC_ERR_* code. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Builds the problem document of `err` for the request `req` (instance = the request path, never its query). */
export function toProblem(err: KycError, req: Pick<Request, 'originalUrl'> | undefined, extra: Record<string, unknown> = {}): Problem {
  const path = req?.originalUrl?.split('?')[0] ?? '';
  return {
    type: problemType(err.code),
    title: ERROR_CATALOG[err.code].title,
    status: err.status,
    detail: err.message,
    instance: path,
    code: err.code,
    ...(err.details ? { details: err.details } : {}),
    ...extra,
  };
}

/** Retry-After of a 503 that names none, seconds. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * The challenge of a 401: `Basic realm="kycgate"` (a browser opening /admin/queues prompts for the
 * key as password), but `Bearer` for a caller that sent a bearer token or X-Api-Key, so a script —
 * or the review page's fetch() — with a bad key gets no browser login dialog.
 */
export function authChallenge(req: Pick<Request, 'get'> | undefined): string {
  const header = req?.get('authorization') ?? '';
  const usedToken = /^Bearer\b/i.test(header) || req?.get('x-api-key') !== undefined;
  return usedToken ? 'Bearer realm="kycgate"' : 'Basic realm="kycgate"';
}

/**
 * Sends `err` as problem+json; `extra` adds extension members (e.g. `screeningId`). Sets
 * `Retry-After` from `details.retryAfterSeconds` (a 503 without one gets the default unless the
 * caller set the header) and `WWW-Authenticate` on a 401.
 */
export function sendProblem(res: Response, err: KycError, extra: Record<string, unknown> = {}): void {
  const body = toProblem(err, res.req, extra);
  const retryAfter = err.details?.['retryAfterSeconds'];
  if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
  else if (body.status === 503 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', String(DEFAULT_RETRY_AFTER_SECONDS));
  if (body.status === 401) res.setHeader('WWW-Authenticate', authChallenge(res.req));
  res.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', '57P01', '57P02', '57P03']);
const CONNECTION_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|Cannot use a pool after calling end on the pool/i;

/**
 * True when `err` (or an error in its cause chain / AggregateError list) says the database cannot be
 * reached: socket errors, PostgreSQL SQLSTATE class 08 (connection exception), 57P01–57P03 (server
 * shutting down / cannot connect now), and node-postgres' connect timeout / terminated / ended pool.
 */
export function isConnectionError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (CONNECTION_CODES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code))) return true;
  if (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isConnectionError(x, depth + 1))) return true;
  return isConnectionError(e.cause, depth + 1);
}

interface HttpLikeError {
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  message?: unknown;
}

/** Turns anything thrown into a KycError: body-parser, zod, express-rate-limit and unknown errors included. */
export function asKycError(err: unknown): KycError {
  if (isKycError(err)) return err;
  if (err instanceof ZodError) {
    const issues = err.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    return new KycError('KYC_ERR_INPUT_INVALID', first ? `${first.path || '(root)'}: ${first.message}` : 'invalid input', { issues });
  }
  const e = (err ?? {}) as HttpLikeError;
  switch (e.type) {
    case 'entity.parse.failed':
      return new KycError('KYC_ERR_INPUT_JSON', 'the request body is not valid JSON');
    case 'entity.too.large':
      return new KycError('KYC_ERR_INPUT_TOO_LARGE', 'the request body exceeds the size limit');
    case 'encoding.unsupported':
    case 'charset.unsupported':
    case 'request.size.invalid':
    case 'request.aborted':
      return new KycError('KYC_ERR_INPUT_INVALID', typeof e.message === 'string' ? e.message : 'the request body could not be read');
  }
  const status = Number(e.status ?? e.statusCode);
  if (status === 404) return new KycError('KYC_ERR_NOT_FOUND', 'no such resource');
  if (status >= 400 && status < 500 && e.expose) {
    return new KycError('KYC_ERR_INPUT_INVALID', typeof e.message === 'string' ? e.message : 'bad request');
  }
  if (isConnectionError(err)) {
    return new KycError('KYC_ERR_STORE_UNAVAILABLE', 'the database is unavailable; retry later', { retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS }, { cause: err });
  }
  return new KycError('KYC_ERR_INTERNAL', 'unexpected internal error', undefined, { cause: err });
}

/**
 * The ONE error handler: every error becomes problem+json. 5xx are logged at error (with the cause),
 * 4xx at info; messages of unexpected errors never reach the client. Database connection errors are
 * 503 KYC_ERR_STORE_UNAVAILABLE with Retry-After.
 */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return function kycgateProblemHandler(err, req, res, next) {
    if (res.headersSent) {
      next(err);
      return;
    }
    const kyc = asKycError(err);
    const log = (req as Request & { log?: Logger }).log ?? logger;
    if (kyc.status >= 500) log.error({ err, code: kyc.code }, 'request failed');
    else log.info({ code: kyc.code, status: kyc.status }, 'request rejected');
    sendProblem(res, kyc);
  };
}

/** Final fall-through: unknown routes answer 404 problem+json. */
export function notFoundHandler(): (req: Request, res: Response) => void {
  return function kycgateNotFound(req, res) {
    sendProblem(res, new KycError('KYC_ERR_NOT_FOUND', `no route for ${req.method} ${req.path}`));
  };
}
