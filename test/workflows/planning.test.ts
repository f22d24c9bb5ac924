import { describe, expect, it } from 'vitest';
import { people } from '../support/activity-recorder';
import { onePlan } from '../support/improvement-journey';
import { useTimeSkipping } from '../support/time-skipping';

const twoActions = {
  ...onePlan,
  actions: [
    { title: 'Add a root-cause field to the review template', owner: people.developer, due: '5bd' },
    { title: 'Train the incident managers', owner: people.operator, due: '10bd' },
  ],
};

describe('the process action plan and its actions, in simulated time', () => {
  const simulate = useTimeSkipping();

  it('when management approves the plan, implementation starts and each action owner is asked to report completion', () =>
    simulate(async (world) => {
      const improvement = await world.submit();
      await improvement.toPlanning();
      await improvement.answer('plan', 'submit', twoActions);
      const approval = await improvement.task('plan-approval');
      expect(approval.assignee).toBe(people.management);
      await improvement.decide(approval, 'approve');

      const state = await improvement.reached('implementation');
      expect(state.plan?.actions.map((action) => action.owner)).toEqual([people.developer, people.operator]);
      expect((await improvement.task('action', { assignee: people.developer })).step).toBe('action');
      expect((await improvement.task('action', { assignee: people.operator })).step).toBe('action');
    }));

  it('when management returns the plan, the process owner is asked again with the comments and the next plan is a new revision', () =>
    simulate(async (world) => {
      const improvement = await world.submit();
      await improvement.toPlanning();
      await improvement.answer('plan', 'submit', onePlan);
      await improvement.answer('plan-approval', 'return', { comment: 'Add a measure of repeat incidents' });

      const again = await improvement.task('plan');
      expect(again.assignee).toBe(people.processOwner);
      expect(world.recorder.emailsAbout(again, 'task-assigned')[0]!.template).toMatchObject({
        context: expect.arrayContaining(['Comments on the previous plan: Add a measure of repeat incidents']),
      });
      expect(await improvement.status()).toMatchObject({ stage: 'planning', planRevision: 1 });

      await improvement.decide(again, 'submit', { ...onePlan, measures: 'Repeat incidents per quarter' });
      await improvement.task('plan-approval');
      expect(await improvement.status()).toMatchObject({ planRevision: 2, plan: { measures: 'Repeat incidents per quarter' } });
    }));

  it('when every action is reported done, the improvement moves on to deployment, and not before', () =>
    simulate(async (world) => {
      const improvement = await world.submit();
      await improvement.toImplementation(twoActions);
      await improvement.answer('action', 'complete', {}, { assignee: people.developer });
      await world.recorder.waitFor('the first action recorded done', () =>
        world.recorder.latestState()?.plan?.actions.some((action) => action.completedBy === people.developer),
      );
      expect((await improvement.status()).stage).toBe('implementation');

      await improvement.answer('action', 'complete', { comment: 'All trained' }, { assignee: people.operator });
      const state = await improvement.reached('deployment');
      expect(state.plan?.actions.map((action) => action.completedBy)).toEqual([people.developer, people.operator]);
      expect((await improvement.task('adoption', { unitId: 'ops' })).assignee).toBe(people.opsManager);
    }));

  it('when an action is late, its owner is reminded, then their manager and then management are alerted, and completing it clears the flag', () =>
    simulate(async (world) => {
      const improvement = await world.submit();
      await improvement.toImplementation({ ...onePlan, actions: [{ ...onePlan.actions[0]!, due: '3bd' }] });
      const action = await improvement.task('action', { assignee: people.developer });

      await world.skipPast(action.remindAt);
      const reminder = await improvement.email('reminder', people.developer);
      expect(reminder.taskId).toBe(action.id);
      expect(world.recorder.emailsAbout(action, 'escalation-1')).toEqual([]);

      await world.skipPast(action.dueAt);
      const toManager = await improvement.email('escalation-1', people.developersManager);
      expect(toManager.at.getTime()).toBeGreaterThanOrEqual(action.dueAt.getTime());
      expect((await improvement.status()).openTasks).toEqual([expect.objectContaining({ id: action.id, escalationLevel: 1 })]);
      expect(world.recorder.emailsAbout(action, 'escalation-2')).toEqual([]);

      await world.skipPast(action.escalateAt);
      const toManagement = await improvement.email('escalation-2', people.management);
      expect(toManagement.template).toMatchObject({ name: 'escalation', level: 2, assignee: people.developer });
      const escalated = await improvement.status();
      expect(escalated.openTasks).toEqual([expect.objectContaining({ id: action.id, escalationLevel: 2 })]);
      expect(escalated.escalations.map((flag) => flag.level)).toEqual([1, 2]);

      await improvement.decide(action, 'complete', { comment: 'Done, late' });
      const moved = await improvement.reached('deployment');
      expect(moved.escalations).toEqual([]);
    }));
});
