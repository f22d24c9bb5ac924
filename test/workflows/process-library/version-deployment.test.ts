import { describe, expect, it } from 'vitest';
import { people } from '../../support/activity-recorder';
import { libraryUnits, useProcessLibrary } from '../../support/process-library-world';
import {
  getDeploymentStatusQuery,
  unitAdoptionWorkflowId,
  type VersionDeploymentState,
} from '../../../workflows/process-library/definitions';

const { ops, it: itDesk, sales } = libraryUnits;

describe('deploying a published version to every unit that runs the process, in simulated time', () => {
  const simulate = useProcessLibrary();

  it('without a list of units, the deployment asks every unit the library says runs the process', () =>
    simulate(async (world) => {
      const deployment = await world.deploy([ops, itDesk]);
      await world.answer('version-adoption', 'ops', 'adopt');
      await world.answer('version-adoption', 'it', 'adopt');
      expect((await deployment.result()).units.map((unit) => unit.workflowId)).toEqual([
        unitAdoptionWorkflowId(world.processId, 1, 'ops'),
        unitAdoptionWorkflowId(world.processId, 1, 'it'),
      ]);
    }));

  it('when a unit starts running the process mid-deployment, it joins: its manager is asked and the deployment waits for it', () =>
    simulate(async (world) => {
      const deployment = await world.deploy([ops]);
      await world.answer('version-adoption', 'ops', 'adopt');
      await world.recorder.waitFor('ops recorded as adopted', () => world.recorder.adoptions.length === 1);

      const joined = await world.join(1, sales);
      expect(joined.units.map((unit) => unit.unitId)).toEqual(['ops', 'sales']);
      expect(joined.units[1]?.status).toBe('pending');
      const again = await world.join(1, sales);
      expect(again.units).toHaveLength(2);
      const asked = await world.recorder.openTask('version-adoption', 'sales');
      expect(asked.assignee).toBe('sales.manager@example.org');
      expect((await deployment.query(getDeploymentStatusQuery)).status).toBe('deploying');
      await world.decide(asked, 'adopt');

      const result = await deployment.result();
      expect(result.status).toBe('deployed');
      expect(result.units.map((unit) => [unit.unitId, unit.status])).toEqual([['ops', 'adopted'], ['sales', 'adopted']]);
      expect(world.recorder.eventActions('sales')).toEqual(['Sales joined the deployment', 'asked', 'adopted']);
      await world.recordHistory('version-deployment-unit-joined', deployment.workflowId);
    }));

  it('when a unit starts running the process after the deployment ended, a new run of the deployment asks only that unit', () =>
    simulate(async (world) => {
      const deployment = await world.deploy([ops]);
      await world.answer('version-adoption', 'ops', 'adopt');
      await deployment.result();

      // What the API does when a unit is added: join the deployment, starting it again if it has ended.
      const joined = await world.join(1, sales);
      expect(joined.units.map((unit) => [unit.unitId, unit.status])).toEqual([['sales', 'pending']]);
      await world.answer('version-adoption', 'sales', 'adopt');
      const rerun = await world.env.client.workflow.getHandle(deployment.workflowId).result();
      expect((rerun as VersionDeploymentState).units.map((unit) => [unit.unitId, unit.status])).toEqual([['sales', 'adopted']]);
      expect(world.recorder.adoptionTasks.filter((task) => task.unitId === 'ops')).toHaveLength(1);
    }));

  it('when a newer version is published mid-deployment, units not yet done close as superseded, those done keep this version, and every unit is asked to adopt the newer one', () =>
    simulate(async (world) => {
      const deployment = await world.deploy([ops, itDesk]);
      await world.answer('version-adoption', 'ops', 'adopt');
      const pending = await world.recorder.openTask('version-adoption', 'it');
      await world.recorder.waitFor('ops recorded as adopted', () => world.recorder.adoptions.length === 1);

      const second = await world.deploy([ops, itDesk], { version: 2, supersedes: 1 });
      const result = await deployment.result();
      expect(result).toMatchObject({ status: 'superseded', supersededBy: 2 });
      expect(result.units.map((unit) => [unit.unitId, unit.status])).toEqual([['ops', 'adopted'], ['it', 'superseded']]);
      expect(world.recorder.closingOf(pending)).toEqual({ taskId: pending.id, status: 'cancelled' });
      const child = world.env.client.workflow.getHandle(unitAdoptionWorkflowId(world.processId, 1, 'it'));
      expect(await child.result()).toMatchObject({ status: 'superseded', supersededBy: 2 });
      expect(world.recorder.eventActions(undefined, 1)).toEqual(['deployment started', 'superseded by version 2']);
      expect(world.recorder.adoptions.map((adoption) => adoption.unitId)).toEqual(['ops']);
      const askedAgain = await world.recorder.waitFor('both units asked to adopt version 2', () => {
        const tasks = world.recorder.adoptionTasks.filter((task) => task.versionId.endsWith('-v2'));
        return tasks.length === 2 && tasks;
      });
      expect(askedAgain.map((task) => task.unitId).sort()).toEqual(['it', 'ops']);
      expect((await second.query(getDeploymentStatusQuery)).status).toBe('deploying');
      await world.recordHistory('version-deployment-superseded', deployment.workflowId);
      await world.recordHistory('unit-adoption-superseded', child.workflowId);
      expect(world.recorder.adoptionTasks.some((task) => task.unitId === 'sales')).toBe(false);
    }));

  it('when the plan\'s adopt-by date passes with units still asked, the deployment records itself late and keeps waiting', () =>
    simulate(async (world) => {
      const adoptBy = new Date((await world.now()).getTime() + 30 * 86_400_000);
      const deployment = await world.deploy([ops], { plan: { adoptBy: adoptBy.toISOString(), material: [], contact: people.processOwner } });
      await world.recorder.openTask('version-adoption', 'ops');
      await world.skipPast(adoptBy);
      await world.recorder.waitFor('the late record', () => world.recorder.eventActions().includes('late against the plan: Operations not yet adopted'));
      expect((await deployment.query(getDeploymentStatusQuery)).lateSince).toBeDefined();
      await world.answer('version-adoption', 'ops', 'adopt');
      expect((await deployment.result()).status).toBe('deployed');
    }));
});
