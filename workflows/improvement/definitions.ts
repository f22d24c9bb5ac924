import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';

/** Where an improvement is in the OPF lifecycle. */
export const improvementStages = ['proposed', 'awaiting-review', 'withdrawn'] as const;
export type ImprovementStage = (typeof improvementStages)[number];

/** Whether an improvement is still moving, and how it ended. */
export const improvementStatuses = ['active', 'closed', 'rejected', 'withdrawn', 'abandoned'] as const;
export type ImprovementStatus = (typeof improvementStatuses)[number];

/** A proposal as submitted [OPF SG3.SP4 subpractice 8]. */
export interface ImprovementInput {
  id: string;
  title: string;
  description: string;
  proposerEmail: string;
}

/** One entry of the improvement's history. */
export interface HistoryEntry {
  at: string;
  step: string;
  actor: string;
  action: string;
  comment?: string;
}

/** The whole live state of one improvement, as the status query returns it. */
export interface ImprovementState {
  id: string;
  title: string;
  description: string;
  proposerEmail: string;
  stage: ImprovementStage;
  status: ImprovementStatus;
  history: HistoryEntry[];
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

/** Custom search attributes; the embedded dev server registers them at start. */
export const searchAttributes = {
  stage: defineSearchAttributeKey('OpfStage', 'KEYWORD'),
};

/** Returns the improvement's whole live state. */
export const getStatusQuery = defineQuery<ImprovementState>('getStatus');

/** The proposer or the ORPG withdraws the improvement; refused once it has ended. */
export const withdrawUpdate = defineUpdate<ImprovementState, [WithdrawRequest]>('withdraw');
