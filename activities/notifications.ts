import { decisionLinkPlaceholder } from '../decision-links';
import type { Prisma } from '../generated/prisma/client';
import type { Database } from '../prisma/database';
import { type StepName, steps } from '../workflows/improvement/steps';
import { type AdoptionStep, adoptionSteps } from '../workflows/process-library/steps';

/** Every step a task can be on: an improvement's, or a process version's adoption. */
export type TaskStep = StepName | AdoptionStep;
const allSteps = { ...steps, ...adoptionSteps };

/** What an email says; rendered here, where the public URL and the link secret are known. */
export type NotificationTemplate =
  | { name: 'acknowledgement'; improvementTitle: string }
  | {
      name: 'task' | 'reminder';
      step: TaskStep;
      taskId: string;
      assignee: string;
      dueAt: string;
      linkExpiresAt: string;
      improvementTitle: string;
      context: string[];
    }
  | { name: 'escalation'; level: 1 | 2; step: TaskStep; assignee: string; dueAt: string; improvementTitle: string }
  | { name: 'ended'; improvementTitle: string; status: string; reason?: string; actor: string };

/**
 * One email the workflow wants sent; `key` (improvement, task, kind) makes it once-only. It belongs to
 * an improvement, or (adoption tasks) to a process version; `improvementTitle` then names the adoption.
 */
export interface NotificationRequest {
  key: string;
  improvementId?: string;
  processId?: string;
  versionId?: string;
  taskId?: string;
  kind: string;
  to: string;
  template: NotificationTemplate;
}

/** Wakes the outbox dispatcher of this process, so a new email goes out without waiting for its next poll. */
export interface OutboxWaker {
  wake(): void;
}

export interface NotificationDeps {
  db: Database;
  publicUrl: string;
  /** The dispatcher that delivers what these activities put in the outbox (absent: another process's polls). */
  outbox?: OutboxWaker;
}

function formatTime(iso: string): string {
  return new Date(iso).toUTCString();
}

/** Subject and text of each kind of email. */
function render(request: NotificationRequest, deps: { publicUrl: string }): { subject: string; text: string } {
  const { template } = request;
  const improvementUrl = request.improvementId ? `${deps.publicUrl}/improvements/${request.improvementId}` : `${deps.publicUrl}/processes/${request.processId}`;
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
      const spec = allSteps[template.step];
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
      const spec = allSteps[template.step];
      const who = template.level === 1 ? 'As their manager, please follow up.' : 'It is escalated to management.';
      return {
        subject: `Escalation: ${spec.title} is overdue — ${template.improvementTitle}`,
        text:
          `${template.assignee} has not yet completed "${spec.title}" for ${request.improvementId ? 'the improvement ' : ''}` +
          `"${template.improvementTitle}", due ${formatTime(template.dueAt)}. ${who}\n\n${request.improvementId ? 'The improvement' : 'The process'}: ${improvementUrl}\n`,
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

/** The outbox row of an email, rendered; the dispatcher adds the personal decision link when it sends it. */
export function outboxRow(request: NotificationRequest, deps: { publicUrl: string }): Prisma.NotificationCreateInput {
  const { subject, text } = render(request, deps);
  return {
    notificationKey: request.key,
    ...(request.improvementId ? { improvement: { connect: { id: request.improvementId } } } : {}),
    processId: request.processId ?? null,
    versionId: request.versionId ?? null,
    taskId: request.taskId ?? null,
    kind: request.kind,
    recipient: request.to,
    subject,
    body: text,
  };
}

/** Puts an email in the outbox once per key, inside the caller's transaction when it has one. */
export function enqueueNotification(db: Pick<Database, 'notification'>, request: NotificationRequest, deps: { publicUrl: string }) {
  return db.notification.upsert({ where: { notificationKey: request.key }, create: outboxRow(request, deps), update: {} });
}

/** The outbox: every email is recorded once per key; the worker's dispatcher sends it once. */
export function createNotificationActivities(deps: NotificationDeps) {
  return {
    /** Puts an email in the outbox (a retry or a replay finds it there); delivery is the dispatcher's, off the workflow's path. */
    async sendNotification(request: NotificationRequest): Promise<{ status: 'queued' }> {
      await enqueueNotification(deps.db, request, deps);
      deps.outbox?.wake();
      return { status: 'queued' };
    },
  };
}
