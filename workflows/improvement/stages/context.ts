import { patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { activities, localActivities } from '../activity-proxy';
import {
  type DurationOverrides,
  type HistoryEntry,
  type ImprovementInput,
  type ImprovementStage,
  type ImprovementState,
  type ImprovementStatus,
  type ReturnedComments,
  searchAttributes,
} from '../definitions';
import { TaskBoard } from '../tasks/board';
import type { Decision } from '../tasks/task';

/** What every stage works with: the improvement's state, its tasks, and the one way to change and record it. */
export interface LifecycleContext {
  readonly input: ImprovementInput;
  readonly state: ImprovementState;
  readonly durations: DurationOverrides;
  readonly board: TaskBoard;
  /** Lines of context for a task's email and page: the proposal, then `extra`. */
  context: (...extra: string[]) => string[];
  /** How many history entries the improvement has had: keys the entries no task owns. */
  historyCount: () => number;
  /** Appends a history entry and records it, with the state, in the read model. */
  addHistory: (entry: Omit<HistoryEntry, 'at'>, key: string) => Promise<void>;
  /** Records the state (and `event`, if any) in the read model and the stage search attribute. */
  recordState: (event?: HistoryEntry & { key: string }) => Promise<void>;
  moveTo: (stage: ImprovementStage, entry: Omit<HistoryEntry, 'at' | 'step'> & { step?: string }) => Promise<void>;
  /** Ends the improvement and tells the proposer. */
  end: (status: Exclude<ImprovementStatus, 'active'>, actor: string, reason?: string) => Promise<void>;
}

/** A decision as the next stage needs it: who decided, with their comment or reason. */
export interface Verdict {
  actor: string;
  comment?: string;
  reason?: string;
}

/** What follows each outcome of a stage, given the verdict that chose it. */
export type Next<Outcome extends string> = Record<Outcome, (verdict: Verdict) => Promise<void>>;

export function verdict(decision: Decision): Verdict {
  return { actor: decision.actor, comment: text(decision, 'comment'), reason: text(decision, 'reason') };
}

/** A decision's text field, or undefined when it is absent or empty. */
export function text(decision: Decision, field: string): string | undefined {
  const value = decision.fields[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function initialState(input: ImprovementInput): ImprovementState {
  return {
    id: input.id,
    proposal: {
      title: input.title,
      description: input.description,
      proposedChange: input.proposedChange,
      process: input.process,
      source: input.source,
      expectedBenefit: input.expectedBenefit,
      estimatedCost: input.estimatedCost,
      estimatedEffort: input.estimatedEffort,
      orgUnits: input.orgUnits,
      pilot: input.pilot,
    },
    proposerEmail: input.proposerEmail,
    processOwnerEmail: input.processOwnerEmail,
    stage: 'review',
    status: 'active',
    revision: 0,
    planRevision: 0,
    units: [],
    openTasks: [],
    historyCount: 0,
    escalations: [],
  };
}

/** The lifecycle's context over `state`; its task board registers the decision and reassignment handlers. */
export function createLifecycleContext(input: ImprovementInput, state: ImprovementState): LifecycleContext {
  const durations = input.durations ?? {};
  forgetCarriedOverHistory(state);
  let historyKey = state.historyCount ?? 0;
  /** An entry the read model now holds: counted, and its comment kept where a later step shows it. */
  function noteEntry(entry: HistoryEntry) {
    historyKey += 1;
    state.historyCount = historyKey;
    state.comments = commentsAfter(state.comments ?? {}, entry);
  }

  async function addHistory(entry: Omit<HistoryEntry, 'at'>, key: string) {
    const recorded: HistoryEntry = { at: new Date().toISOString(), ...entry };
    noteEntry(recorded);
    await recordState({ ...recorded, key });
  }

  let stageInSearch: ImprovementStage | undefined;
  async function recordState(event?: HistoryEntry & { key: string }) {
    // Recorded by the worker within the workflow task, and the search attribute set only when the stage moves.
    const locally = patched('record-state-locally');
    if (!locally || stageInSearch !== state.stage) upsertSearchAttributes([{ key: searchAttributes.stage, value: state.stage }]);
    stageInSearch = state.stage;
    await (locally ? localActivities : activities).recordImprovement({ workflowId: workflowInfo().workflowId, state: withoutHistory(state), event });
  }

  async function moveTo(stage: ImprovementStage, entry: Omit<HistoryEntry, 'at' | 'step'> & { step?: string }) {
    const from = state.stage;
    state.stage = stage;
    await addHistory({ step: entry.step ?? from, channel: 'system', ...entry }, `${historyKey}:${from}->${stage}`);
  }

  async function end(status: Exclude<ImprovementStatus, 'active'>, actor: string, reason?: string) {
    state.endReason = reason;
    state.status = status;
    await moveTo(status, { actor, action: status, comment: reason });
    await activities.sendNotification({
      key: `${state.id}:ended:${status}`,
      improvementId: state.id,
      kind: `improvement-${status}`,
      to: state.proposerEmail,
      template: { name: 'ended', improvementTitle: state.proposal.title, status, reason, actor },
    });
  }

  const board = new TaskBoard({
    improvementId: state.id,
    get improvementTitle() {
      return state.proposal.title;
    },
    workflowId: workflowInfo().workflowId,
    durations,
    proposerEmail: state.proposerEmail,
    selfApprovalBlockedSteps: input.selfApprovalBlockedSteps ?? [],
    openTasks: state.openTasks,
    escalations: state.escalations,
    stage: () => state.stage,
    addHistory,
    keyedEvent: (entry, key) => ({ ...entry, key }),
    remember: noteEntry,
  });

  return {
    input,
    state,
    durations,
    board,
    context: (...extra) => [...proposalContext(state), ...extra],
    historyCount: () => historyKey,
    addHistory,
    recordState,
    moveTo,
    end,
  };
}

function withoutHistory(state: ImprovementState): Omit<ImprovementState, 'history'> {
  const { history: _history, ...rest } = state;
  return rest;
}

/** The comments a later step shows, after one more history entry: the latest of each kind wins. */
export function commentsAfter(comments: ReturnedComments, entry: HistoryEntry): ReturnedComments {
  if (entry.action === 'Request changes') return { ...comments, changesRequested: entry.comment };
  if (entry.step === 'plan-approval' || entry.step === 'pilot-decision') return { ...comments, planReturned: entry.comment };
  if (entry.step === 'lessons-confirm') return { ...comments, lessonsReturned: entry.comment };
  return comments;
}

/** A state carried over from before keeps its whole history: count it, keep its comments, and carry it no further. */
function forgetCarriedOverHistory(state: ImprovementState): void {
  if (!state.history) return;
  state.historyCount = state.history.length;
  state.comments = state.history.reduce(commentsAfter, {});
  delete state.history;
}

function proposalContext(state: ImprovementState): string[] {
  const { proposal } = state;
  return [
    `Improvement: ${proposal.title}`,
    `Standard process: ${proposal.process}`,
    `Source: ${proposal.source}`,
    `Problem: ${proposal.description}`,
    ...(proposal.proposedChange ? [`Proposed change: ${proposal.proposedChange}`] : []),
    ...(proposal.expectedBenefit ? [`Expected benefit: ${proposal.expectedBenefit}`] : []),
    ...(proposal.estimatedCost ? [`Estimated cost: ${proposal.estimatedCost}`] : []),
    ...(proposal.estimatedEffort ? [`Estimated effort: ${proposal.estimatedEffort}`] : []),
    `Proposer: ${state.proposerEmail}`,
    `Process owner: ${state.processOwnerEmail}`,
    ...(state.priority !== undefined ? [`Priority: ${state.priority} (scores ${JSON.stringify(state.scores)})`] : []),
  ];
}
