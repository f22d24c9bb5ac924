import type { KeyedEvent } from '../../../activities/db';
import type { DecisionVia, DurationOverrides, HistoryEntry, ImprovementStage, OpenTask, StepTiming } from '../definitions';
import type { StepName } from '../steps';

/** What a person decided on a task. */
export interface Decision {
  outcome: string;
  fields: Record<string, unknown>;
  actor: string;
  channel: 'email-link' | 'web' | 'api';
  decisionId: string;
  via?: DecisionVia;
  requestId?: string;
}

/** Who is asked: a person by email, or a role resolved to a person when the task opens. */
export type Assignee = { email: string } | { role: 'orpg' | 'management' | 'auditor' };

export interface TaskRequest {
  step: StepName;
  assignee: Assignee;
  /** Lines of context for the email and the page, e.g. ["Title: ...", "Priority: 12"]. */
  context: string[];
  unitId?: string;
  actionIndex?: number;
  /** An absolute due date (a planned action's) instead of the step's configured duration. */
  due?: string;
}

/** Where the task board keeps its tasks and writes the improvement's history. */
export interface TaskHost {
  improvementId: string;
  improvementTitle: string;
  workflowId: string;
  durations: DurationOverrides;
  /** The proposer, who may not decide the steps below on their own proposal. */
  proposerEmail?: string;
  selfApprovalBlockedSteps: StepName[];
  openTasks: OpenTask[];
  escalations: { taskId: string; level: 1 | 2; to: string; at: string }[];
  /** The improvement's current stage, reported back to deciders. */
  stage(): ImprovementStage;
  /** Appends a history entry and records it (and the improvement's snapshot) in the read model. */
  addHistory(entry: Omit<HistoryEntry, 'at'>, key: string): Promise<void>;
  /** The read-model event a history entry is recorded as, by an activity that records it with its task. */
  keyedEvent(entry: HistoryEntry, key: string): KeyedEvent;
  /** Appends a history entry that an activity has already recorded. */
  remember(entry: HistoryEntry): void;
}

/** A task the board holds, from its opening until it is closed. */
export interface LiveTask {
  task: OpenTask;
  context: string[];
  decision?: Decision;
  closed: boolean;
  reassignments: number;
  /** Its assignee is still being resolved: a decision taken meanwhile is checked once it is known. */
  opening?: boolean;
}

const fallbackTiming: StepTiming = { due: '5bd', remindBefore: '1bd', escalateAfter: '2bd' };

/** The step's clock: per-step override, else the improvement's default, else five business days. */
export function timingFor(durations: DurationOverrides, step: StepName): StepTiming {
  return { ...fallbackTiming, ...durations.default, ...durations.steps?.[step] };
}
