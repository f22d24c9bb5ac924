import { executeChild } from '@temporalio/workflow';
import { activities } from '../activity-proxy';
import { unitDeploymentWorkflowId } from '../definitions';
import { unitDeployment } from '../unit-deployment';
import type { LifecycleContext } from './context';

/** Deploys the improved process to every affected unit, one child workflow each, in parallel [SG3.SP1, SG3.SP2]. */
export async function deployToUnits({ input, state, durations, context, recordState }: LifecycleContext, then: () => Promise<void>): Promise<void> {
  const units = await activities.getOrgUnits({ ids: state.proposal.orgUnits });
  state.units = units.map((unit) => ({ unitId: unit.id, unitName: unit.name, manager: unit.manager, status: 'pending', waiverRefusals: 0 }));
  await recordState();
  await Promise.all(
    state.units.map(async (unit, index) => {
      const result = await executeChild(unitDeployment, {
        workflowId: unitDeploymentWorkflowId(state.id, unit.unitId),
        args: [
          {
            improvementId: state.id,
            improvementTitle: state.proposal.title,
            proposerEmail: state.proposerEmail,
            selfApprovalBlockedSteps: input.selfApprovalBlockedSteps,
            unit,
            durations,
            context: context(),
          },
        ],
      });
      state.units[index] = { ...unit, ...result };
      await recordState();
    }),
  );
  return then();
}
