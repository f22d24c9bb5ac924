import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Database } from '../prisma/database';
import { hashSecret, keyedHash, newSecret, sameSecret } from '../tokens';
import type { Role } from './permissions';

/** The browser session cookie: HttpOnly, SameSite=Lax; its value's hash is the session's key. */
export const sessionCookie = 'opf_session';
export function hashSessionToken(token: string): string {
  return hashSecret(token);
}

/** Starts a session for a person and sets its cookie; one started with an API token never outlives it. */
export async function startSession(
  db: Database,
  res: Response,
  session: { email: string; lifetimeMs: number; secure: boolean; apiToken?: { id: string; expiresAt: Date } },
): Promise<void> {
  const token = newSecret();
  const lifetimeEnd = Date.now() + session.lifetimeMs;
  const expiresAt = new Date(Math.min(lifetimeEnd, session.apiToken?.expiresAt.getTime() ?? lifetimeEnd));
  await db.session.create({
    data: { id: randomUUID(), tokenHash: hashSessionToken(token), personEmail: session.email, expiresAt, apiTokenId: session.apiToken?.id ?? null },
  });
  res.cookie(sessionCookie, token, { httpOnly: true, sameSite: 'lax', secure: session.secure, expires: expiresAt, path: '/' });
}

/** Ends every session started with an API token (when it is revoked). */
export async function endSessionsOfToken(db: Database, apiTokenId: string): Promise<number> {
  const ended = await db.session.updateMany({ where: { apiTokenId, endedAt: null }, data: { endedAt: new Date() } });
  return ended.count;
}

/** Resolves the session cookie to the signed-in person (as `req.caller`), if any. */
export function sessionAuth(db: Database): RequestHandler {
  return async (req, _res, next) => {
    const token = (req.cookies as Record<string, string> | undefined)?.[sessionCookie];
    if (!token || req.caller) return next();
    const session = await db.session.findUnique({ where: { tokenHash: hashSessionToken(token) } });
    if (!session || session.endedAt || session.expiresAt < new Date()) return next();
    const person = await db.person.findUnique({ where: { email: session.personEmail } });
    if (person) req.caller = { email: person.email, roles: person.roles as Role[], admin: false };
    next();
  };
}

/** Pages need a signed-in person; others are sent to sign in and brought back. */
export const requireSignIn: RequestHandler = (req, res, next) => {
  if (req.caller) return next();
  res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
};

/** The anti-forgery token of a signed-in page's forms: bound to the session. */
export function pageFormToken(secret: string, sessionToken: string | undefined): string {
  return keyedHash(secret, `page-form.${sessionToken ?? ''}`, 'base64url');
}

export function isValidPageFormToken(secret: string, sessionToken: string | undefined, given: unknown): boolean {
  if (typeof given !== 'string' || !sessionToken) return false;
  return sameSecret(pageFormToken(secret, sessionToken), given);
}
