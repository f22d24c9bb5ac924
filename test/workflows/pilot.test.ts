import { describe, expect, it } from 'vitest';
import { people } from '../support/activity-recorder';
import { pilotPlan } from '../support/improvement-journey';
import { useTimeSkipping } from '../support/time-skipping';

describe('the pilot, in simulated time', () => {
  const simulate = useTimeSkipping();

  it('when the ORPG approves the pilot plan, the pilot runs its business days and only then is the process owner asked for results', () =>
    simulate(async (world) => {
      const improvement = await world.submit({ pilot: true });
      await improvement.toPilot();
      const planTask = await improvement.task('pilot-plan');
      expect(planTask.assignee).toBe(people.processOwner);
      await improvement.decide(planTask, 'submit', pilotPlan);
      const approval = await improvement.task('pilot-approval');
      expect(approval.assignee).toBe(people.orpg);
      await improvement.decide(approval, 'approve');

      const run = await world.recorder.waitFor('the pilot to start', () => world.recorder.waits[0]);
      expect(run.duration).toBe('10bd');
      expect(await improvement.status()).toMatchObject({ stage: 'pilot', pilotPlan: { units: ['ops'], duration: '10bd' } });
      await world.skip(run.until.getTime() - run.from.getTime() - 3_600_000);
      expect(world.recorder.tasks.some((task) => task.step === 'pilot-results')).toBe(false);

      await world.skipPast(run.until);
      const results = await improvement.task('pilot-results');
      expect(results.assignee).toBe(people.processOwner);
      expect(results.openedAt.getTime()).toBeGreaterThanOrEqual(run.until.getTime());
    }));

  it('when the ORPG returns the pilot plan, the process owner is asked for a new one and sees the comments', () =>
    simulate(async (world) => {
      const improvement = await world.submit({ pilot: true });
      await improvement.toPilot();
      const first = await improvement.task('pilot-plan');
      await improvement.decide(first, 'submit', pilotPlan);
      await improvement.answer('pilot-approval', 'return', { comment: 'Pilot in two units, not one' });

      const second = await improvement.task('pilot-plan');
      expect(second.id).not.toBe(first.id);
      expect(second.assignee).toBe(people.processOwner);
      expect(world.recorder.emailsAbout(second, 'task-assigned')[0]!.template).toMatchObject({
        context: expect.arrayContaining(['Comments on the previous pilot plan: Pilot in two units, not one']),
      });
      expect((await improvement.status()).stage).toBe('pilot');
    }));

  it('when the ORPG decides go after the pilot, deployment starts and each unit manager is asked to adopt', () =>
    simulate(async (world) => {
      const improvement = await world.submit({ pilot: true, orgUnits: ['ops', 'it'] });
      await improvement.toPilot();
      await improvement.throughPilotRun();
      const decision = await improvement.task('pilot-decision');
      expect(decision.assignee).toBe(people.orpg);
      await improvement.decide(decision, 'go');

      const state = await improvement.reached('deployment');
      expect(state.pilotResult).toEqual({ results: '19 of 20 reviews named a root cause', criteriaMet: true });
      expect((await improvement.task('adoption', { unitId: 'ops' })).assignee).toBe(people.opsManager);
      expect((await improvement.task('adoption', { unitId: 'it' })).assignee).toBe(people.itManager);
    }));

  it('when the ORPG decides to revise after the pilot, the process owner is asked for a new plan with the comments', () =>
    simulate(async (world) => {
      const improvement = await world.submit({ pilot: true });
      await improvement.toPilot();
      await improvement.throughPilotRun();
      await improvement.answer('pilot-decision', 'revise', { comment: 'Make the field mandatory' });

      const plan = await improvement.task('plan');
      expect(plan.assignee).toBe(people.processOwner);
      expect(world.recorder.emailsAbout(plan, 'task-assigned')[0]!.template).toMatchObject({
        context: expect.arrayContaining(['Comments on the previous plan: Make the field mandatory']),
      });
      const state = await improvement.status();
      expect(state).toMatchObject({ stage: 'planning', planRevision: 1 });
      expect(state.pilotPlan).toBeUndefined();
    }));

  it('when the ORPG abandons after the pilot, the proposer is told why and the improvement closes as abandoned', () =>
    simulate(async (world) => {
      const improvement = await world.submit({ pilot: true });
      await improvement.toPilot();
      await improvement.throughPilotRun();
      await improvement.answer('pilot-decision', 'abandon', { reason: 'No effect on repeat incidents' });

      const final = await improvement.ended();
      expect(final).toMatchObject({ stage: 'abandoned', status: 'abandoned', endReason: 'No effect on repeat incidents', openTasks: [] });
      const told = await improvement.email('improvement-abandoned', people.proposer);
      expect(told.template).toMatchObject({ reason: 'No effect on repeat incidents', actor: people.orpg });
    }));
});
