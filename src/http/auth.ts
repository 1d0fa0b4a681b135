// API-key authentication (Bearer, Basic password, X-Api-Key) and role checks for Express: deny by default, 401 without credentials, 403 for a wrong role.
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

/**
 * The key from `Authorization: Bearer <key>`, `Authorization: Basic base64(user:<key>)` (the key as
 * password, so a browser can open /admin/queues; `<key>:` with an empty password works too) or
 * `X-Api-Key: <key>`. A malformed Authorization header yields '' (rejected as invalid).
 */
export function credentialOf(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer) return bearer[1]!;
    const basic = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
    if (!basic) return '';
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return '';
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    return (password || user).trim();
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
    if (!req.principal) return next(new KycError('KYC_ERR_UNAUTHORIZED', 'credentials required: send Authorization: Bearer <key>, X-Api-Key, or HTTP Basic with the key as password'));
    if (!roles.includes(req.principal.role)) {
      return next(new KycError('KYC_ERR_FORBIDDEN', `role ${req.principal.role} may not do this (needs ${roles.join(' or ')})`, { role: req.principal.role, needs: roles }));
    }
    next();
  };
}
