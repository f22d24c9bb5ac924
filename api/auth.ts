import type { RequestHandler } from 'express';
import type { Database } from '../prisma/database';
import { hashSecret, sameSecretOfAnyLength } from '../tokens';
import { AppError } from './errors';
import { type Action, isPermitted, type Role } from './permissions';

/** Who is calling: the admin (ADMIN_TOKEN), or a person by one of their API tokens. */
export interface Caller {
  email: string;
  roles: Role[];
  admin: boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

/** Person API tokens start with this, so a leaked one is recognisable (and scannable). */
export const apiTokenPrefix = 'opf_';

export function hashApiToken(token: string): string {
  return hashSecret(token);
}


/** Resolves the bearer token to a caller; a token that is present but not valid is a 401. */
export function authenticate({ db, adminToken }: { db: Database; adminToken: string }): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    if (!header) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) return next(new AppError('unauthenticated', 401, 'authorization: expected "Bearer <token>"'));
    const token = match[1];
    if (sameSecretOfAnyLength(adminToken, token)) {
      req.caller = { email: 'admin', roles: [], admin: true };
      return next();
    }
    if (token.startsWith(apiTokenPrefix)) {
      const now = new Date();
      const stored = await db.apiToken.findUnique({ where: { tokenHash: hashApiToken(token) } });
      if (stored && !stored.revokedAt && stored.expiresAt > now) {
        const person = await db.person.findUnique({ where: { email: stored.personEmail } });
        if (person) {
          await db.apiToken.update({ where: { id: stored.id }, data: { lastUsedAt: now } });
          req.caller = { email: person.email, roles: person.roles as Role[], admin: false };
          return next();
        }
      }
    }
    next(new AppError('unauthenticated', 401, 'authorization: the token is not valid (unknown, expired or revoked)'));
  };
}

/** Lets the request through when the caller's roles permit `action` (the admin always). */
export function allow(action: Action): RequestHandler {
  return (req, _res, next) => {
    const caller = req.caller;
    if (!caller) return next(new AppError('unauthenticated', 401, 'authorization: a bearer token is required'));
    if (caller.admin || isPermitted(action, caller.roles)) return next();
    next(new AppError('forbidden', 403, `authorization: your roles (${caller.roles.join(', ') || 'none'}) do not permit ${action}`));
  };
}

/** True when the caller is the admin or holds one of `roles`. */
export function callerHolds(caller: Caller | undefined, ...roles: Role[]): boolean {
  return Boolean(caller && (caller.admin || caller.roles.some((role) => roles.includes(role))));
}
