import { CancellationScope, patched, uuid4 } from '@temporalio/workflow';
import { activities, localActivities } from '../activity-proxy';
import type { NotificationRequest } from '../../../activities/notifications';
import type { HistoryEntry, OpenTask } from '../definitions';
import { type LiveTask, type TaskHost, type TaskRequest, timingFor } from './task';

/** A new task, live from now: decisions on it are taken even before its set-up is done. */
export function newLiveTask(host: TaskHost, request: TaskRequest, holder: { assignee: string; onBehalfOf?: string }, opening?: boolean): LiveTask {
  const task: OpenTask = {
    id: uuid4(),
    step: request.step,
    ...holder,
    dueAt: '',
    remindAt: '',
    escalateAt: '',
    escalationLevel: 0,
    workflowId: host.workflowId,
    unitId: request.unitId,
    actionIndex: request.actionIndex,
  };
  return { task, context: request.context, closed: false, reassignments: 0, ...(opening ? { opening } : {}) };
}

/** Opens the task, records the ask and queues the email in one activity; a withdrawal waits for it. */
export async function openTask(host: TaskHost, live: LiveTask, request: TaskRequest): Promise<void> {
  const { task } = live;
  const blocked = host.selfApprovalBlockedSteps.includes(request.step);
  const entry: HistoryEntry = { at: new Date().toISOString(), step: request.step, actor: 'system', action: 'asked', channel: 'system', taskId: task.id };
  // Opened as an ordinary activity: its row and email must not exist before the workflow task that
  // made the task live is recorded, or a decision could arrive for a task the workflow does not know.
  // Histories recorded while it was a local activity replay as they ran.
  const opener = !patched('open-task-as-activity-again') && patched('open-task-locally') ? localActivities : activities;
  const opened = await CancellationScope.nonCancellable(() =>
    opener.openTaskAndNotify({
      task: {
        id: task.id,
        improvementId: host.improvementId,
        workflowId: host.workflowId,
        step: request.step,
        unitId: request.unitId,
        proposerBlocked: blocked,
        timing: timingFor(host.durations, request.step),
        dueDate: request.due,
        openedAt: entry.at,
      },
      assignee: request.assignee,
      excluding: blocked && host.proposerEmail ? [host.proposerEmail] : [],
      event: host.keyedEvent(entry, `${task.id}:opened`),
      email: { improvementTitle: host.improvementTitle, context: request.context },
    }),
  );
  Object.assign(task, opened);
  live.opening = false;
  host.openTasks.push(task);
  host.remember({ ...entry, action: `asked ${task.assignee}` });
}

/** Who gets the task: the person or role holder, or their delegate while they are away. */
export async function route(host: TaskHost, request: TaskRequest): Promise<{ assignee: string; onBehalfOf?: string }> {
  const excluding = host.selfApprovalBlockedSteps.includes(request.step) && host.proposerEmail ? [host.proposerEmail] : [];
  const person = 'email' in request.assignee ? request.assignee.email : await activities.resolveRole({ role: request.assignee.role, excluding });
  if (!patched('route-through-delegation')) return { assignee: person };
  return activities.routeAssignee({ email: person, excluding });
}

/** The task row the step-by-step opening writes (before open-task-in-one-activity). */
export function taskRow(host: TaskHost, task: OpenTask, request: TaskRequest, holder: { assignee: string; onBehalfOf?: string }) {
  return {
    id: task.id,
    improvementId: host.improvementId,
    workflowId: host.workflowId,
    step: request.step,
    ...holder,
    unitId: request.unitId,
    proposerBlocked: host.selfApprovalBlockedSteps.includes(request.step),
    timing: timingFor(host.durations, request.step),
    dueDate: request.due,
  };
}

/** Records the ask and emails the assignee, one activity each (before open-task-in-one-activity). */
export async function announceTask(host: TaskHost, live: LiveTask): Promise<void> {
  const { task } = live;
  await host.addHistory({ step: task.step, actor: 'system', action: `asked ${task.assignee}`, channel: 'system', taskId: task.id }, `${task.id}:opened`);
  await notifyAssignee(host, task, live.context, 'task-assigned');
}

/** Emails the task, or its reminder, to its assignee; `attempt` keys the email of each reassignment. */
export function notifyAssignee(host: TaskHost, task: OpenTask, context: string[], kind: 'task-assigned' | 'reminder', attempt = 0) {
  return activities.sendNotification(assigneeEmail(host, task, context, kind, attempt));
}

/** The email of a task, or of its reminder, to its assignee. */
export function assigneeEmail(host: TaskHost, task: OpenTask, context: string[], kind: 'task-assigned' | 'reminder', attempt = 0): NotificationRequest {
  return {
    key: attempt === 0 ? `${task.id}:${kind}` : `${task.id}:${kind}:${attempt}`,
    improvementId: host.improvementId,
    taskId: task.id,
    kind,
    to: task.assignee,
    template: {
      name: kind === 'reminder' ? 'reminder' : 'task',
      step: task.step,
      taskId: task.id,
      assignee: task.assignee,
      dueAt: task.dueAt,
      linkExpiresAt: task.escalateAt,
      improvementTitle: host.improvementTitle,
      context: task.onBehalfOf ? [`You act for ${task.onBehalfOf}.`, ...context] : context,
    },
  };
}
