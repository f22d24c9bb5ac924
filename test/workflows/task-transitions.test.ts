import { describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { people } from '../support/activity-recorder';
import { useTimeSkipping } from '../support/time-skipping';

/** The activities a workflow ran, in order, as its history shows them; local ones marked so. */
async function activitiesScheduled(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) return [name];
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = marker.details?.data?.payloads?.[0]?.data;
    const local = data ? (JSON.parse(Buffer.from(data).toString()) as { activity_type?: string }).activity_type : undefined;
    return [`${local ?? 'unknown'} (local)`];
  });
}

describe("a task's transitions, each one activity run by the worker within the workflow task, in simulated time", () => {
  const simulate = useTimeSkipping();

  it("the ORPG's review task opens in one activity that also queues their email, and their decision closes it with its history entry in one", () =>
    simulate(async (world) => {
      const improvement = await world.submit({ title: 'One step each' });
      const review = await improvement.task('review');
      expect(review.assignee).toBe(people.orpg);
      expect(world.recorder.emailsAbout(review, 'task-assigned')).toEqual([expect.objectContaining({ to: people.orpg })]);
      expect(world.recorder.events).toContainEqual(expect.objectContaining({ key: `${review.id}:opened`, action: `asked ${people.orpg}` }));

      await improvement.decide(review, 'accept');
      const score = await improvement.task('score');
      expect(world.recorder.events).toContainEqual(expect.objectContaining({ key: `${review.id}:decided`, actor: people.orpg }));
      expect(await activitiesScheduled(improvement.handle)).toEqual([
        'recordImprovement (local)', // submitted
        'sendNotification', // the proposer's acknowledgement
        'openTaskAndNotify', // review
        'closeTask (local)', // review decided, with its history entry, in the workflow task that took the decision
        'recordImprovement (local)', // moved to prioritisation
        'openTaskAndNotify', // score
      ]);
      const state = await improvement.status();
      expect(state.openTasks.map((task) => task.id)).toEqual([score.id]);
      // The history is in the read model; the workflow keeps only how many entries it has.
      expect(world.recorder.events.map((entry) => entry.action)).toEqual([
        'submitted',
        `asked ${people.orpg}`,
        'Accept',
        'accepted for prioritisation',
        `asked ${people.orpg}`,
      ]);
      expect(world.recorder.events[2]).toMatchObject({ actor: people.orpg, taskId: review.id });
      expect(state.history).toBeUndefined();
      expect(state.historyCount).toBe(5);
    }));
});
