import { condition, patched } from '@temporalio/workflow';
import { activities, localActivities } from '../activity-proxy';
import type { HistoryEntry, OpenTask } from '../definitions';
import { assigneeEmail, notifyAssignee } from './opening';
import type { Decision, LiveTask, TaskHost } from './task';

/** Waits for the task's decision: reminds before it is due, escalates when due and again later. */
export async function waitForDecision(host: TaskHost, live: LiveTask): Promise<Decision> {
  const decided = () => live.decision !== undefined;
  const { task } = live;
  if (!(await waitUntil(decided, task.remindAt))) await remind(host, task, live.context);
  if (!(await waitUntil(decided, task.dueAt))) await escalate(host, task, 1);
  if (!(await waitUntil(decided, task.escalateAt))) await escalate(host, task, 2);
  await condition(decided);
  return live.decision as Decision;
}

async function waitUntil(decided: () => boolean, iso: string): Promise<boolean> {
  const ms = Date.parse(iso) - Date.now();
  if (ms <= 0) return decided();
  return condition(decided, ms);
}

async function remind(host: TaskHost, task: OpenTask, context: string[]): Promise<void> {
  if (patched('remind-in-one-step')) {
    const entry: HistoryEntry = { at: new Date().toISOString(), step: task.step, actor: 'system', action: `reminded ${task.assignee}`, channel: 'system', taskId: task.id };
    await localActivities.remindTask({
      improvementId: host.improvementId,
      event: host.keyedEvent(entry, `${task.id}:reminded`),
      email: assigneeEmail(host, task, context, 'reminder'),
    });
    host.remember(entry);
    return;
  }
  await notifyAssignee(host, task, context, 'reminder');
  await host.addHistory(
    { step: task.step, actor: 'system', action: `reminded ${task.assignee}`, channel: 'system', taskId: task.id },
    `${task.id}:reminded`,
  );
}

const escalatedTo = (level: 1 | 2) => `escalated to ${level === 1 ? "the assignee's manager" : 'management'}`;

async function escalate(host: TaskHost, task: OpenTask, level: 1 | 2): Promise<void> {
  if (patched('escalate-in-one-step')) return escalateInOneStep(host, task, level);
  const to = level === 1 ? await activities.resolveManager({ email: task.assignee }) : await activities.resolveRole({ role: 'management' });
  task.escalationLevel = level;
  host.escalations.push({ taskId: task.id, level, to, at: new Date().toISOString() });
  // The flag is recorded before the email goes, so whoever follows the email sees it.
  await activities.escalateTask({ taskId: task.id, level });
  await host.addHistory(
    {
      step: task.step,
      actor: 'system',
      action: `${escalatedTo(level)} (${to})`,
      channel: 'system',
      taskId: task.id,
    },
    `${task.id}:escalated-${level}`,
  );
  await activities.sendNotification({
    key: `${task.id}:escalation-${level}`,
    improvementId: host.improvementId,
    taskId: task.id,
    kind: `escalation-${level}`,
    to,
    template: { name: 'escalation', level, step: task.step, assignee: task.assignee, dueAt: task.dueAt, improvementTitle: host.improvementTitle },
  });
}

/** Resolves whom to tell, flags the task, records the escalation and queues its email, in one local activity. */
async function escalateInOneStep(host: TaskHost, task: OpenTask, level: 1 | 2): Promise<void> {
  task.escalationLevel = level;
  const entry: HistoryEntry = { at: new Date().toISOString(), step: task.step, actor: 'system', action: escalatedTo(level), channel: 'system', taskId: task.id };
  const { to } = await localActivities.escalateTaskAndNotify({
    improvementId: host.improvementId,
    taskId: task.id,
    level,
    assignee: task.assignee,
    event: host.keyedEvent(entry, `${task.id}:escalated-${level}`),
    email: {
      key: `${task.id}:escalation-${level}`,
      improvementId: host.improvementId,
      taskId: task.id,
      kind: `escalation-${level}`,
      template: { name: 'escalation', level, step: task.step, assignee: task.assignee, dueAt: task.dueAt, improvementTitle: host.improvementTitle },
    },
  });
  host.escalations.push({ taskId: task.id, level, to, at: entry.at });
  host.remember({ ...entry, action: `${entry.action} (${to})` });
}
