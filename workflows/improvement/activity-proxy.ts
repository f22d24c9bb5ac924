import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';

type Activities = ReturnType<typeof createActivities>;

/** The activities as the improvement's workflows call them: retried with backoff, 30 s per attempt. */
export const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});
