import { describe, expect, it } from 'vitest';
import { people } from '../support/activity-recorder';
import { useTimeSkipping } from '../support/time-skipping';

describe('the compliance audit, in simulated time', () => {
  const simulate = useTimeSkipping();

  it('when the auditor finds a unit compliant after the settling period, the process owner is asked for lessons', () =>
    simulate(async (world) => {
      const improvement = await world.submit({ durations: { settlingPeriod: '15bd' } });
      await improvement.toDeployment();
      await improvement.answer('adoption', 'adopt', {}, { unitId: 'ops' });
      await improvement.reached('audit');
      const settling = await world.recorder.waitFor('the settling period', () => world.recorder.waits[0]);
      expect(settling.duration).toBe('15bd');
      await world.skip(settling.until.getTime() - settling.from.getTime() - 3_600_000);
      expect(world.recorder.tasks.some((task) => task.step === 'audit')).toBe(false);

      await world.skipPast(settling.until);
      const audit = await improvement.task('audit', { unitId: 'ops' });
      expect(audit.assignee).toBe(people.auditor);
      await improvement.decide(audit, 'compliant');

      const state = await improvement.reached('lessons');
      expect(state.units).toEqual([expect.objectContaining({ unitId: 'ops', audit: 'compliant' })]);
      expect((await improvement.task('lessons')).assignee).toBe(people.processOwner);
    }));

  it('when the auditor finds a unit non-compliant, its manager is asked to correct it, and once corrected lessons follow', () =>
    simulate(async (world) => {
      const improvement = await world.submit();
      await improvement.toAudit();
      await improvement.answer('audit', 'non-compliant', { findings: 'Three reviews without a root cause' }, { unitId: 'ops' });

      const correction = await improvement.task('corrective-action', { unitId: 'ops' });
      expect(correction.assignee).toBe(people.opsManager);
      expect(world.recorder.emailsAbout(correction, 'task-assigned')[0]!.template).toMatchObject({
        context: expect.arrayContaining(['Audit findings: Three reviews without a root cause']),
      });
      expect(await improvement.status()).toMatchObject({ stage: 'audit', units: [expect.objectContaining({ audit: 'non-compliant' })] });

      await improvement.decide(correction, 'close', { action: 'Reviews reopened and completed' });
      const state = await improvement.reached('lessons');
      expect(state.units).toEqual([
        expect.objectContaining({ audit: 'corrected', findings: 'Three reviews without a root cause', correctiveAction: 'Reviews reopened and completed' }),
      ]);
    }));
});
