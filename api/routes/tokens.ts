import { randomUUID } from 'node:crypto';
import { type Request, Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../prisma/database';
import { audit } from '../audit';
import { allow, apiTokenPrefix, hashApiToken } from '../auth';
import { AppError, parse } from '../errors';
import { endSessionsOfToken } from '../sessions';
import { emailAddress, freeText } from '../input-fields';
import { newSecret } from '../../tokens';

export const tokenOwnerParams = z.strictObject({ email: emailAddress().transform((email) => email.toLowerCase()) });
export const tokenParams = tokenOwnerParams.extend({ id: z.uuid() });
export const newToken = z.strictObject({
  name: freeText(1, 100),
  expiresInDays: z.number().int().min(1).max(365).default(90),
});

/** A person's API tokens: shown once, stored hashed, revocable, expiring. Mounted at /api/people/:email/tokens. */
export function tokenRoutes({ db }: { db: Database }): Router {
  const router = Router({ mergeParams: true });

  function ownerOf(req: Request): string {
    const { email } = parse(tokenOwnerParams, { email: req.params.email }, 'params');
    if (!req.caller!.admin && req.caller!.email !== email) throw new AppError('forbidden', 403, 'email: you may only manage your own tokens');
    return email;
  }

  /** Issues a token; its value is in this response only. */
  router.post('/', allow('tokens:manage'), async (req, res) => {
    const email = ownerOf(req);
    const body = parse(newToken, req.body, 'body');
    if (!(await db.person.findUnique({ where: { email } }))) throw new AppError('not_found', 404, `email: no person ${email}`);
    const token = newSecret(apiTokenPrefix);
    const created = await db.apiToken.create({
      data: {
        id: randomUUID(),
        personEmail: email,
        name: body.name,
        tokenHash: hashApiToken(token),
        expiresAt: new Date(Date.now() + body.expiresInDays * 24 * 3600 * 1000),
      },
    });
    await audit(db, req, { action: 'token.create', target: email, outcome: 'ok', details: { tokenId: created.id, name: body.name } });
    res.status(201).json({ id: created.id, name: created.name, token, expiresAt: created.expiresAt });
  });

  /** Lists a person's tokens, never their values. */
  router.get('/', allow('tokens:manage'), async (req, res) => {
    const email = ownerOf(req);
    const tokens = await db.apiToken.findMany({ where: { personEmail: email }, orderBy: { createdAt: 'asc' } });
    res.json({ items: tokens.map(({ id, name, createdAt, expiresAt, revokedAt, lastUsedAt }) => ({ id, name, createdAt, expiresAt, revokedAt, lastUsedAt })) });
  });

  /** Revokes a token at once, and ends the page sessions signed in with it. */
  router.delete('/:id', allow('tokens:manage'), async (req, res) => {
    const email = ownerOf(req);
    const { id } = parse(tokenParams, req.params, 'params');
    const revoked = await db.apiToken.updateMany({ where: { id, personEmail: email, revokedAt: null }, data: { revokedAt: new Date() } });
    if (revoked.count === 0) throw new AppError('not_found', 404, `id: no active token ${id} of ${email}`);
    const endedSessions = await endSessionsOfToken(db, id);
    await audit(db, req, { action: 'token.revoke', target: email, outcome: 'ok', details: { tokenId: id, endedSessions } });
    res.status(204).end();
  });

  return router;
}
