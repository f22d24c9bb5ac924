import type { PriorityScores } from '../definitions';
import { type LifecycleContext, type Next, text, verdict } from './context';

/** The ORPG scores the improvement once; management approves it for planning, rejects or defers it [SG1.SP3]. */
export async function prioritise({ state, board, context, recordState }: LifecycleContext, next: Next<'approve' | 'reject' | 'defer'>): Promise<void> {
  if (!state.scores) {
    const scoring = await board.ask({ step: 'score', assignee: { role: 'orpg' }, context: context() });
    state.scores = scoring.fields as unknown as PriorityScores;
    state.priority = computePriority(state.scores);
    await recordState();
  }
  const decision = await board.ask({ step: 'steering', assignee: { role: 'management' }, context: context() });
  if (decision.outcome === 'approve') return next.approve(verdict(decision));
  if (decision.outcome === 'reject') return next.reject(verdict(decision));
  state.deferredUntil = text(decision, 'until');
  return next.defer(verdict(decision));
}

/** Priority from the ORPG's scores: benefit counts double; cost, risk and barriers count against. */
export function computePriority(scores: { cost: number; benefit: number; risk: number; barriers: number }): number {
  return 2 * scores.benefit - scores.cost - scores.risk - scores.barriers + 10;
}
