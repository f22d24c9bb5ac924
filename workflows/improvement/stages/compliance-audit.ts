import { sleep } from '@temporalio/workflow';
import { activities } from '../activity-proxy';
import type { UnitDeployment } from '../definitions';
import { type LifecycleContext, text } from './context';

/** After the settling period, an auditor audits each adopting unit; a non-compliant unit corrects it [SG3.SP3]. */
export async function auditCompliance(lifecycle: LifecycleContext, then: () => Promise<void>): Promise<void> {
  const { state, durations } = lifecycle;
  await sleep(await activities.durationToMs({ duration: durations.settlingPeriod ?? '20bd' }));
  await Promise.all(state.units.map((unit) => (unit.status === 'adopted' && !unit.audit ? auditUnit(lifecycle, unit) : Promise.resolve())));
  return then();
}

async function auditUnit({ board, context, recordState }: LifecycleContext, unit: UnitDeployment): Promise<void> {
  const unitContext = context(`Organisational unit: ${unit.unitName}`, ...(unit.tailoring ? [`Tailoring: ${unit.tailoring}`] : []));
  const audit = await board.ask({ step: 'audit', assignee: { role: 'auditor' }, context: unitContext, unitId: unit.unitId });
  if (audit.outcome === 'compliant') {
    unit.audit = 'compliant';
    return recordState();
  }
  unit.audit = 'non-compliant';
  unit.findings = text(audit, 'findings');
  await recordState();
  const correction = await board.ask({
    step: 'corrective-action',
    assignee: { email: unit.manager },
    context: [...unitContext, `Audit findings: ${unit.findings ?? ''}`],
    unitId: unit.unitId,
  });
  unit.audit = 'corrected';
  unit.correctiveAction = text(correction, 'action');
  return recordState();
}
