import type { Database } from '../prisma/database';
import { keyedHash } from '../tokens';

/** How many wrong codes a person may enter, and for how long they are then locked out. */
export interface CodeAttemptPolicy {
  /** Wrong codes, across every link and code sent to the person, within `windowMs`. */
  failuresAllowed: number;
  /** The first lockout; each further one doubles it, up to `maxLockoutMs`. */
  lockoutMs: number;
  windowMs: number;
  maxLockoutMs: number;
}

/** A lockout that has not ended for a day is forgotten: the doubling starts again. */
const lockoutMemoryMs = 24 * 3600 * 1000;

/** A one-time code as stored: HMAC-SHA256 keyed with the app secret, bound to what it is for. */
export function hashCode(secret: string, purpose: 'sign-in' | 'confirmation', id: string, code: string): string {
  return keyedHash(secret, `${purpose}-code.${id}.${code}`);
}


/** Counts a person's wrong codes and locks the person out, whatever link or code they guessed at. */
export function codeAttempts(db: Database, policy: CodeAttemptPolicy) {
  return {
    /** Milliseconds until the person may try a code (or be sent one) again; 0 when they may now. */
    async lockedForMs(email: string): Promise<number> {
      const row = await db.codeLockout.findUnique({ where: { personEmail: email } });
      return Math.max(0, (row?.lockedUntil?.getTime() ?? 0) - Date.now());
    },

    /** Counts one wrong code; the one that reaches the limit starts a lockout. */
    async recordFailure(email: string): Promise<void> {
      const now = new Date();
      const windowStart = new Date(now.getTime() - policy.windowMs);
      // One statement, so that concurrent guesses cannot lose a count.
      const [row] = await db.$queryRaw<{ failures: number; lockouts: number; locked_until: Date | null }[]>`
        INSERT INTO "code_lockout" ("person_email", "failures", "window_started_at") VALUES (${email}, 1, ${now})
        ON CONFLICT ("person_email") DO UPDATE SET
          "failures" = CASE WHEN "code_lockout"."window_started_at" <= ${windowStart} THEN 1 ELSE "code_lockout"."failures" + 1 END,
          "window_started_at" = CASE WHEN "code_lockout"."window_started_at" <= ${windowStart} THEN ${now} ELSE "code_lockout"."window_started_at" END
        RETURNING "failures", "lockouts", "locked_until"`;
      if (!row || row.failures < policy.failuresAllowed) return;
      const forgotten = !row.locked_until || row.locked_until.getTime() < now.getTime() - lockoutMemoryMs;
      const lockouts = forgotten ? 1 : row.lockouts + 1;
      const lockedUntil = new Date(now.getTime() + Math.min(policy.lockoutMs * 2 ** (lockouts - 1), policy.maxLockoutMs));
      await db.codeLockout.updateMany({
        where: { personEmail: email, failures: { gte: policy.failuresAllowed } },
        data: { failures: 0, windowStartedAt: now, lockouts, lockedUntil },
      });
    },

    /** A right code: the person's count starts again. */
    async recordSuccess(email: string): Promise<void> {
      await db.codeLockout.deleteMany({ where: { personEmail: email } });
    },
  };
}

export type CodeAttempts = ReturnType<typeof codeAttempts>;

/** "Try again in N seconds" (or minutes), for a refusal page. */
export function tryAgainIn(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 120) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}
