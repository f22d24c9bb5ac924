import { patched } from '@temporalio/workflow';
import { activities, localActivities } from '../activity-proxy';
import type { HistoryEntry, OpenTask } from '../definitions';
import { steps } from '../steps';
import type { Decision, LiveTask, TaskHost } from './task';

/** Closes the task as decided or cancelled and records it; the decider's update returns only after. */
export async function closeTask(host: TaskHost, live: LiveTask, status: 'decided' | 'cancelled', decision?: Decision): Promise<void> {
  const { task } = live;
  removeWhere(host.openTasks, (open) => open.id === task.id);
  removeWhere(host.escalations, (flag) => flag.taskId === task.id);
  const { entry: closing, key } = closingEntry(task, decision);
  const entry: HistoryEntry = { at: new Date().toISOString(), ...closing };
  // One activity closes the task and records its history entry, in one transaction.
  const inOneActivity = patched('close-task-with-its-history');
  // Run in the workflow task itself: the decider waits on it, and it is one idempotent transaction.
  const closer = inOneActivity && patched('close-task-locally') ? localActivities : activities;
  await closer.closeTask({
    taskId: task.id,
    status,
    outcome: decision?.outcome,
    decision: decision?.fields,
    decidedBy: decision?.actor,
    channel: decision?.channel,
    decisionId: decision?.decisionId,
    via: decision?.via,
    onBehalfOf: decision ? task.onBehalfOf : undefined,
    requestId: decision?.requestId,
    ...(inOneActivity ? { event: host.keyedEvent(entry, key) } : {}),
  });
  if (inOneActivity) host.remember(entry);
  else await host.addHistory(closing, key);
  // The decider's update returns only now, once the read model shows the task closed.
  live.closed = true;
}

function closingEntry(task: OpenTask, decision?: Decision): { entry: Omit<HistoryEntry, 'at'>; key: string } {
  if (!decision) {
    return { entry: { step: task.step, actor: 'system', action: 'task cancelled', channel: 'system', taskId: task.id }, key: `${task.id}:cancelled` };
  }
  const label = steps[task.step].outcomes.find((outcome) => outcome.name === decision.outcome)?.label ?? decision.outcome;
  return {
    entry: {
      step: task.step,
      actor: task.onBehalfOf ? `${decision.actor} for ${task.onBehalfOf}` : decision.actor,
      action: label,
      comment: summarise(decision.fields),
      channel: decision.channel,
      taskId: task.id,
    },
    key: `${task.id}:decided`,
  };
}

function removeWhere<T>(items: T[], predicate: (item: T) => boolean): void {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    if (predicate(items[index] as T)) items.splice(index, 1);
  }
}

/** A short, readable summary of a decision's fields for the history. */
function summarise(fields: Record<string, unknown>): string | undefined {
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => {
      if (name === 'comment' || name === 'reason') return String(value);
      if (Array.isArray(value)) return `${name}: ${value.length} item(s)`;
      return `${name}: ${String(value)}`;
    });
  return parts.length > 0 ? parts.join('; ') : undefined;
}
