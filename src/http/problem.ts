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

/** Sends `err` as problem+json; `extra` adds extension members (e.g. `screeningId`). */
export function sendProblem(res: Response, err: KycError, extra: Record<string, unknown> = {}): void {
  const body = toProblem(err, res.req, extra);
  res.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
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
  return new KycError('KYC_ERR_INTERNAL', 'unexpected internal error', undefined, { cause: err });
}

/**
 * The ONE error handler: every error becomes problem+json. 5xx are logged at error (with the cause),
 * 4xx at info; messages of unexpected errors never reach the client.
 */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return function kycgateProblemHandler(err, req, res, next) {
    if (res.headersSent) {
      next(err);
      return;
    }
    const kyc = asKycError(err);
    const log = (req as Request & { log?: Logger }).log ?? logger;
    if (kyc.status >= 500) log.error({ err: kyc.code === 'KYC_ERR_INTERNAL' ? err : kyc, code: kyc.code }, 'request failed');
    else log.info({ code: kyc.code, status: kyc.status }, 'request rejected');
    const retryAfter = kyc.details?.['retryAfterSeconds'];
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    sendProblem(res, kyc);
  };
}

/** Final fall-through: unknown routes answer 404 problem+json. */
export function notFoundHandler(): (req: Request, res: Response) => void {
  return function kycgateNotFound(req, res) {
    sendProblem(res, new KycError('KYC_ERR_NOT_FOUND', `no route for ${req.method} ${req.path}`));
  };
}
