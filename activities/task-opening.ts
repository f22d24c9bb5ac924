import type { Task } from '../generated/prisma/client';
import type { Database } from '../prisma/database';
import type { StepName } from '../workflows/improvement/steps';
import type { BusinessCalendar } from './calendar';
import { findDelegate, findRoleHolder, type KeyedEvent, type OpenTaskRequest, type TaskClockIso, taskClock, upsertEvent } from './db';
import { enqueueNotification, type NotificationRequest, type OutboxWaker } from './notifications';

/** Everything the opening of one task needs, so that it is one database transaction. */
export interface AskRequest {
  task: Omit<OpenTaskRequest, 'assignee' | 'onBehalfOf'> & { step: StepName };
  /** A person by email, or a role resolved to its holder here. */
  assignee: { email: string } | { role: string };
  /** Who may not get the task (the proposer, on steps they may not decide). */
  excluding: string[];
  /** The history entry of the ask; its action is completed with the assignee, e.g. "asked ann@example.org". */
  event: KeyedEvent;
  /** What the assignee's email says besides the step's own text. */
  email: { improvementTitle: string; context: string[] };
}

/** The task as opened: who holds it (a delegate, on behalf of whom) and its clock. */
export interface AskedTask extends TaskClockIso {
  assignee: string;
  onBehalfOf?: string;
}

function asked(task: Task): AskedTask {
  return {
    assignee: task.assignee,
    ...(task.onBehalfOf ? { onBehalfOf: task.onBehalfOf } : {}),
    dueAt: task.dueAt.toISOString(),
    remindAt: task.remindAt.toISOString(),
    escalateAt: task.escalateAt.toISOString(),
  };
}

function taskEmail(request: AskRequest, task: AskedTask): NotificationRequest {
  const { id, improvementId, step } = request.task;
  const { context, improvementTitle } = request.email;
  return {
    key: `${id}:task-assigned`,
    improvementId,
    taskId: id,
    kind: 'task-assigned',
    to: task.assignee,
    template: {
      name: 'task',
      step,
      taskId: id,
      assignee: task.assignee,
      dueAt: task.dueAt,
      linkExpiresAt: task.escalateAt,
      improvementTitle,
      context: task.onBehalfOf ? [`You act for ${task.onBehalfOf}.`, ...context] : context,
    },
  };
}

/** Opening a person's task: one transaction instead of one activity per row it writes. */
export function createTaskOpeningActivities(deps: { db: Database; calendar: BusinessCalendar; publicUrl: string; outbox?: OutboxWaker }) {
  const { db, calendar } = deps;
  return {
    /**
     * Resolves the assignee (role holder, then delegate), opens the task with its clock, records
     * "asked <assignee>" in the history and queues the assignee's email, in one transaction. A
     * retry finds the task and returns it as first opened.
     */
    async openTaskAndNotify(request: AskRequest): Promise<AskedTask> {
      const { task: spec, excluding } = request;
      const opened = await db.$transaction(async (tx) => {
        const existing = await tx.task.findUnique({ where: { id: spec.id } });
        if (existing) return asked(existing);
        const person = 'email' in request.assignee ? request.assignee.email : await findRoleHolder(tx, request.assignee.role, excluding);
        const { assignee, onBehalfOf } = await findDelegate(tx, person, excluding);
        const task = await tx.task.create({
          data: {
            id: spec.id,
            improvementId: spec.improvementId,
            workflowId: spec.workflowId,
            step: spec.step,
            assignee,
            onBehalfOf: onBehalfOf ?? null,
            unitId: spec.unitId ?? null,
            proposerBlocked: spec.proposerBlocked ?? null,
            ...taskClock(spec, spec.openedAt ? new Date(spec.openedAt) : new Date(), calendar),
          },
        });
        const result = asked(task);
        await upsertEvent(tx, spec.improvementId, { ...request.event, action: `${request.event.action} ${assignee}` });
        await enqueueNotification(tx, taskEmail(request, result), deps);
        return result;
      });
      deps.outbox?.wake();
      return opened;
    },
  };
}
