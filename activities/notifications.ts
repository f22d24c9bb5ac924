import type { Transporter } from 'nodemailer';
import { randomUUID } from 'node:crypto';
import { decisionLinkPlaceholder, decisionLinkUrl, newLinkToken } from '../decision-links';
import type { Database } from '../prisma/database';
import { type StepName, steps } from '../workflows/improvement/steps';

/** What an email says; rendered here, where the public URL and the link secret are known. */
export type NotificationTemplate =
  | { name: 'acknowledgement'; improvementTitle: string }
  | {
      name: 'task' | 'reminder';
      step: StepName;
      taskId: string;
      assignee: string;
      dueAt: string;
      linkExpiresAt: string;
      improvementTitle: string;
      context: string[];
    }
  | { name: 'escalation'; level: 1 | 2; step: StepName; assignee: string; dueAt: string; improvementTitle: string }
  | { name: 'ended'; improvementTitle: string; status: string; reason?: string; actor: string };

/** One email the workflow wants sent; `key` (improvement, task, kind) makes it once-only. */
export interface NotificationRequest {
  key: string;
  improvementId: string;
  taskId?: string;
  kind: string;
  to: string;
  template: NotificationTemplate;
}

export interface NotificationDeps {
  db: Database;
  transport: Transporter;
  from: string;
  publicUrl: string;
  /** How long a decision link outlives the task's last escalation. */
  linkGraceMs?: number;
}

const thirtyDaysMs = 30 * 24 * 3600 * 1000;

function formatTime(iso: string): string {
  return new Date(iso).toUTCString();
}

/** Subject and text of each kind of email. */
function render(request: NotificationRequest, deps: NotificationDeps): { subject: string; text: string } {
  const { template } = request;
  const improvementUrl = `${deps.publicUrl}/improvements/${request.improvementId}`;
  switch (template.name) {
    case 'acknowledgement':
      return {
        subject: `Improvement proposal received: ${template.improvementTitle}`,
        text:
          `Your process improvement proposal "${template.improvementTitle}" has been received by the ` +
          `operational resilience process group and is awaiting review.\n\nFollow it here: ${improvementUrl}\n`,
      };
    case 'task':
    case 'reminder': {
      const spec = steps[template.step];
      const prefix = template.name === 'reminder' ? 'Reminder: ' : 'Action needed: ';
      return {
        subject: `${prefix}${spec.title} — ${template.improvementTitle}`,
        text: [
          template.name === 'reminder' ? `This task is due ${formatTime(template.dueAt)} and is still open.\n` : '',
          spec.ask,
          '',
          ...template.context,
          '',
          `Due: ${formatTime(template.dueAt)}`,
          `Decide here: ${decisionLinkPlaceholder}`,
          '',
          'This link is yours alone. Opening it changes nothing; it stops working once the task is decided, cancelled or reassigned.',
          '',
        ].join('\n'),
      };
    }
    case 'escalation': {
      const spec = steps[template.step];
      const who = template.level === 1 ? 'As their manager, please follow up.' : 'It is escalated to management.';
      return {
        subject: `Escalation: ${spec.title} is overdue — ${template.improvementTitle}`,
        text:
          `${template.assignee} has not yet completed "${spec.title}" for the improvement ` +
          `"${template.improvementTitle}", due ${formatTime(template.dueAt)}. ${who}\n\nThe improvement: ${improvementUrl}\n`,
      };
    }
    case 'ended': {
      const reason = template.reason ? `\nReason: ${template.reason}\n` : '\n';
      return {
        subject: `Improvement ${template.status}: ${template.improvementTitle}`,
        text: `The process improvement "${template.improvementTitle}" is now ${template.status} (by ${template.actor}).${reason}\nThe improvement: ${improvementUrl}\n`,
      };
    }
  }
}

/** The outbox: every email is recorded before it is sent, and each key is sent once. */
export function createNotificationActivities(deps: NotificationDeps) {
  const { db, transport, from } = deps;

  /** Puts a fresh personal link into the email about to be sent; its hash alone is kept. */
  async function withDecisionLink(body: string, request: NotificationRequest): Promise<string> {
    const { template } = request;
    if (template.name !== 'task' && template.name !== 'reminder') return body;
    const { token, hash } = newLinkToken();
    await db.decisionLink.create({
      data: {
        id: randomUUID(),
        tokenHash: hash,
        taskId: template.taskId,
        assignee: template.assignee,
        expiresAt: new Date(Date.parse(template.linkExpiresAt) + (deps.linkGraceMs ?? thirtyDaysMs)),
      },
    });
    return body.replace(decisionLinkPlaceholder, decisionLinkUrl(deps.publicUrl, token));
  }

  return {
    async sendNotification(request: NotificationRequest): Promise<{ status: 'sent' | 'already-sent' }> {
      const existing = await db.notification.findUnique({ where: { notificationKey: request.key } });
      if (existing?.status === 'sent') return { status: 'already-sent' };
      const { subject, text } = render(request, deps);
      const notification = await db.notification.upsert({
        where: { notificationKey: request.key },
        create: {
          notificationKey: request.key,
          improvementId: request.improvementId,
          taskId: request.taskId ?? null,
          kind: request.kind,
          recipient: request.to,
          subject,
          body: text,
        },
        update: { attempts: { increment: 1 } },
      });
      const body = await withDecisionLink(notification.body, request);
      try {
        await transport.sendMail({
          from,
          to: notification.recipient,
          subject: notification.subject,
          text: body,
          messageId: `<${notification.id}@opf-pipeline>`,
          headers: { 'X-OPF-Notification-Key': notification.notificationKey },
        });
      } catch (error) {
        await db.notification.update({
          where: { id: notification.id },
          data: { lastError: error instanceof Error ? error.message : String(error) },
        });
        throw error;
      }
      await db.notification.update({ where: { id: notification.id }, data: { status: 'sent', sentAt: new Date() } });
      return { status: 'sent' };
    },
  };
}
