import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  getStatusQuery,
  type ImprovementInput,
  type ImprovementStage,
  type ImprovementState,
  withdrawSignal,
  withdrawUpdate,
  type WithdrawRequest,
} from './definitions';
import { auditCompliance } from './stages/compliance-audit';
import { createLifecycleContext, initialState } from './stages/context';
import { waitForDeferral } from './stages/deferral';
import { deployToUnits } from './stages/deployment';
import { implementActions } from './stages/implementation';
import { learnLessons } from './stages/lessons';
import { runPilot } from './stages/pilot';
import { planActions } from './stages/planning';
import { prioritise } from './stages/prioritisation';
import { reviewProposal } from './stages/review';
import { reviseProposal } from './stages/revision';
import { acknowledgeSubmission } from './stages/submission';

/** Stages in which the proposer or the ORPG may still withdraw the improvement. */
const withdrawableStages: ImprovementStage[] = ['review', 'revision', 'prioritisation', 'deferred', 'planning', 'implementation', 'pilot'];

/** Carries one process improvement through the OPF lifecycle, from proposal to an end state. */
export async function improvementLifecycle(input: ImprovementInput): Promise<ImprovementState> {
  const state = input.carriedOver ?? initialState(input);
  let withdrawal: WithdrawRequest | undefined;
  let stageScope: CancellationScope | undefined;

  // ---- Handlers: status, withdrawal, then (in the task board) decisions and reassignments ----

  setHandler(getStatusQuery, () => state);
  const requestWithdrawal = (request: WithdrawRequest) => {
    withdrawal ??= request;
    stageScope?.cancel();
  };
  setHandler(withdrawUpdate, async (request) => {
    requestWithdrawal(request);
    await condition(() => state.status !== 'active');
    return state;
  }, { validator: (request: WithdrawRequest) => assertWithdrawable(state, request) });
  setHandler(withdrawSignal, (request) => {
    if (state.status === 'active' && withdrawableStages.includes(state.stage) && request.reason?.trim()) {
      requestWithdrawal(request);
    }
  });

  const lifecycle = createLifecycleContext(input, state);
  const { moveTo, end } = lifecycle;

  // ---- The stages in order, and what follows each outcome ----

  const stages: Partial<Record<ImprovementStage, () => Promise<void>>> = {
    review: () =>
      reviewProposal(lifecycle, {
        accept: ({ actor }) => moveTo('prioritisation', { actor, action: 'accepted for prioritisation' }),
        reject: ({ actor, reason }) => end('rejected', actor, reason),
        'request-changes': ({ actor, comment }) => moveTo('revision', { actor, action: 'changes requested', comment }),
      }),
    revision: () =>
      reviseProposal(lifecycle, {
        resubmit: ({ actor }) => moveTo('review', { actor, action: `resubmitted (revision ${state.revision})` }),
        withdraw: ({ actor, reason }) => end('withdrawn', actor, reason),
      }),
    prioritisation: () =>
      prioritise(lifecycle, {
        approve: ({ actor }) => moveTo('planning', { actor, action: 'approved for planning' }),
        reject: ({ actor, reason }) => end('rejected', actor, reason),
        defer: ({ actor, comment }) => moveTo('deferred', { actor, action: `deferred until ${state.deferredUntil}`, comment }),
      }),
    deferred: () => waitForDeferral(lifecycle, () => moveTo('prioritisation', { actor: 'system', action: 'deferral ended: back to management' })),
    planning: () =>
      planActions(lifecycle, {
        approve: ({ actor }) => moveTo('implementation', { actor, action: 'plan approved' }),
        return: ({ actor, comment }) => moveTo('planning', { actor, action: 'plan returned', comment }),
      }),
    implementation: () =>
      implementActions(lifecycle, () => moveTo(state.proposal.pilot ? 'pilot' : 'deployment', { actor: 'system', action: 'all actions complete' })),
    pilot: () =>
      runPilot(lifecycle, {
        go: ({ actor }) => moveTo('deployment', { actor, action: 'pilot succeeded: deploy' }),
        revise: ({ actor, comment }) => moveTo('planning', { actor, action: 'revise the plan after the pilot', comment }),
        abandon: ({ actor, reason }) => end('abandoned', actor, reason),
      }),
    deployment: () => deployToUnits(lifecycle, () => moveTo('audit', { actor: 'system', action: 'every unit adopted or holds a waiver' })),
    audit: () => auditCompliance(lifecycle, () => moveTo('lessons', { actor: 'system', action: 'every adopting unit audited' })),
    lessons: () =>
      learnLessons(lifecycle, {
        confirm: ({ actor }) => end('closed', actor),
        return: ({ actor, comment }) => moveTo('lessons', { actor, action: 'lessons returned', comment }),
      }),
  };

  // ---- The story: acknowledge, then run the current stage until the improvement ends ----

  if (!input.carriedOver) await acknowledgeSubmission(lifecycle);

  while (state.status === 'active') {
    const runStage = stages[state.stage] as () => Promise<void>;
    if (withdrawal) {
      await end('withdrawn', withdrawal.actor, withdrawal.reason);
      break;
    }
    stageScope = withdrawableStages.includes(state.stage) ? new CancellationScope() : undefined;
    try {
      await (stageScope ? stageScope.run(runStage) : runStage());
    } catch (error) {
      if (!(withdrawal && isCancellation(error))) throw error;
    } finally {
      stageScope = undefined;
    }
    if (state.status === 'active' && shouldContinueAsNew(input)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof improvementLifecycle>({ ...input, carriedOver: state });
    }
  }
  await condition(allHandlersFinished);
  return state;
}

function shouldContinueAsNew(input: ImprovementInput): boolean {
  const info = workflowInfo();
  if (info.continueAsNewSuggested) return true;
  // A deployment may ask for shorter histories (tests use it to prove state survives).
  return input.continueAsNewAfterEvents !== undefined && info.historyLength > input.continueAsNewAfterEvents;
}

function assertWithdrawable(state: ImprovementState, request: WithdrawRequest): void {
  if (state.status !== 'active') throw new Error(`the improvement has already ended (${state.status})`);
  if (!withdrawableStages.includes(state.stage)) {
    throw new Error(`an improvement cannot be withdrawn once deployment has started (stage: ${state.stage})`);
  }
  if (!request.reason?.trim()) throw new Error('reason: a withdrawal needs a reason');
}
