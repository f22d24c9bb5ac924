import { type LifecycleContext, type Next, verdict } from './context';

/** The proposer revises the proposal after a change request, or withdraws it. */
export async function reviseProposal({ state, board, context }: LifecycleContext, next: Next<'resubmit' | 'withdraw'>): Promise<void> {
  const decision = await board.ask({
    step: 'revise',
    assignee: { email: state.proposerEmail },
    context: context(`Changes requested: ${state.comments?.changesRequested ?? ''}`),
  });
  if (decision.outcome === 'withdraw') return next.withdraw(verdict(decision));
  const { title, description, proposedChange } = decision.fields as Record<string, string | undefined>;
  state.proposal = {
    ...state.proposal,
    title: title || state.proposal.title,
    description: description || state.proposal.description,
    proposedChange: proposedChange || state.proposal.proposedChange,
  };
  state.revision += 1;
  return next.resubmit(verdict(decision));
}
