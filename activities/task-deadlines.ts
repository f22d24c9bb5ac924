import type { Database } from '../prisma/database';
import { findManager, findRoleHolder, type KeyedEvent, refreshEscalationLevel, upsertEvent } from './db';
import { enqueueNotification, type NotificationRequest, type OutboxWaker } from './notifications';

/** A reminder: its history entry and the assignee's email, recorded together. */
export interface ReminderRequest {
  improvementId: string;
  event: KeyedEvent;
  email: NotificationRequest;
}

/** An escalation: to whom is resolved here; the history entry's action and the email name them. */
export interface EscalationRequest {
  improvementId: string;
  taskId: string;
  level: 1 | 2;
  assignee: string;
  /** Its action is completed with the person escalated to, e.g. "escalated to management (ann@…)". */
  event: KeyedEvent;
  email: Omit<NotificationRequest, 'to'>;
}

/** A task's reminder and escalations, each one transaction (and one activity). */
export function createTaskDeadlineActivities(deps: { db: Database; publicUrl: string; outbox?: OutboxWaker }) {
  const { db } = deps;
  return {
    /** Records "reminded …" and queues the reminder; a retry records and queues nothing more. */
    async remindTask(request: ReminderRequest): Promise<void> {
      await db.$transaction(async (tx) => {
        await upsertEvent(tx, request.improvementId, request.event);
        await enqueueNotification(tx, request.email, deps);
      });
      deps.outbox?.wake();
    },

    /**
     * Resolves who the task escalates to, raises the task's (and its improvement's) escalation
     * level, records the escalation and queues its email, in one transaction: whoever follows the
     * email finds the task flagged.
     */
    async escalateTaskAndNotify(request: EscalationRequest): Promise<{ to: string }> {
      const to = await db.$transaction(async (tx) => {
        const person = request.level === 1 ? await findManager(tx, request.assignee) : await findRoleHolder(tx, 'management');
        await tx.task.update({ where: { id: request.taskId }, data: { escalationLevel: request.level } });
        await refreshEscalationLevel(tx, request.improvementId);
        await upsertEvent(tx, request.improvementId, { ...request.event, action: `${request.event.action} (${person})` });
        await enqueueNotification(tx, { ...request.email, to: person }, deps);
        return person;
      });
      deps.outbox?.wake();
      return { to };
    },
  };
}
