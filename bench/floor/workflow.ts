import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createFloorActivities } from './activities';
import { type FloorDecision, floorDecideUpdate } from './definitions';

const { recordFloorStep } = proxyActivities<ReturnType<typeof createFloorActivities>>({ startToCloseTimeout: '30 seconds' });

/**
 * The floor the benchmarks compare against: bare Temporal doing the least a lifecycle must do —
 * one validated update per human step, each applied by one activity that writes one row.
 */
export async function floorLifecycle(steps: number): Promise<number> {
  let step = 0;
  setHandler(
    floorDecideUpdate,
    async (decision: FloorDecision) => {
      await recordFloorStep({ workflowId: workflowInfo().workflowId, step: decision.step, outcome: decision.outcome });
      step += 1;
      return { step };
    },
    {
      validator: (decision: FloorDecision) => {
        if (decision.step !== step || !decision.outcome) throw new Error(`step ${decision.step} is not open`);
      },
    },
  );
  await condition(() => step >= steps);
  return step;
}
