import { describe, expect, it } from 'vitest';
import { people } from '../../support/activity-recorder';
import { libraryUnits, useProcessLibrary } from '../../support/process-library-world';
import { getAdoptionStatusQuery, unitAdoptionWorkflowId } from '../../../workflows/process-library/definitions';

const { ops, it: itDesk } = libraryUnits;
const days = (count: number) => count * 86_400_000;

describe('a unit adopting a published version of a standard process, in simulated time', () => {
  const simulate = useProcessLibrary();

  it('when every unit manager adopts, each unit runs the new version and the deployment ends as deployed', () =>
    simulate(async (world) => {
      const deployment = await world.deploy([ops, itDesk], { plan: { startsAt: '2026-12-07', adoptBy: '2027-01-15', material: ['RCA primer'], contact: people.processOwner } });
      const asked = await world.recorder.openTask('version-adoption', 'ops');
      expect(asked.assignee).toBe(people.opsManager);
      expect(asked.email.subject).toBe('Adopt Incident management version 1 in Operations');
      expect(asked.email.context).toEqual(
        expect.arrayContaining(['Use from: 2026-12-07', 'Adopt by: 2027-01-15', 'Read before adopting: RCA primer', `Questions: ${people.processOwner}`]),
      );
      await world.decide(asked, 'adopt');
      await world.answer('version-adoption', 'it', 'adopt');

      const result = await deployment.result();
      expect(result.status).toBe('deployed');
      expect(result.units.map((unit) => [unit.unitId, unit.status])).toEqual([['ops', 'adopted'], ['it', 'adopted']]);
      expect(world.recorder.adoptions).toEqual([
        { unitId: 'ops', versionId: `${world.processId}-v1` },
        { unitId: 'it', versionId: `${world.processId}-v1` },
      ]);
      expect(world.recorder.eventActions()).toEqual(['deployment started', 'deployed: every unit adopted, tailored or waived']);
    }));

  it('when a unit manager adopts with tailoring, the library records the version as tailored and how', () =>
    simulate(async (world) => {
      const deployment = await world.deploy([ops]);
      await world.answer('version-adoption', 'ops', 'tailor', { tailoring: 'Root cause optional for P4 incidents' });

      const result = await deployment.result();
      expect(result.units[0]?.status).toBe('tailored');
      expect(world.recorder.adoptions).toEqual([{ unitId: 'ops', versionId: `${world.processId}-v1`, tailoring: 'Root cause optional for P4 incidents' }]);
      expect(world.recorder.eventActions('ops')).toEqual(['asked', 'tailored']);
    }));

  it('when the ORPG grants a waiver until a date, the unit is waived until then and the deployment ends', () =>
    simulate(async (world) => {
      const deployment = await world.deploy([ops, itDesk]);
      await world.answer('version-adoption', 'ops', 'waiver', { reason: 'Operations is outsourced from May', expiresAt: '2027-06-30' });
      const ruling = await world.recorder.openTask('version-waiver', 'ops');
      expect(ruling.assignee).toBe(people.orpg);
      expect(ruling.email.context).toContain(`Waiver requested by ${people.opsManager} until 2027-06-30T23:59:59.999Z: Operations is outsourced from May`);
      await world.decide(ruling, 'grant');
      await world.answer('version-adoption', 'it', 'adopt');

      const result = await deployment.result();
      expect(result.status).toBe('deployed');
      expect(result.units.map((unit) => [unit.unitId, unit.status])).toEqual([['ops', 'waived'], ['it', 'adopted']]);
      expect(world.recorder.waivers).toEqual([
        { unitId: 'ops', reason: 'Operations is outsourced from May', expiresAt: '2027-06-30T23:59:59.999Z', grantedBy: people.orpg },
      ]);
    }));

  it('when a waiver request has no expiry date, the decision is refused and the task stays open', () =>
    simulate(async (world) => {
      await world.deploy([ops]);
      const asked = await world.recorder.openTask('version-adoption', 'ops');
      await expect(world.decide(asked, 'waiver', { reason: 'Busy' })).rejects.toMatchObject({
        cause: { type: 'InvalidDecision', message: 'fields.expiresAt: waiver until is required' },
      });
      await expect(world.decide(asked, 'waiver', { reason: 'Busy', expiresAt: '2020-01-31' })).rejects.toMatchObject({
        cause: { type: 'InvalidDecision', message: 'fields.expiresAt: must be in the future' },
      });
      await expect(world.decide(asked, 'adopt', {}, people.itManager)).rejects.toMatchObject({
        cause: { type: 'NotAssignee', message: `only ${people.opsManager} can decide this task` },
      });
      expect(world.recorder.closingOf(asked)).toBeUndefined();
    }));

  it('when the ORPG refuses a waiver, the unit manager is asked again, told of the refusal, and may then adopt', () =>
    simulate(async (world) => {
      const deployment = await world.deploy([ops]);
      const first = await world.answer('version-adoption', 'ops', 'waiver', { reason: 'Too busy this quarter', expiresAt: '2027-03-31' });
      await world.answer('version-waiver', 'ops', 'refuse', { reason: 'Every unit needs root causes' });

      const again = await world.recorder.openTask('version-adoption', 'ops');
      expect(again.id).not.toBe(first.id);
      expect(again.email.context).toEqual(expect.arrayContaining([expect.stringMatching(/^Waiver refused 1 time\(s\)/)]));
      await world.decide(again, 'adopt');

      const result = await deployment.result();
      expect(result.units[0]?.status).toBe('adopted');
      expect(world.recorder.waivers).toEqual([]);
      expect(world.recorder.eventActions('ops')).toEqual(['asked', 'waiver-requested', 'waiver-refused', 'adopted']);
    }));

  it('when a granted waiver expires, adoption reopens for that unit and the manager is asked again', () =>
    simulate(async (world) => {
      const deployment = await world.deploy([ops]);
      const expiresAt = new Date((await world.now()).getTime() + days(60)).toISOString();
      await world.answer('version-adoption', 'ops', 'waiver', { reason: 'Reorganisation under way', expiresAt });
      await world.answer('version-waiver', 'ops', 'grant');
      expect((await deployment.result()).units[0]?.status).toBe('waived');
      const adoption = world.env.client.workflow.getHandle(unitAdoptionWorkflowId(world.processId, 1, 'ops'));
      expect(await adoption.query(getAdoptionStatusQuery)).toMatchObject({ status: 'waived', waiver: { expiresAt } });

      await world.skipPast(new Date(expiresAt));
      const reopened = await world.recorder.openTask('version-adoption', 'ops');
      expect(reopened.email.context).toContain("The unit's waiver expired: adopt the version, or request a new waiver.");
      expect(world.recorder.clearedWaivers).toEqual(['ops']);
      await world.decide(reopened, 'adopt');

      expect(await adoption.result()).toMatchObject({ status: 'adopted', reopenings: 1 });
      expect(world.recorder.eventActions('ops')).toEqual(['asked', 'waiver-requested', 'waived', 'waiver-expired', 'adopted']);
      await world.recordHistory('unit-adoption-waiver-expired', adoption.workflowId);
    }));

  it('when the unit manager does not answer, they are reminded, then their manager and management are told', () =>
    simulate(async (world) => {
      await world.deploy([ops]);
      const asked = await world.recorder.openTask('version-adoption', 'ops');
      await world.skipPast(new Date(asked.escalateAt));
      await world.recorder.waitFor('the second escalation', () => world.recorder.adoptionEscalations.length === 2);
      expect(world.recorder.reminders).toEqual([{ taskId: asked.id, to: people.opsManager }]);
      expect(world.recorder.adoptionEscalations).toEqual([
        { taskId: asked.id, level: 1, to: people.management },
        { taskId: asked.id, level: 2, to: people.management },
      ]);
    }));
});
