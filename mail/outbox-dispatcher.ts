import { randomUUID } from 'node:crypto';
import { decisionLinkPlaceholder, decisionLinkUrl, newLinkToken } from '../decision-links';
import type { Logger } from '../log';
import type { Database } from '../prisma/database';
import type { Mailer } from './mailer';

export interface OutboxDispatcherDeps {
  db: Database;
  mailer: Mailer;
  publicUrl: string;
  logger: Pick<Logger, 'warn'>;
  /** Emails sent at once by this process. */
  concurrency: number;
  /** How long a claimed email is this process's alone; a crashed process's claims are taken over after it. */
  leaseMs: number;
  /** How often the outbox is looked at when nothing woke the dispatcher (emails queued by other processes). */
  pollMs?: number;
  /** How long a decision link outlives the task's last escalation. */
  linkGraceMs?: number;
}

interface ClaimedEmail {
  id: string;
  notification_key: string;
  recipient: string;
  subject: string;
  body: string;
  task_id: string | null;
  attempts: number;
  escalate_at: Date | null;
}

const thirtyDaysMs = 30 * 24 * 3600 * 1000;
const maxBackOffMs = 30_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Waits ms, or less when woken. */
function pause(ms: number, wakeable: { wakeUp?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wakeable.wakeUp = undefined;
      resolve();
    };
    const timer = setTimeout(done, ms);
    wakeable.wakeUp = done;
  });
}

/**
 * Delivers the outbox: claims pending emails with a lease (`FOR UPDATE SKIP LOCKED`, so several
 * workers never take the same row), sends each with bounded concurrency, marks it sent, and backs
 * off after a failure. Off every workflow's path: a slow or down SMTP server delays only the mail.
 */
export class OutboxDispatcher {
  private running = false;
  private loop?: Promise<void>;
  private readonly sending = new Set<Promise<void>>();
  private woken = false;
  private readonly sleeper: { wakeUp?: () => void } = {};

  constructor(private readonly deps: OutboxDispatcherDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something was queued (or a send finished): look at the outbox now. */
  wake(): void {
    this.woken = true;
    this.sleeper.wakeUp?.();
  }

  /** Stops claiming and waits for the sends under way; what is unsent stays pending for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.all([...this.sending]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      const free = this.deps.concurrency - this.sending.size;
      if (free > 0) {
        for (const email of await this.claim(free)) this.track(this.deliver(email));
      }
      if (!this.woken && this.running) await pause(this.deps.pollMs ?? 1_000, this.sleeper);
    }
  }

  private track(sending: Promise<void>): void {
    this.sending.add(sending);
    void sending.finally(() => {
      this.sending.delete(sending);
      this.wake();
    });
  }

  private async claim(limit: number): Promise<ClaimedEmail[]> {
    try {
      return await this.deps.db.$queryRaw<ClaimedEmail[]>`
        UPDATE notification AS n
        SET lease_until = now() + ${this.deps.leaseMs}::integer * interval '1 millisecond', attempts = n.attempts + 1
        FROM (
          SELECT id FROM notification
          WHERE status = 'pending' AND (lease_until IS NULL OR lease_until <= now())
          ORDER BY created_at LIMIT ${limit}::integer
          FOR UPDATE SKIP LOCKED
        ) AS picked
        WHERE n.id = picked.id
        RETURNING n.id, n.notification_key, n.recipient, n.subject, n.body, n.task_id, n.attempts,
          (SELECT escalate_at FROM task WHERE task.id::text = n.task_id) AS escalate_at`;
    } catch (error) {
      this.deps.logger.warn({ err: message(error), component: 'outbox' }, 'could not read the outbox; trying again');
      return [];
    }
  }

  private async deliver(email: ClaimedEmail): Promise<void> {
    const { db, mailer } = this.deps;
    try {
      const text = email.body.includes(decisionLinkPlaceholder) ? await this.withDecisionLink(email) : email.body;
      await mailer.send({ to: email.recipient, subject: email.subject, text, messageId: `<${email.id}@opf-pipeline>`, notificationKey: email.notification_key });
    } catch (error) {
      const backOffMs = Math.min(maxBackOffMs, 1_000 * 2 ** Math.max(0, email.attempts - 1));
      this.deps.logger.warn({ err: message(error), notificationKey: email.notification_key, attempts: email.attempts, backOffMs, component: 'outbox' }, 'email not sent; will retry');
      await db.$executeRaw`UPDATE notification SET last_error = ${message(error)}, lease_until = now() + ${backOffMs}::integer * interval '1 millisecond' WHERE id = ${email.id}::uuid`.catch(() => undefined);
      return;
    }
    await this.markSent(email);
  }

  /**
   * Marked sent while the lease still holds, retrying through a database outage: a row left
   * pending past its lease would be sent again.
   */
  private async markSent(email: ClaimedEmail): Promise<void> {
    const giveUpAt = Date.now() + this.deps.leaseMs - 2_000;
    for (;;) {
      try {
        await this.deps.db.$executeRaw`UPDATE notification SET status = 'sent', sent_at = now(), lease_until = NULL WHERE id = ${email.id}::uuid`;
        return;
      } catch (error) {
        if (Date.now() > giveUpAt) {
          this.deps.logger.warn({ err: message(error), notificationKey: email.notification_key, component: 'outbox' }, 'email sent but not marked sent before its lease ran out');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** Puts a fresh personal link into the email about to be sent; its hash alone is kept. */
  private async withDecisionLink(email: ClaimedEmail): Promise<string> {
    if (!email.task_id || !email.escalate_at) return email.body;
    const { token, hash } = newLinkToken();
    await this.deps.db.decisionLink.create({
      data: {
        id: randomUUID(),
        tokenHash: hash,
        taskId: email.task_id,
        assignee: email.recipient,
        expiresAt: new Date(email.escalate_at.getTime() + (this.deps.linkGraceMs ?? thirtyDaysMs)),
      },
    });
    return email.body.replace(decisionLinkPlaceholder, decisionLinkUrl(this.deps.publicUrl, token));
  }
}
