import { randomUUID } from 'node:crypto';
import { hashLinkToken } from '../../decision-links';
import type { Mailer } from '../../mail/mailer';
import type { Database } from '../../prisma/database';
import { newCode, sameSecret } from '../../tokens';
import { type CodeAttempts, hashCode } from '../code-attempts';
import { type DecisionReceipt, describeClosedTask, recordedDecision } from './decide';

export type TaskRow = NonNullable<Awaited<ReturnType<Database['task']['findUnique']>>>;
export type LinkRow = NonNullable<Awaited<ReturnType<Database['decisionLink']['findUnique']>>>;

/** Why a link can no longer decide anything, and the status that says so. */
export interface DeadLink {
  dead: string;
  status: 404 | 410;
}

export interface DecisionLinkDeps {
  db: Database;
  appSecret: string;
  mailer?: Mailer;
  attempts: CodeAttempts;
}

const codeTtlMs = 10 * 60 * 1000;
const codeAttempts = 5;

function linkTokenLooksValid(token: string): boolean {
  return /^[\w-]{20,100}$/.test(token);
}

/** What an emailed decision link leads to: its open task, or why it no longer works. */
export function decisionLinkUseCases({ db, appSecret, mailer, attempts }: DecisionLinkDeps) {
  async function findLink(token: string): Promise<LinkRow | null> {
    return linkTokenLooksValid(token) ? db.decisionLink.findUnique({ where: { tokenHash: hashLinkToken(token) } }) : null;
  }

  return {
    async openTaskFor(token: string): Promise<{ link: LinkRow; task: TaskRow } | DeadLink> {
      const link = await findLink(token);
      if (!link) return { dead: 'It is not a valid decision link (it may have been altered or cut short when copied)', status: 404 };
      const task = await db.task.findUnique({ where: { id: link.taskId } });
      if (!task) return { dead: 'The task it points to does not exist', status: 404 };
      if (task.status !== 'open') return { dead: describeClosedTask(task).replace(/^this/, 'This'), status: 410 };
      if (link.revokedAt || task.assignee !== link.assignee) {
        const when = link.revokedAt ? ` on ${link.revokedAt.toUTCString()}` : '';
        return { dead: `This task was reassigned${when}; ${task.assignee} now holds it and has their own link`, status: 410 };
      }
      if (link.expiresAt < new Date()) return { dead: `It expired on ${link.expiresAt.toUTCString()}`, status: 410 };
      return { link, task };
    },

    /** A resubmitted form whose decision was already applied: its receipt, not "already decided". */
    async recordedDecisionOf(token: string, decisionId: string | undefined): Promise<{ task: TaskRow; receipt: DecisionReceipt } | undefined> {
      if (!decisionId) return undefined;
      const link = await findLink(token);
      const task = link ? await db.task.findUnique({ where: { id: link.taskId } }) : null;
      const receipt = task ? await recordedDecision(db, task, decisionId) : undefined;
      return task && receipt ? { task, receipt } : undefined;
    },

    /** Emails the assignee a one-time code that confirms a decision from this link. */
    async sendConfirmationCode(link: LinkRow): Promise<void> {
      if (!mailer) throw new Error('confirmation codes need a mailer');
      const code = newCode();
      const id = randomUUID();
      await db.confirmationCode.create({
        data: { id, linkId: link.id, codeHash: hashCode(appSecret, 'confirmation', id, code), expiresAt: new Date(Date.now() + codeTtlMs) },
      });
      await mailer.send({
        to: link.assignee,
        subject: `Your OPF Pipeline confirmation code: ${code}`,
        text: `Enter ${code} on the decision page to confirm your decision. It expires in 10 minutes. If you did not open a decision link, ignore this email.\n`,
      });
    },

    /** Checks a one-time code; refused codes count against their limited attempts and the person's lockout. */
    async confirmationCodeIsValid(link: LinkRow, code: string): Promise<boolean> {
      const candidate = await db.confirmationCode.findFirst({
        where: { linkId: link.id, usedAt: null, expiresAt: { gt: new Date() }, attempts: { lt: codeAttempts } },
        orderBy: { createdAt: 'desc' },
      });
      if (candidate && sameSecret(candidate.codeHash, hashCode(appSecret, 'confirmation', candidate.id, code))) {
        await db.confirmationCode.update({ where: { id: candidate.id }, data: { usedAt: new Date() } });
        await attempts.recordSuccess(link.assignee);
        return true;
      }
      if (candidate) await db.confirmationCode.update({ where: { id: candidate.id }, data: { attempts: { increment: 1 } } });
      await attempts.recordFailure(link.assignee);
      return false;
    },
  };
}
