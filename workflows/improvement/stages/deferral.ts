import { sleep } from '@temporalio/workflow';
import type { LifecycleContext } from './context';

/** Waits until the date management deferred its decision to. */
export async function waitForDeferral({ state }: LifecycleContext, then: () => Promise<void>): Promise<void> {
  const ms = Date.parse(state.deferredUntil ?? '') - Date.now();
  if (ms > 0) await sleep(ms);
  return then();
}
