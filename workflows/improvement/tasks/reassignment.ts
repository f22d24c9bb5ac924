import { activities } from '../activity-proxy';
import type { ReassignRequest, ReassignResult } from '../definitions';
import { notifyAssignee } from './opening';
import type { LiveTask, TaskHost } from './task';

/** Moves an open task to another person: their fresh link replaces the old one, the clock runs on. */
export async function reassignTask(host: TaskHost, live: LiveTask, request: ReassignRequest): Promise<ReassignResult> {
  const { task } = live;
  const from = task.assignee;
  task.assignee = request.to.toLowerCase();
  task.onBehalfOf = request.onBehalfOf?.toLowerCase();
  live.reassignments += 1;
  const attempt = live.reassignments;
  await activities.reassignTask({ taskId: task.id, assignee: task.assignee, onBehalfOf: task.onBehalfOf });
  await host.addHistory(
    {
      step: task.step,
      actor: request.by,
      action: task.onBehalfOf ? `reassigned from ${from} to ${task.assignee} for ${task.onBehalfOf}` : `reassigned from ${from} to ${task.assignee}`,
      comment: request.reason,
      channel: 'api',
      taskId: task.id,
    },
    `${task.id}:reassigned:${attempt}`,
  );
  await notifyAssignee(host, task, live.context, 'task-assigned', attempt);
  return { taskId: task.id, assignee: task.assignee };
}
