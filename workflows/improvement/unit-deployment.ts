import { workflowInfo } from '@temporalio/workflow';
import { activities } from './activity-proxy';
import type { HistoryEntry, OpenTask, UnitDeployment, UnitDeploymentInput } from './definitions';
import { TaskBoard } from './tasks/board';

/** Deploys an improved process to one organisational unit: adopted, tailored, or waived [SG3.SP2]. */
export async function unitDeployment(input: UnitDeploymentInput): Promise<UnitDeployment> {
  const unit: UnitDeployment = { ...input.unit };
  const openTasks: OpenTask[] = [];
  const unitEvent = (entry: HistoryEntry, key: string) => ({ ...entry, step: `${entry.step} (${unit.unitName})`, key: `unit:${unit.unitId}:${key}` });
  const board = new TaskBoard({
    improvementId: input.improvementId,
    improvementTitle: input.improvementTitle,
    workflowId: workflowInfo().workflowId,
    durations: input.durations,
    proposerEmail: input.proposerEmail,
    selfApprovalBlockedSteps: input.selfApprovalBlockedSteps ?? [],
    openTasks,
    escalations: [],
    stage: () => 'deployment',
    addHistory: (entry: Omit<HistoryEntry, 'at'>, key: string) =>
      activities.recordEvent({ improvementId: input.improvementId, event: unitEvent({ at: new Date().toISOString(), ...entry }, key) }),
    keyedEvent: unitEvent,
    // The unit's history lives in the read model only.
    remember: () => undefined,
  });
  const context = [...input.context, `Organisational unit: ${unit.unitName}`];

  while (unit.status === 'pending') {
    const refusal = unit.waiverRefusals > 0 ? [`Waiver refused ${unit.waiverRefusals} time(s): adopt the process, or request again with new reasons.`] : [];
    const decision = await board.ask({ step: 'adoption', assignee: { email: unit.manager }, context: [...context, ...refusal], unitId: unit.unitId });
    if (decision.outcome === 'adopt' || decision.outcome === 'tailor') {
      unit.status = 'adopted';
      unit.tailoring = typeof decision.fields.tailoring === 'string' ? decision.fields.tailoring : undefined;
      break;
    }
    const reason = typeof decision.fields.reason === 'string' ? decision.fields.reason : '';
    const ruling = await board.ask({
      step: 'waiver',
      assignee: { role: 'orpg' },
      context: [...context, `Waiver requested by ${decision.actor}: ${reason}`],
      unitId: unit.unitId,
    });
    if (ruling.outcome === 'grant') {
      unit.status = 'waived';
      unit.waiverReason = reason;
    } else {
      unit.waiverRefusals += 1;
    }
  }
  return unit;
}
