import type { Task } from '../generated/prisma/client';
import type { Database } from '../prisma/database';
import { type adoptionSteps } from '../workflows/process-library/steps';
import { type createDbActivities, findDelegate, findRoleHolder } from './db';
import { enqueueNotification, type NotificationRequest, type OutboxWaker } from './notifications';
import type { AdoptionTaskRecord, AdoptionTaskStore } from './process-deployment';

export interface AdoptionTaskStoreDeps {
  db: Database;
  publicUrl: string;
  outbox?: OutboxWaker;
  /** Closing and escalating are the improvement tasks' own; they need no calendar. */
  taskRows: Pick<ReturnType<typeof createDbActivities>, 'closeTask'>;
}

function holder(task: Task) {
  return { assignee: task.assignee, ...(task.onBehalfOf ? { onBehalfOf: task.onBehalfOf } : {}) };
}

/** The email of an adoption task (or its reminder), rendered as every task's email with its decision link. */
function taskEmail(task: Task, kind: 'task-assigned' | 'reminder', subject: string, context: string[]): NotificationRequest {
  return {
    key: `${task.id}:${kind}`,
    processId: task.processId ?? undefined,
    versionId: task.versionId ?? undefined,
    taskId: task.id,
    kind,
    to: task.assignee,
    template: {
      name: kind === 'reminder' ? 'reminder' : 'task',
      step: task.step as keyof typeof adoptionSteps,
      taskId: task.id,
      assignee: task.assignee,
      dueAt: task.dueAt.toISOString(),
      linkExpiresAt: task.escalateAt.toISOString(),
      improvementTitle: subject,
      context: task.onBehalfOf ? [`You act for ${task.onBehalfOf}.`, ...context] : context,
    },
  };
}

/**
 * The adoption tasks of process version deployments in the read model: task rows without an
 * improvement, their emails in the outbox, and the deployment's history. Every write is idempotent.
 */
export function createAdoptionTaskStore(deps: AdoptionTaskStoreDeps): AdoptionTaskStore {
  const { db } = deps;
  // The subject of each task's first email, so that its reminder names the same adoption.
  async function subjectOf(taskId: string): Promise<{ task: Task; subject: string } | null> {
    const task = await db.task.findUnique({ where: { id: taskId } });
    if (!task) return null;
    const email = await db.notification.findUnique({ where: { notificationKey: `${taskId}:task-assigned` }, select: { subject: true } });
    const subject = email?.subject.replace(/^Action needed: [^—]+— /, '') ?? task.step;
    return { task, subject };
  }

  return {
    async openTask(record: AdoptionTaskRecord) {
      const opened = await db.$transaction(async (tx) => {
        const existing = await tx.task.findUnique({ where: { id: record.id } });
        if (existing) return holder(existing);
        const person = 'email' in record.assignee ? record.assignee.email : await findRoleHolder(tx, record.assignee.role);
        const { assignee, onBehalfOf } = await findDelegate(tx, person);
        const task = await tx.task.create({
          data: {
            id: record.id,
            workflowId: record.workflowId,
            processId: record.processId,
            versionId: record.versionId,
            unitId: record.unitId,
            step: record.step,
            assignee,
            onBehalfOf: onBehalfOf ?? null,
            dueAt: new Date(record.dueAt),
            remindAt: new Date(record.remindAt),
            escalateAt: new Date(record.escalateAt),
          },
        });
        await enqueueNotification(tx, taskEmail(task, 'task-assigned', record.email.subject, record.email.context), deps);
        return holder(task);
      });
      deps.outbox?.wake();
      return opened;
    },

    async remindTask({ taskId, context }) {
      const found = await subjectOf(taskId);
      if (!found || found.task.status !== 'open') return;
      await enqueueNotification(db, taskEmail(found.task, 'reminder', found.subject, context), deps);
      deps.outbox?.wake();
    },

    async escalateTask({ taskId, level, to }) {
      const found = await subjectOf(taskId);
      if (!found) return;
      const { task, subject } = found;
      await db.$transaction(async (tx) => {
        await tx.task.update({ where: { id: taskId }, data: { escalationLevel: level } });
        await enqueueNotification(
          tx,
          {
            key: `${taskId}:escalation-${level}`,
            processId: task.processId ?? undefined,
            versionId: task.versionId ?? undefined,
            taskId,
            kind: `escalation-${level}`,
            to,
            template: { name: 'escalation', level, step: task.step as keyof typeof adoptionSteps, assignee: task.assignee, dueAt: task.dueAt.toISOString(), improvementTitle: subject },
          },
          deps,
        );
      });
      deps.outbox?.wake();
    },

    closeTask: (closing) => deps.taskRows.closeTask(closing),

    async recordEvent(event) {
      const { processId, versionId, key, action, actor, at } = event;
      await db.deploymentEvent.upsert({
        where: { versionId_eventKey: { versionId, eventKey: key } },
        create: { processId, versionId, eventKey: key, unitId: event.unitId ?? null, action, actor, at: new Date(at) },
        update: {},
      });
    },
  };
}
