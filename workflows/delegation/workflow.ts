import { condition, getExternalWorkflowHandle, patched, proxyActivities, setHandler, sleep, uuid4 } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import type { DelegatedTask } from '../../activities/delegations';
import { reassignSignal } from '../improvement/definitions';
import { delegationCancelledSignal, type DelegationStartInput } from './definitions';

type Activities = ReturnType<typeof createActivities>;

const { openTasksToDelegate, delegatedTasksToReturn } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/**
 * An out-of-office delegation, from its first day to its end: at its start the person's pending
 * tasks move to the delegate; when it ends or is cancelled, the tasks the delegate still holds for
 * the person go back to the person, and the delegate's links die.
 */
export async function delegationStart(input: DelegationStartInput): Promise<{ moved: string[]; returned?: string[] }> {
  let cancelled = false;
  setHandler(delegationCancelledSignal, () => {
    cancelled = true;
  });
  const wait = Date.parse(input.startsAt) - Date.now();
  if (wait > 0) await sleep(wait);
  const moved = await openTasksToDelegate({ delegationId: input.delegationId });
  await reassignAll(moved, input.delegate, input.person, `${input.person} is away until ${input.endsAt}`, input.by);
  // Delegations started before this version ended when their tasks moved.
  if (!patched('delegation-returns-tasks-at-end')) return { moved: ids(moved) };

  const remaining = Date.parse(input.endsAt) - Date.now();
  if (remaining > 0 && !cancelled) await condition(() => cancelled, remaining);
  const returned = await delegatedTasksToReturn({ delegationId: input.delegationId });
  await reassignAll(returned, input.person, undefined, `${input.delegate}'s delegation for ${input.person} ended`, 'system');
  return { moved: ids(moved), returned: ids(returned) };
}

async function reassignAll(tasks: DelegatedTask[], to: string, onBehalfOf: string | undefined, reason: string, by: string): Promise<void> {
  for (const task of tasks) {
    try {
      await getExternalWorkflowHandle(task.workflowId).signal(reassignSignal, { requestId: uuid4(), taskId: task.taskId, to, onBehalfOf, by, reason });
    } catch {
      // The improvement ended meanwhile: its task closed with it.
    }
  }
}

function ids(tasks: DelegatedTask[]): string[] {
  return tasks.map((task) => task.taskId);
}
