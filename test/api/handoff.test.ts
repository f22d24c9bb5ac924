import { describe, expect, it } from 'vitest';
import { updateOrSignal } from '../../api/handoff';

/** A workflow handle whose update the server refuses as real servers do while the workflow's task is failing. */
function handleRefusingUpdates(signals: unknown[][]) {
  const refusal = Object.assign(new Error('Workflow Update failed'), {
    name: 'ServiceError',
    cause: Object.assign(new Error('9 FAILED_PRECONDITION: Unable to perform workflow execution update due to Workflow Task in failed state.'), { code: 9 }),
  });
  return {
    executeUpdate: () => Promise.reject(refusal),
    signal: (_definition: unknown, ...args: unknown[]) => {
      signals.push(args);
      return Promise.resolve();
    },
  };
}

describe('handing a decision to a workflow whose last task failed (its worker was killed mid-task)', () => {
  it('sends it as a signal the server keeps, and says it was received, not an error', async () => {
    const signals: unknown[][] = [];
    const temporal = { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() };
    const handoff = await updateOrSignal(temporal as never, handleRefusingUpdates(signals) as never, { update: {} as never, signal: {} as never }, [{ taskId: 't' }] as never, { waitMs: 1_000 });
    expect(handoff).toEqual({ status: 'received' });
    expect(signals).toEqual([[{ taskId: 't' }]]);
  });
});
