import { randomUUID } from 'node:crypto';
import type { Mailer } from '../../mail/mailer';
import type { Database } from '../../prisma/database';
import { hashSecret, newCode, newSecret, sameSecret } from '../../tokens';
import { apiTokenPrefix, hashApiToken } from '../auth';
import { type CodeAttempts, hashCode } from '../code-attempts';
import { hashSessionToken } from '../sessions';

export interface SignInDeps {
  db: Database;
  /** Read per request: with PORT=0 the public URL is known only once the server listens. */
  publicUrl: () => string;
  mailer?: Mailer;
  /** Keys the stored codes' hashes. */
  appSecret: string;
  /** Wrong codes counted per person, across links. */
  attempts: CodeAttempts;
}

const linkTtlMs = 15 * 60_000;
const codeAttempts = 5;

export type CodeCheck = { result: 'signed-in' } | { result: 'wrong' } | { result: 'locked-out'; lockedForMs: number };

/** Signing in by an emailed one-time link or code, or by a person's API token; and signing out. */
export function signInUseCases({ db, publicUrl, mailer, appSecret, attempts }: SignInDeps) {
  return {
    /** Emails a registered person a one-time link and code, unless they are locked out of codes. */
    async emailSignInLink(email: string): Promise<void> {
      const person = await db.person.findUnique({ where: { email } });
      // A locked-out person is sent no new code: a new email must not buy more guesses.
      if (!person || !mailer || (await attempts.lockedForMs(email)) > 0) return;
      const token = newSecret();
      const code = newCode();
      const id = randomUUID();
      await db.signInLink.create({
        data: { id, tokenHash: hashSecret(token), codeHash: hashCode(appSecret, 'sign-in', id, code), personEmail: email, expiresAt: new Date(Date.now() + linkTtlMs) },
      });
      await mailer.send({
        to: email,
        subject: 'Sign in to OPF Pipeline',
        text: `Sign in: ${publicUrl()}/sign-in/link/${token}\nOr enter this code on the sign-in page: ${code}\nBoth work once, for 15 minutes. If you did not ask to sign in, ignore this email.\n`,
      });
    },

    /** Checks a code against the person's latest link; wrong codes count towards a lockout. */
    async checkCode(email: string, code: string): Promise<CodeCheck> {
      const lockedForMs = await attempts.lockedForMs(email);
      if (lockedForMs > 0) return { result: 'locked-out', lockedForMs };
      const link = await db.signInLink.findFirst({
        where: { personEmail: email, usedAt: null, expiresAt: { gt: new Date() }, attempts: { lt: codeAttempts } },
        orderBy: { createdAt: 'desc' },
      });
      if (!link || !sameSecret(link.codeHash, hashCode(appSecret, 'sign-in', link.id, code))) {
        if (link) await db.signInLink.update({ where: { id: link.id }, data: { attempts: { increment: 1 } } });
        // Counted whether or not the address is registered, so a lockout says nothing about it.
        await attempts.recordFailure(email);
        return { result: 'wrong' };
      }
      await db.signInLink.update({ where: { id: link.id }, data: { usedAt: new Date() } });
      await attempts.recordSuccess(email);
      return { result: 'signed-in' };
    },

    /** Uses an emailed sign-in link once; the person it signs in, or undefined when used or expired. */
    async useLink(token: string): Promise<string | undefined> {
      const link = await db.signInLink.findUnique({ where: { tokenHash: hashSecret(token) } });
      if (!link || link.usedAt || link.expiresAt < new Date()) return undefined;
      await db.signInLink.update({ where: { id: link.id }, data: { usedAt: new Date() } });
      return link.personEmail;
    },

    /** The live API token a person signs in with, if the given one is. */
    async liveApiToken(token: string): Promise<{ id: string; personEmail: string; expiresAt: Date } | undefined> {
      const stored = token.startsWith(apiTokenPrefix) ? await db.apiToken.findUnique({ where: { tokenHash: hashApiToken(token) } }) : null;
      return stored && !stored.revokedAt && stored.expiresAt >= new Date() ? stored : undefined;
    },

    async endSession(sessionToken: string): Promise<void> {
      await db.session.updateMany({ where: { tokenHash: hashSessionToken(sessionToken) }, data: { endedAt: new Date() } });
    },
  };
}
