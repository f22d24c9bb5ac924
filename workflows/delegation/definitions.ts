import { defineSignal } from '@temporalio/workflow';

/** A delegation that starts later: at its start, the person's pending tasks move to the delegate. */
export interface DelegationStartInput {
  delegationId: string;
  person: string;
  delegate: string;
  startsAt: string;
  endsAt: string;
  by: string;
}

/** One workflow per future delegation; its id derives from the delegation's. */
export function delegationWorkflowId(delegationId: string): string {
  return `delegation-${delegationId}`;
}

/** The person or the ORPG ended the delegation early: the delegate's open tasks for the person go back. */
export const delegationCancelledSignal = defineSignal('delegationCancelled');
