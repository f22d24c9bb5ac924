import { describe, expect, it } from 'vitest';
import { people } from '../support/activity-recorder';
import { useTimeSkipping } from '../support/time-skipping';

const lessons = { lessons: 'Templates beat reminders', measuredEffect: 'Root causes in 92% of reviews, up from 40%' };

describe('lessons learned, in simulated time', () => {
  const simulate = useTimeSkipping();

  it('when the ORPG confirms the lessons, the improvement closes and the proposer is told', () =>
    simulate(async (world) => {
      const improvement = await world.submit({ title: 'Root causes' });
      await improvement.toLessons();
      await improvement.answer('lessons', 'submit', lessons);
      const confirm = await improvement.task('lessons-confirm');
      expect(confirm.assignee).toBe(people.orpg);
      await improvement.decide(confirm, 'confirm');

      const final = await improvement.ended();
      expect(final).toMatchObject({ stage: 'closed', status: 'closed', lessons, openTasks: [] });
      const told = await improvement.email('improvement-closed', people.proposer);
      expect(told.template).toMatchObject({ name: 'ended', status: 'closed', improvementTitle: 'Root causes' });
    }));

  it('when the ORPG returns the lessons, the process owner is asked again with the comments, and the improvement stays open', () =>
    simulate(async (world) => {
      const improvement = await world.submit();
      await improvement.toLessons();
      const first = await improvement.task('lessons');
      await improvement.decide(first, 'submit', lessons);
      await improvement.answer('lessons-confirm', 'return', { comment: 'Compare with the baseline quarter' });

      const again = await improvement.task('lessons');
      expect(again.id).not.toBe(first.id);
      expect(again.assignee).toBe(people.processOwner);
      expect(world.recorder.emailsAbout(again, 'task-assigned')[0]!.template).toMatchObject({
        context: expect.arrayContaining(['Comments on the previous lessons: Compare with the baseline quarter']),
      });
      expect(await improvement.status()).toMatchObject({ stage: 'lessons', status: 'active' });
      expect(world.recorder.emails.some((email) => email.kind === 'improvement-closed')).toBe(false);
    }));
});
