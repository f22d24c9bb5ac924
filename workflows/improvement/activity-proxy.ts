import type { RetryPolicy } from '@temporalio/common';
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';

type Activities = ReturnType<typeof createActivities>;

const retry: RetryPolicy = { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 };

/** The activities as the improvement's workflows call them: retried with backoff, 30 s per attempt. */
export const activities = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });

/**
 * The same, run by the worker inside the workflow task that asks for them: no round trip through
 * the server's task queue. For short, idempotent database writes a person is waiting on.
 */
export const localActivities = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });
