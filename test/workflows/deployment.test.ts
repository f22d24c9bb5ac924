import { describe, expect, it } from 'vitest';
import { people } from '../support/activity-recorder';
import { useTimeSkipping } from '../support/time-skipping';

const twoUnits = { orgUnits: ['ops', 'it'] };

describe('deployment to each organisational unit, in simulated time', () => {
  const simulate = useTimeSkipping();

  it('when a unit manager confirms adoption, that unit is adopted while the other is still asked', () =>
    simulate(async (world) => {
      const improvement = await world.submit(twoUnits);
      await improvement.toDeployment();
      const adoption = await improvement.task('adoption', { unitId: 'ops' });
      expect(adoption.assignee).toBe(people.opsManager);
      await improvement.decide(adoption, 'adopt');

      await world.recorder.waitFor('the ops unit recorded as adopted', () =>
        world.recorder.latestState()?.units.some((unit) => unit.unitId === 'ops' && unit.status === 'adopted'),
      );
      const state = await improvement.status();
      expect(state.stage).toBe('deployment');
      expect(state.units.find((unit) => unit.unitId === 'it')?.status).toBe('pending');

      await improvement.answer('adoption', 'adopt', {}, { unitId: 'it' });
      const audited = await improvement.reached('audit');
      expect(audited.units.map((unit) => [unit.unitId, unit.status])).toEqual([['ops', 'adopted'], ['it', 'adopted']]);
    }));

  it('when a unit manager adopts with tailoring, the tailoring is recorded and shown to the auditor of that unit', () =>
    simulate(async (world) => {
      const improvement = await world.submit(twoUnits);
      await improvement.toDeployment();
      await improvement.answer('adoption', 'tailor', { tailoring: 'Root cause optional for P4 incidents' }, { unitId: 'ops' });
      await improvement.answer('adoption', 'adopt', {}, { unitId: 'it' });

      const state = await improvement.reached('audit');
      expect(state.units.find((unit) => unit.unitId === 'ops')).toMatchObject({ status: 'adopted', tailoring: 'Root cause optional for P4 incidents' });
      await improvement.skipThroughWait();
      const audit = await improvement.task('audit', { unitId: 'ops' });
      expect(audit.assignee).toBe(people.auditor);
      expect(world.recorder.emailsAbout(audit, 'task-assigned')[0]!.template).toMatchObject({
        context: expect.arrayContaining(['Organisational unit: Operations', 'Tailoring: Root cause optional for P4 incidents']),
      });
    }));

  it('when the ORPG grants a unit its waiver, the unit is waived and is not audited', () =>
    simulate(async (world) => {
      const improvement = await world.submit(twoUnits);
      await improvement.toDeployment();
      await improvement.answer('adoption', 'waiver', { reason: 'Operations is outsourced from May' }, { unitId: 'ops' });
      const waiver = await improvement.task('waiver', { unitId: 'ops' });
      expect(waiver.assignee).toBe(people.orpg);
      expect(world.recorder.emailsAbout(waiver, 'task-assigned')[0]!.template).toMatchObject({
        context: expect.arrayContaining([`Waiver requested by ${people.opsManager}: Operations is outsourced from May`]),
      });
      await improvement.decide(waiver, 'grant');
      await improvement.answer('adoption', 'adopt', {}, { unitId: 'it' });

      const state = await improvement.reached('audit');
      expect(state.units.find((unit) => unit.unitId === 'ops')).toMatchObject({ status: 'waived', waiverReason: 'Operations is outsourced from May' });
      await improvement.skipThroughWait();
      await improvement.task('audit', { unitId: 'it' });
      expect(world.recorder.tasks.filter((task) => task.step === 'audit').map((task) => task.unitId)).toEqual(['it']);
    }));

  it('when the ORPG refuses a waiver, the unit manager is asked again to adopt and told of the refusal', () =>
    simulate(async (world) => {
      const improvement = await world.submit({ orgUnits: ['ops'] });
      await improvement.toDeployment();
      const first = await improvement.task('adoption', { unitId: 'ops' });
      await improvement.decide(first, 'waiver', { reason: 'Too busy this quarter' });
      await improvement.answer('waiver', 'refuse', { reason: 'Every unit needs root causes' }, { unitId: 'ops' });

      const again = await improvement.task('adoption', { unitId: 'ops' });
      expect(again.id).not.toBe(first.id);
      expect(again.assignee).toBe(people.opsManager);
      expect(world.recorder.emailsAbout(again, 'task-assigned')[0]!.template).toMatchObject({
        context: expect.arrayContaining([expect.stringMatching(/^Waiver refused 1 time\(s\)/)]),
      });
      expect((await improvement.status()).stage).toBe('deployment');

      await improvement.decide(again, 'adopt');
      const state = await improvement.reached('audit');
      expect(state.units).toEqual([expect.objectContaining({ unitId: 'ops', status: 'adopted', waiverRefusals: 1 })]);
    }));
});
