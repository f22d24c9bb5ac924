import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { StepName } from './steps';

export type { StepName } from './steps';

/** Where an improvement is in the OPF lifecycle; the bracket names the OPF practice. */
export const improvementStages = [
  'review', // ORPG reviews the proposal [SG3.SP4 sp8]
  'revision', // the proposer revises after a change request
  'prioritisation', // ORPG scores, management approves [SG1.SP3]
  'deferred', // management deferred the decision until a date
  'planning', // process action plan [SG2.SP1]
  'implementation', // actions carried out [SG2.SP2]
  'pilot', // pilot [SG2.SP2 sp5]
  'deployment', // to organisational units [SG3.SP1, SG3.SP2]
  'audit', // compliance audit [SG3.SP3]
  'lessons', // lessons learned [SG3.SP4]
  'closed',
  'rejected',
  'withdrawn',
  'abandoned',
] as const;
export type ImprovementStage = (typeof improvementStages)[number];

/** Whether an improvement is still moving, and how it ended. */
export const improvementStatuses = ['active', 'closed', 'rejected', 'withdrawn', 'abandoned'] as const;
export type ImprovementStatus = (typeof improvementStatuses)[number];

/** Where a candidate improvement came from [SG1.SP3 sp1]. */
export const improvementSources = [
  'appraisal',
  'lessons-learned',
  'incident',
  'measurement',
  'audit',
  'staff-proposal',
] as const;
export type ImprovementSource = (typeof improvementSources)[number];

/**
 * How long a step may take: `<n>bd` business days (weekends and holidays skipped in the
 * organisation's time zone), or wall-clock `<n>d`, `<n>h`, `<n>m`, `<n>s`.
 */
export type DurationText = string;
export const durationPattern = /^(\d{1,5})(bd|d|h|m|s)$/;

/** A step's clock: due after `due`; reminded `remindBefore` the due time; management `escalateAfter` it. */
export interface StepTiming {
  due: DurationText;
  remindBefore: DurationText;
  escalateAfter: DurationText;
}

/** Per-improvement overrides of the configured durations. */
export interface DurationOverrides {
  /** Applies to every step not named below. */
  default?: Partial<StepTiming>;
  steps?: Partial<Record<StepName, Partial<StepTiming>>>;
  /** Wait between the end of deployment and the compliance audit. */
  settlingPeriod?: DurationText;
}

/** A proposal as submitted [OPF SG3.SP4 subpractice 8]. */
export interface ProposalDetails {
  title: string;
  /** The problem the improvement addresses. */
  description: string;
  proposedChange?: string;
  /** The standard process the improvement changes. */
  process: string;
  source: ImprovementSource;
  expectedBenefit?: string;
  estimatedCost?: string;
  estimatedEffort?: string;
  /** Affected organisational units, by id. */
  orgUnits: string[];
  pilot: boolean;
}

export interface ImprovementInput extends ProposalDetails {
  id: string;
  proposerEmail: string;
  processOwnerEmail: string;
  durations?: DurationOverrides;
  /** Steps the proposer may not decide on their own proposal (no self-approval). */
  selfApprovalBlockedSteps?: StepName[];
  /** Continue as new past this many history events (default: when Temporal suggests it). */
  continueAsNewAfterEvents?: number;
  /** When an earlier run continued as new: the state it carried over. */
  carriedOver?: ImprovementState;
}

/** One entry of the improvement's history. */
export interface HistoryEntry {
  at: string;
  step: string;
  actor: string;
  action: string;
  comment?: string;
  /** How the actor acted: email link, api, or the system itself. */
  channel?: 'email-link' | 'web' | 'api' | 'system';
  taskId?: string;
}

/** A human step waiting for one person. */
export interface OpenTask {
  id: string;
  step: StepName;
  assignee: string;
  /** For whom the assignee acts, when delegated or reassigned. */
  onBehalfOf?: string;
  dueAt: string;
  remindAt: string;
  escalateAt: string;
  /** 0: on time; 1: escalated to the assignee's manager; 2: escalated to management. */
  escalationLevel: 0 | 1 | 2;
  /** Which workflow holds the task (the improvement's, or a unit deployment's). */
  workflowId: string;
  unitId?: string;
  actionIndex?: number;
}

/** Priority scores from the ORPG [SG1.SP3 sp2], each 1 (low) to 5 (high). */
export interface PriorityScores {
  cost: number;
  benefit: number;
  risk: number;
  barriers: number;
}

export interface PlannedAction {
  title: string;
  owner: string;
  due: string;
  completedAt?: string;
  completedBy?: string;
}

/** A process action plan [SG2.SP1 sp3]. */
export interface ActionPlan {
  objectives: string;
  actions: PlannedAction[];
  pilotStrategy?: string;
  measures: string;
  risks?: string;
}

export interface PilotPlan {
  units: string[];
  successCriteria: string;
  duration: DurationText;
}

export interface PilotResult {
  results: string;
  criteriaMet: boolean;
}

/** How one organisational unit took up the improvement [SG3.SP2]. */
export interface UnitDeployment {
  unitId: string;
  unitName: string;
  manager: string;
  status: 'pending' | 'adopted' | 'waived';
  tailoring?: string;
  waiverReason?: string;
  waiverRefusals: number;
  audit?: 'compliant' | 'non-compliant' | 'corrected';
  findings?: string;
  correctiveAction?: string;
}

export interface Lessons {
  lessons: string;
  measuredEffect: string;
}

/** Comments a step is shown again when its work comes back: the changes requested, the plan or the lessons returned. */
export interface ReturnedComments {
  changesRequested?: string;
  planReturned?: string;
  lessonsReturned?: string;
}

/** The whole live state of one improvement, as the status query returns it. */
export interface ImprovementState {
  id: string;
  proposal: ProposalDetails;
  proposerEmail: string;
  processOwnerEmail: string;
  stage: ImprovementStage;
  status: ImprovementStatus;
  revision: number;
  scores?: PriorityScores;
  priority?: number;
  deferredUntil?: string;
  plan?: ActionPlan;
  planRevision: number;
  pilotPlan?: PilotPlan;
  pilotResult?: PilotResult;
  units: UnitDeployment[];
  lessons?: Lessons;
  openTasks: OpenTask[];
  /** How many history entries the improvement has; the entries themselves are in the read model. */
  historyCount?: number;
  /** The latest comments a later step shows its assignee. */
  comments?: ReturnedComments;
  /** Only in a state carried over from a run before the history moved out of the workflow's state. */
  history?: HistoryEntry[];
  /** Escalation flags raised and not yet cleared by a decision. */
  escalations: { taskId: string; level: 1 | 2; to: string; at: string }[];
  endReason?: string;
}

/** A decision a person makes on a task. */
export interface DecisionRequest {
  /** Unique per decision: a retried or re-sent decision applies once. */
  decisionId: string;
  taskId: string;
  actor: string;
  outcome: string;
  fields: Record<string, unknown>;
  channel: 'email-link' | 'web' | 'api';
  /** The form or client it came through, for the audit trail. */
  via?: DecisionVia;
  /** The API request that handed it over, for the audit trail. */
  requestId?: string;
}

/** Where a decision was made: an emailed link's page, a task page, a bulk decision or the API. */
export type DecisionVia = 'link' | 'page' | 'bulk' | 'api';

export interface DecisionResult {
  taskId: string;
  outcome: string;
  stage: ImprovementStage;
}

/** Hands an open task to someone else: a delegate, or whoever the ORPG chooses. */
export interface ReassignRequest {
  /** Unique per request: a retried request applies once. */
  requestId: string;
  taskId: string;
  to: string;
  /** For whom the new assignee acts, when delegated. */
  onBehalfOf?: string;
  by: string;
  reason: string;
}

export interface ReassignResult {
  taskId: string;
  assignee: string;
}

/** A request to stop an improvement before deployment. */
export interface WithdrawRequest {
  actor: string;
  reason: string;
}

/** The one workflow per improvement; its id derives from the business id. */
export function improvementWorkflowId(improvementId: string): string {
  return `improvement-${improvementId}`;
}

/** The child workflow that deploys an improvement to one organisational unit. */
export function unitDeploymentWorkflowId(improvementId: string, unitId: string): string {
  return `improvement-${improvementId}-unit-${unitId}`;
}

/** Custom search attributes; the embedded dev server registers them at start. */
export const searchAttributes = {
  stage: defineSearchAttributeKey('OpfStage', 'KEYWORD'),
};

/** Returns the improvement's whole live state. */
export const getStatusQuery = defineQuery<ImprovementState>('getStatus');

/** A person decides a task; refused (and nothing changes) when invalid. */
export const decideUpdate = defineUpdate<DecisionResult, [DecisionRequest]>('decide');

/**
 * The same decision, sent when no worker could take the update in time: the server keeps it,
 * and the workflow applies it (once) when a worker returns.
 */
export const decisionSignal = defineSignal<[DecisionRequest]>('decisionReceived');

/** Moves an open task to another person, with a fresh link; the old links die. */
export const reassignUpdate = defineUpdate<ReassignResult, [ReassignRequest]>('reassign');

/** The same reassignment, sent when no worker could take the update in time. */
export const reassignSignal = defineSignal<[ReassignRequest]>('reassignmentReceived');

/** The proposer or the ORPG withdraws the improvement; refused from deployment on. */
export const withdrawUpdate = defineUpdate<ImprovementState, [WithdrawRequest]>('withdraw');

/** The same withdrawal, sent when no worker could take the update in time. */
export const withdrawSignal = defineSignal<[WithdrawRequest]>('withdrawalReceived');

/** What the unit deployment child workflow is given. */
export interface UnitDeploymentInput {
  improvementId: string;
  proposerEmail?: string;
  selfApprovalBlockedSteps?: StepName[];
  improvementTitle: string;
  unit: UnitDeployment;
  durations: DurationOverrides;
  context: string[];
}
