import type { ActionPlan } from '../definitions';
import { type LifecycleContext, type Next, verdict } from './context';

/** The process owner submits the process action plan; management approves or returns it [SG2.SP1]. */
export async function planActions({ state, board, context, recordState }: LifecycleContext, next: Next<'approve' | 'return'>): Promise<void> {
  const returned = state.comments?.planReturned;
  const submitted = await board.ask({
    step: 'plan',
    assignee: { email: state.processOwnerEmail },
    context: context(...(returned ? [`Comments on the previous plan: ${returned}`] : [])),
  });
  const plan = submitted.fields as unknown as ActionPlan;
  state.plan = { ...plan, actions: plan.actions.map((action) => ({ ...action })) };
  state.planRevision += 1;
  await recordState();
  const approval = await board.ask({ step: 'plan-approval', assignee: { role: 'management' }, context: context(...planContext(state.plan)) });
  if (approval.outcome === 'approve') return next.approve(verdict(approval));
  return next.return(verdict(approval));
}

function planContext(plan: ActionPlan): string[] {
  return [
    `Objectives: ${plan.objectives}`,
    ...plan.actions.map((action, index) => `Action ${index + 1}: ${action.title} — ${action.owner}, due ${action.due}`),
    `Measures: ${plan.measures}`,
    ...(plan.pilotStrategy ? [`Pilot strategy: ${plan.pilotStrategy}`] : []),
    ...(plan.risks ? [`Risks: ${plan.risks}`] : []),
  ];
}
