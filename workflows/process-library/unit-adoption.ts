import { CancellationScope, getExternalWorkflowHandle, isCancellation, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import type { AdoptionChange } from '../../activities/process-deployment';
import { AdoptionTasks, type AdoptionDecision } from './adoption-tasks';
import {
  getAdoptionStatusQuery,
  settledStatuses,
  supersededSignal,
  type UnitAdoptionInput,
  type UnitAdoptionState,
  type UnitAdoptionStatus,
  unitProgressSignal,
} from './definitions';

type Activities = ReturnType<typeof createActivities>;

const { recordAdoptionChange, currentVersionNumber } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

interface Adoption {
  input: UnitAdoptionInput;
  state: UnitAdoptionState;
  tasks: AdoptionTasks;
  /** Moves the unit to a status, records the change and tells the deployment. */
  change(status: UnitAdoptionStatus, change: AdoptionChange, actor: string): Promise<void>;
}

/** One organisational unit takes up one published version: adopts it, tailors it, or is waived until a date [SG3.SP2]. */
export async function unitAdoption(input: UnitAdoptionInput): Promise<UnitAdoptionState> {
  const { workflowId, parent } = workflowInfo();
  const state: UnitAdoptionState = { unit: input.unit, version: input.version, status: 'pending', waiverRefusals: 0, reopenings: 0, openTasks: [] };
  const tasks = new AdoptionTasks({ ...input, unitId: input.unit.unitId, workflowId, openTasks: state.openTasks });
  let changes = 0;
  const adoption: Adoption = {
    input,
    state,
    tasks,
    async change(status, change, actor) {
      state.status = status;
      changes += 1;
      const { processId, versionId } = input;
      await recordAdoptionChange({ processId, versionId, unitId: input.unit.unitId, key: `${workflowId}:${changes}:${change.change}`, actor, at: new Date().toISOString(), ...change });
      if (parent) await tellDeployment(parent.workflowId, { unitId: input.unit.unitId, status });
    },
  };
  const adopting = new CancellationScope();
  setHandler(getAdoptionStatusQuery, () => state);
  setHandler(supersededSignal, ({ byVersion }) => {
    state.supersededBy ??= byVersion;
    adopting.cancel();
  });

  try {
    await adopting.run(() => adoptUntilSettled(adoption));
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // A unit already waived keeps its waiver for this version; any other closes as superseded.
    if (state.status !== 'waived') await adoption.change('superseded', { change: 'superseded' }, 'system');
  }
  return state;
}

async function tellDeployment(deploymentId: string, progress: { unitId: string; status: UnitAdoptionStatus }): Promise<void> {
  try {
    await getExternalWorkflowHandle(deploymentId).signal(unitProgressSignal, progress);
  } catch {
    // The deployment has ended (every unit settled): the library's record is what counts now.
  }
}

/** Asks until the unit adopts, tailors, or its waiver is granted; a waiver that expires reopens adoption. */
async function adoptUntilSettled(adoption: Adoption): Promise<void> {
  const { state } = adoption;
  await adoption.change('pending', { change: 'asked' }, 'system');
  for (;;) {
    const decision = await askToAdopt(adoption);
    if (decision.outcome === 'adopt') return adoption.change('adopted', { change: 'adopted' }, decision.actor);
    if (decision.outcome === 'tailor') {
      state.tailoring = String(decision.fields.tailoring);
      return adoption.change('tailored', { change: 'tailored', tailoring: state.tailoring }, decision.actor);
    }
    const granted = await askForWaiver(adoption, decision);
    if (!granted) continue;
    await waitForExpiry(adoption);
    if ((await currentVersionNumber({ processId: adoption.input.processId })) !== adoption.input.version) {
      return adoption.change('superseded', { change: 'superseded' }, 'system');
    }
    state.waiver = undefined;
    state.reopenings += 1;
    await adoption.change('pending', { change: 'waiver-expired' }, 'system');
  }
}

function askToAdopt({ input, state, tasks }: Adoption): Promise<AdoptionDecision> {
  const history = [
    ...(state.waiverRefusals > 0 ? [`Waiver refused ${state.waiverRefusals} time(s): adopt the version, or request again with new reasons.`] : []),
    ...(state.reopenings > 0 ? ['The unit\'s waiver expired: adopt the version, or request a new waiver.'] : []),
  ];
  return tasks.ask({
    step: 'version-adoption',
    assignee: { email: input.unit.manager },
    subject: `Adopt ${input.processName} version ${input.version} in ${input.unit.unitName}`,
    context: [...deploymentPlan(input), ...history],
  });
}

/** The ORPG rules on the waiver the unit requested; true when granted (the unit is waived until its expiry). */
async function askForWaiver(adoption: Adoption, request: AdoptionDecision): Promise<boolean> {
  const { input, state, tasks } = adoption;
  const reason = String(request.fields.reason);
  const expiresAt = String(request.fields.expiresAt);
  await adoption.change('waiver-requested', { change: 'waiver-requested' }, request.actor);
  const ruling = await tasks.ask({
    step: 'version-waiver',
    assignee: { role: 'orpg' },
    subject: `Waiver from ${input.processName} version ${input.version} for ${input.unit.unitName}`,
    context: [...deploymentPlan(input), `Waiver requested by ${request.actor} until ${expiresAt}: ${reason}`],
  });
  if (ruling.outcome !== 'grant') {
    state.waiverRefusals += 1;
    await adoption.change('pending', { change: 'waiver-refused' }, ruling.actor);
    return false;
  }
  state.waiver = { reason, expiresAt, grantedBy: ruling.actor };
  await adoption.change('waived', { change: 'waived', reason, expiresAt, grantedBy: ruling.actor }, ruling.actor);
  return true;
}

async function waitForExpiry({ state }: Adoption): Promise<void> {
  const remaining = Date.parse(state.waiver?.expiresAt ?? '') - Date.now();
  if (remaining > 0) await sleep(remaining);
}

/** The deployment plan as the email and the task page show it [SG3.SP2 sp3]. */
export function deploymentPlan(input: UnitAdoptionInput): string[] {
  const { plan } = input;
  return [
    `Process: ${input.processName}, version ${input.version}: ${input.summary}`,
    `Organisational unit: ${input.unit.unitName}`,
    ...(plan.startsAt ? [`Use from: ${plan.startsAt}`] : []),
    ...(plan.adoptBy ? [`Adopt by: ${plan.adoptBy}`] : []),
    ...(plan.material.length > 0 ? [`Read before adopting: ${plan.material.join('; ')}`] : []),
    `Questions: ${plan.contact}`,
  ];
}

export function isSettled(status: UnitAdoptionStatus): boolean {
  return settledStatuses.includes(status);
}
