import { sleep } from '@temporalio/workflow';
import { activities } from '../activity-proxy';
import type { PilotPlan } from '../definitions';
import { type LifecycleContext, type Next, text, verdict } from './context';

/**
 * Pilots the improvement [SG2.SP2 sp5]: the process owner plans it until the ORPG approves, it
 * runs its duration, the owner records results, and the ORPG decides: go, revise the plan, or abandon.
 */
export async function runPilot(lifecycle: LifecycleContext, next: Next<'go' | 'revise' | 'abandon'>): Promise<void> {
  const { state, board, context, addHistory } = lifecycle;
  let pilotPlan: PilotPlan | undefined;
  let returnedComment: string | undefined;
  while (!pilotPlan) {
    const comments = returnedComment ? [`Comments on the previous pilot plan: ${returnedComment}`] : [];
    const submitted = await board.ask({ step: 'pilot-plan', assignee: { email: state.processOwnerEmail }, context: context(...comments) });
    const candidate = submitted.fields as unknown as PilotPlan;
    const approval = await board.ask({
      step: 'pilot-approval',
      assignee: { role: 'orpg' },
      context: context(`Pilot units: ${candidate.units.join(', ')}`, `Success criteria: ${candidate.successCriteria}`, `Duration: ${candidate.duration}`),
    });
    if (approval.outcome === 'approve') pilotPlan = candidate;
    else returnedComment = text(approval, 'comment');
  }
  state.pilotPlan = pilotPlan;
  await addHistory({ step: 'pilot', actor: 'system', action: `pilot running for ${pilotPlan.duration}`, channel: 'system' }, `${lifecycle.historyCount()}:pilot-started`);
  await sleep(await activities.durationToMs({ duration: pilotPlan.duration }));
  const results = await board.ask({ step: 'pilot-results', assignee: { email: state.processOwnerEmail }, context: context(`Success criteria: ${pilotPlan.successCriteria}`) });
  state.pilotResult = { results: text(results, 'results') ?? '', criteriaMet: results.fields.criteriaMet === true };
  const decision = await board.ask({
    step: 'pilot-decision',
    assignee: { role: 'orpg' },
    context: context(`Pilot results: ${state.pilotResult.results}`, `Success criteria met: ${state.pilotResult.criteriaMet ? 'yes' : 'no'}`),
  });
  if (decision.outcome === 'go') return next.go(verdict(decision));
  if (decision.outcome === 'abandon') return next.abandon(verdict(decision));
  // A revised plan is piloted afresh.
  state.pilotPlan = undefined;
  state.pilotResult = undefined;
  return next.revise(verdict(decision));
}
