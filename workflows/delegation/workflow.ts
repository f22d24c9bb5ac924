import { getExternalWorkflowHandle, proxyActivities, sleep, uuid4 } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { reassignSignal } from '../improvement/definitions';
import type { DelegationStartInput } from './definitions';

type Activities = ReturnType<typeof createActivities>;

const { openTasksToDelegate } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** Waits for an out-of-office delegation to begin, then moves the person's pending tasks to the delegate. */
export async function delegationStart(input: DelegationStartInput): Promise<{ moved: string[] }> {
  const wait = Date.parse(input.startsAt) - Date.now();
  if (wait > 0) await sleep(wait);
  const tasks = await openTasksToDelegate({ delegationId: input.delegationId });
  for (const task of tasks) {
    await getExternalWorkflowHandle(task.workflowId).signal(reassignSignal, {
      requestId: uuid4(),
      taskId: task.taskId,
      to: input.delegate,
      onBehalfOf: input.person,
      by: input.by,
      reason: `${input.person} is away until ${input.endsAt}`,
    });
  }
  return { moved: tasks.map((task) => task.taskId) };
}
