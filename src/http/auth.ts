// API-key authentication and role checks for Express: deny by default, 401 without credentials, 403 for a wrong role.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { KycError } from '../errors.js';
import { principalForKey } from '../store/services/api-keys.js';
import type { Principal, Role } from '../review/roles.js';
import type { Db } from '../store/db.js';

export type { Role, Principal } from '../review/roles.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by `authenticate` when the request carried a valid API key. */
      principal?: Principal;
    }
  }
}

/** The key from `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
export function credentialOf(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m?.[1] ?? '';
  }
  const key = req.get('x-api-key');
  return key === undefined ? undefined : key.trim();
}

/**
 * Resolves the caller's key to `req.principal`. A request without credentials passes through
 * unauthenticated (requireRole rejects it); a present but unknown/revoked key is 401 at once.
 */
export function authenticate(db: Db): RequestHandler {
  return async function authenticateMiddleware(req: Request, _res: Response, next: NextFunction) {
    const key = credentialOf(req);
    if (key === undefined) return next();
    try {
      const principal = key ? await principalForKey(db, key) : undefined;
      if (!principal) return next(new KycError('KYC_ERR_UNAUTHORIZED', 'the API key is invalid or revoked'));
      req.principal = principal;
      next();
    } catch (err) {
      next(new KycError('KYC_ERR_STORE_UNAVAILABLE', 'could not check the API key: the database is unavailable', undefined, { cause: err }));
    }
  };
}

/** Lets the request through only for a principal with one of `roles`: 401 without one, 403 with another role. */
export function requireRole(...roles: Role[]): RequestHandler {
  return function requireRoleMiddleware(req: Request, _res: Response, next: NextFunction) {
    if (!req.principal) return next(new KycError('KYC_ERR_UNAUTHORIZED', 'credentials required: send Authorization: Bearer <key> or X-Api-Key'));
    if (!roles.includes(req.principal.role)) {
      return next(new KycError('KYC_ERR_FORBIDDEN', `role ${req.principal.role} may not do this (needs ${roles.join(' or ')})`, { role: req.principal.role, needs: roles }));
    }
    next();
  };
}
