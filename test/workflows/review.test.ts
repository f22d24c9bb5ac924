import { describe, expect, it } from 'vitest';
import { people } from '../support/activity-recorder';
import { useTimeSkipping } from '../support/time-skipping';

describe('review of a proposal, in simulated time', () => {
  const simulate = useTimeSkipping();

  it('on submission the proposer is acknowledged and the ORPG is asked to review', () =>
    simulate(async (world) => {
      const improvement = await world.submit({ title: 'Root causes' });
      expect((await improvement.email('acknowledgement', people.proposer)).template).toMatchObject({ improvementTitle: 'Root causes' });
      const review = await improvement.task('review');
      expect(review.assignee).toBe(people.orpg);
      expect((await improvement.status()).stage).toBe('review');
    }));

  it('when the ORPG accepts, the improvement moves to prioritisation and the ORPG is asked to score it', () =>
    simulate(async (world) => {
      const improvement = await world.submit();
      const result = await improvement.decide(await improvement.task('review'), 'accept');
      expect(result).toMatchObject({ outcome: 'accept', stage: 'prioritisation' });

      const state = await improvement.reached('prioritisation');
      expect(state.status).toBe('active');
      expect(world.recorder.events.map((entry) => entry.action)).toContain('accepted for prioritisation');
      const score = await improvement.task('score');
      expect(score.assignee).toBe(people.orpg);
    }));

  it('when the ORPG rejects, the proposer is told why and the improvement closes as rejected', () =>
    simulate(async (world) => {
      const improvement = await world.submit({ title: 'A duplicate' });
      await improvement.decide(await improvement.task('review'), 'reject', { reason: 'Duplicates an improvement in flight' });

      const final = await improvement.ended();
      expect(final).toMatchObject({ stage: 'rejected', status: 'rejected', endReason: 'Duplicates an improvement in flight', openTasks: [] });
      const told = await improvement.email('improvement-rejected', people.proposer);
      expect(told.template).toMatchObject({ name: 'ended', status: 'rejected', reason: 'Duplicates an improvement in flight', actor: people.orpg });
      expect(world.recorder.tasks.map((task) => task.step)).toEqual(['review']);
    }));

  it('when the ORPG requests changes, the proposer revises and resubmits, and the ORPG reviews the revision', () =>
    simulate(async (world) => {
      const improvement = await world.submit({ title: 'Needs another pass' });
      const firstReview = await improvement.task('review');
      await improvement.decide(firstReview, 'request-changes', { comment: 'Quantify the repeat incidents' });

      const revise = await improvement.task('revise');
      expect(revise.assignee).toBe(people.proposer);
      expect((await improvement.status()).stage).toBe('revision');
      const [asked] = world.recorder.emailsAbout(revise, 'task-assigned');
      expect(asked!.to).toBe(people.proposer);
      expect(asked!.template).toMatchObject({ context: expect.arrayContaining(['Changes requested: Quantify the repeat incidents']) });

      await improvement.decide(revise, 'resubmit', { title: 'Needs another pass (12 repeat incidents)', comment: 'Added figures' });
      const secondReview = await improvement.task('review');
      expect(secondReview.id).not.toBe(firstReview.id);
      expect(secondReview.assignee).toBe(people.orpg);
      const state = await improvement.status();
      expect(state).toMatchObject({ stage: 'review', revision: 1, proposal: { title: 'Needs another pass (12 repeat incidents)' } });
      expect(world.recorder.emailsAbout(secondReview, 'task-assigned')[0]!.template).toMatchObject({
        improvementTitle: 'Needs another pass (12 repeat incidents)',
      });
    }));

  it('when the ORPG requests changes and the proposer withdraws, the improvement closes as withdrawn', () =>
    simulate(async (world) => {
      const improvement = await world.submit();
      await improvement.answer('review', 'request-changes', { comment: 'Name the process it changes' });
      await improvement.answer('revise', 'withdraw', { reason: 'Another team is fixing this' });

      const final = await improvement.ended();
      expect(final).toMatchObject({ stage: 'withdrawn', status: 'withdrawn', endReason: 'Another team is fixing this', openTasks: [] });
      const told = await improvement.email('improvement-withdrawn', people.proposer);
      expect(told.template).toMatchObject({ status: 'withdrawn', actor: people.proposer });
    }));
});
