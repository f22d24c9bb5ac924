import { defineUpdate } from '@temporalio/workflow';

/** One human step of the floor lifecycle: a validated decision, applied by one trivial activity. */
export interface FloorDecision {
  step: number;
  outcome: string;
}

export const floorDecideUpdate = defineUpdate<{ step: number }, [FloorDecision]>('floorDecide');
