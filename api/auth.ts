import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from './errors';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Admin calls carry ADMIN_TOKEN as a bearer token. */
export function requireAdmin(adminToken: string): RequestHandler {
  const expected = digest(adminToken);
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      next(new AppError('unauthenticated', 401, 'authorization: a bearer token is required'));
      return;
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      next(new AppError('unauthenticated', 401, 'authorization: the token is not valid'));
      return;
    }
    next();
  };
}
