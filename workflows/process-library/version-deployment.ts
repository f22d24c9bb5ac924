import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createActivities } from '../../activities';
import {
  type DeployedUnit,
  deploymentRefusals,
  getDeploymentStatusQuery,
  supersededSignal,
  type UnitToDeploy,
  unitAdoptionWorkflowId,
  unitJoinedUpdate,
  unitProgressSignal,
  type VersionDeploymentInput,
  type VersionDeploymentState,
  versionDeploymentWorkflowId,
} from './definitions';
import { isSettled, unitAdoption } from './unit-adoption';

type Activities = ReturnType<typeof createActivities>;

const { unitsRunningProcess, recordDeployment } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

interface Deployment {
  input: VersionDeploymentInput;
  state: VersionDeploymentState;
  /** Records a milestone of the deployment in its history, once per key. */
  record: (action: string, key: string, unitId?: string) => Promise<void>;
}

/**
 * Deploys one published version of a standard process to every unit that runs it [SG3.SP2]:
 * one adoption per unit, units that start running the process join, a newer version supersedes it.
 */
export async function versionDeployment(input: VersionDeploymentInput): Promise<VersionDeploymentState> {
  const { workflowId } = workflowInfo();
  const state: VersionDeploymentState = { processId: input.processId, version: input.version, status: 'deploying', units: [] };
  const deployment: Deployment = {
    input,
    state,
    record: (action, key, unitId) =>
      recordDeployment({ processId: input.processId, versionId: input.versionId, unitId, key: `${workflowId}:${key}`, action, actor: 'system', at: new Date().toISOString() }),
  };
  setHandler(getDeploymentStatusQuery, () => state);
  setHandler(unitProgressSignal, ({ unitId, status }) => {
    const unit = state.units.find((candidate) => candidate.unitId === unitId);
    if (unit && unit.status !== 'superseded') unit.status = status;
  });
  setHandler(supersededSignal, ({ byVersion }) => {
    state.supersededBy ??= byVersion;
  });
  setHandler(
    unitJoinedUpdate,
    async (unit) => {
      await deployTo(deployment, unit, true);
      return state;
    },
    {
      validator: (_unit: UnitToDeploy) => {
        if (state.status !== 'deploying' || state.supersededBy !== undefined) {
          throw ApplicationFailure.create({ type: deploymentRefusals.deploymentEnded, message: `the deployment of version ${input.version} has ended (${state.status})`, nonRetryable: true });
        }
      },
    },
  );

  await deployment.record('deployment started', 'started');
  if (input.supersedes !== undefined) await supersedePrevious(input.processId, input.supersedes, input.version);
  const units = input.units ?? (await unitsRunningProcess({ processId: input.processId }));
  for (const unit of units) await deployTo(deployment, unit, false);
  await untilEveryUnitSettles(deployment);
  if (state.supersededBy !== undefined) await supersedeUnitsNotDone(deployment, state.supersededBy);
  else await finish(deployment);
  await condition(allHandlersFinished);
  return state;
}

/** Starts the unit's adoption; a unit already in the deployment is not asked twice. */
async function deployTo({ input, state, record }: Deployment, unit: UnitToDeploy, joined: boolean): Promise<void> {
  if (state.units.some((candidate) => candidate.unitId === unit.unitId) || state.supersededBy !== undefined) return;
  const workflowId = unitAdoptionWorkflowId(input.processId, input.version, unit.unitId);
  const deployed: DeployedUnit = { ...unit, status: 'pending', workflowId };
  state.units.push(deployed);
  if (joined) await record(`${unit.unitName} joined the deployment`, `joined-${unit.unitId}`, unit.unitId);
  const { processId, processName, versionId, version, summary, plan } = input;
  try {
    const child = await startChild(unitAdoption, {
      workflowId,
      args: [{ processId, processName, versionId, version, summary, plan, unit, durations: input.durations ?? {} }],
      // A waived unit's adoption outlives the deployment: it reopens when the waiver expires.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    void child.result().then(
      (final) => {
        deployed.status = final.status;
      },
      () => undefined,
    );
  } catch (error) {
    // Started by an earlier run of this deployment: it reports its progress here as well.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/** Waits until every unit adopted, tailored or was waived, or a newer version supersedes this one; late past the plan's date. */
async function untilEveryUnitSettles({ input, state, record }: Deployment): Promise<void> {
  const ended = () => state.supersededBy !== undefined || state.units.every((unit) => isSettled(unit.status) || unit.status === 'superseded');
  const adoptBy = input.plan.adoptBy ? Date.parse(input.plan.adoptBy) - Date.now() : 0;
  if (adoptBy > 0 && !(await condition(ended, adoptBy))) {
    state.lateSince = new Date().toISOString();
    const waiting = state.units.filter((unit) => !isSettled(unit.status)).map((unit) => unit.unitName);
    await record(`late against the plan: ${waiting.join(', ')} not yet adopted`, 'late');
  }
  await condition(ended);
  // Units that join from now are refused: the deployment is over.
  if (state.supersededBy === undefined) state.status = 'deployed';
}

/** Ends the adoption of every unit not yet done; those done keep this version. */
async function supersedeUnitsNotDone({ state, record }: Deployment, byVersion: number): Promise<void> {
  state.status = 'superseded';
  const notDone = state.units.filter((unit) => !isSettled(unit.status) && unit.status !== 'superseded');
  for (const unit of notDone) {
    try {
      await getExternalWorkflowHandle(unit.workflowId).signal(supersededSignal, { byVersion });
    } catch {
      // Its adoption closed meanwhile; its last status stands.
    }
  }
  await condition(() => notDone.every((unit) => unit.status === 'superseded' || isSettled(unit.status)));
  await record(`superseded by version ${byVersion}`, 'superseded');
}

/** Tells the deployment of the version this one replaces that it is superseded. */
async function supersedePrevious(processId: string, previous: number, byVersion: number): Promise<void> {
  try {
    await getExternalWorkflowHandle(versionDeploymentWorkflowId(processId, previous)).signal(supersededSignal, { byVersion });
  } catch {
    // That deployment has ended: its units that were waived learn of the new version when their waiver expires.
  }
}

async function finish({ record }: Deployment): Promise<void> {
  await record('deployed: every unit adopted, tailored or waived', 'deployed');
}
