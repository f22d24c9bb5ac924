import type { ActionPlan, PlannedAction } from '../definitions';
import type { LifecycleContext } from './context';

/** Each action's owner reports it complete, all in parallel [SG2.SP2]. */
export async function implementActions(lifecycle: LifecycleContext, then: () => Promise<void>): Promise<void> {
  const plan = lifecycle.state.plan as ActionPlan;
  await Promise.all(plan.actions.map((action, index) => (action.completedAt ? Promise.resolve() : completeAction(lifecycle, action, index))));
  return then();
}

async function completeAction({ board, context, recordState }: LifecycleContext, action: PlannedAction, index: number): Promise<void> {
  const decision = await board.ask({
    step: 'action',
    assignee: { email: action.owner },
    context: context(`Action: ${action.title}`, `Due: ${action.due}`),
    actionIndex: index,
    due: action.due,
  });
  action.completedAt = new Date().toISOString();
  action.completedBy = decision.actor;
  await recordState();
}
