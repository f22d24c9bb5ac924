import { type LifecycleContext, type Next, verdict } from './context';

/** The ORPG reviews the proposal: accepts it, rejects it, or asks the proposer for changes [SG3.SP4 sp8]. */
export async function reviewProposal({ board, context }: LifecycleContext, next: Next<'accept' | 'reject' | 'request-changes'>): Promise<void> {
  const decision = await board.ask({ step: 'review', assignee: { role: 'orpg' }, context: context() });
  if (decision.outcome === 'accept') return next.accept(verdict(decision));
  if (decision.outcome === 'reject') return next.reject(verdict(decision));
  return next['request-changes'](verdict(decision));
}
