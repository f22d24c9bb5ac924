import { describe, expect, it } from 'vitest';
import { people } from '../support/activity-recorder';
import { useTimeSkipping } from '../support/time-skipping';

const dayMs = 86_400_000;

describe('prioritisation and the steering decision, in simulated time', () => {
  const simulate = useTimeSkipping();

  it('when management approves, the improvement moves to planning with its priority and the process owner is asked for a plan', () =>
    simulate(async (world) => {
      const improvement = await world.submit();
      await improvement.toPrioritisation();
      await improvement.answer('score', 'score', { cost: 2, benefit: 5, risk: 2, barriers: 1 });
      const steering = await improvement.task('steering');
      expect(steering.assignee).toBe(people.management);
      await improvement.decide(steering, 'approve');

      const state = await improvement.reached('planning');
      expect(state).toMatchObject({ priority: 15, scores: { cost: 2, benefit: 5, risk: 2, barriers: 1 } });
      const plan = await improvement.task('plan');
      expect(plan.assignee).toBe(people.processOwner);
    }));

  it('when management rejects, the proposer is told why and the improvement closes as rejected', () =>
    simulate(async (world) => {
      const improvement = await world.submit();
      await improvement.toPrioritisation();
      await improvement.answer('score', 'score', { cost: 5, benefit: 1, risk: 4, barriers: 4 });
      await improvement.answer('steering', 'reject', { reason: 'Not worth its cost this year' });

      const final = await improvement.ended();
      expect(final).toMatchObject({ status: 'rejected', endReason: 'Not worth its cost this year', openTasks: [] });
      const told = await improvement.email('improvement-rejected', people.proposer);
      expect(told.template).toMatchObject({ reason: 'Not worth its cost this year', actor: people.management });
    }));

  it('when management defers, nothing is asked until the date, then management decides again without a new scoring', () =>
    simulate(async (world) => {
      const improvement = await world.submit();
      await improvement.toPrioritisation();
      await improvement.answer('score', 'score', { cost: 2, benefit: 4, risk: 2, barriers: 2 });
      const until = new Date((await world.now()).getTime() + 10 * dayMs);
      const firstSteering = await improvement.task('steering');
      await improvement.decide(firstSteering, 'defer', { until: until.toISOString(), comment: 'After the budget round' });
      expect((await improvement.reached('deferred')).deferredUntil).toBe(until.toISOString());

      await world.skip(9 * dayMs);
      expect((await improvement.status()).stage).toBe('deferred');
      expect(world.recorder.tasks.filter((task) => world.recorder.isOpen(task))).toEqual([]);

      await world.skipPast(until);
      const secondSteering = await improvement.task('steering');
      expect(secondSteering.id).not.toBe(firstSteering.id);
      expect(secondSteering.assignee).toBe(people.management);
      expect(secondSteering.openedAt.getTime()).toBeGreaterThanOrEqual(until.getTime());
      expect((await improvement.status()).stage).toBe('prioritisation');
      expect(world.recorder.tasks.filter((task) => task.step === 'score')).toHaveLength(1);

      await improvement.decide(secondSteering, 'approve');
      await improvement.reached('planning');
    }));
});
