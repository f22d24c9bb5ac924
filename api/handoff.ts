import {
  type Client,
  isGrpcDeadlineError,
  type WorkflowHandle,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { AppError } from './errors';

/** The workflow has finished: nothing can be handed to it any more. */
export class WorkflowEnded extends AppError {
  constructor() {
    super('refused', 409, 'the improvement has already ended');
    this.name = 'WorkflowEnded';
  }
}

export type Handoff<R> = { status: 'applied'; result: R } | { status: 'received' };

const refusalStatus: Record<string, [number, string]> = {
  TaskNotOpen: [409, 'task_closed'],
  NotAssignee: [403, 'not_assignee'],
  SelfApproval: [403, 'self_approval'],
  InvalidDecision: [400, 'invalid_input'],
};

/** A workflow's refusal, as the HTTP error that names what was wrong. */
function refusalFrom(error: WorkflowUpdateFailedError): AppError {
  const cause = error.cause;
  if (cause instanceof ApplicationFailure && cause.type && refusalStatus[cause.type]) {
    const [status, code] = refusalStatus[cause.type]!;
    return new AppError(code, status, cause.message);
  }
  return new AppError('refused', 409, cause?.message ?? error.message);
}

/**
 * The server refuses updates while the workflow's last task failed or timed out (its worker was
 * killed mid-task) and is waiting to be retried: the signal waits for that retry instead.
 */
function workflowTaskFailing(error: unknown): boolean {
  const failure = error as { code?: unknown; message?: string; cause?: { code?: unknown; message?: string } };
  const code = failure.code ?? failure.cause?.code;
  const text = `${failure.message ?? ''} ${failure.cause?.message ?? ''}`;
  return code === grpcFailedPrecondition && /Workflow Task in failed state/i.test(text);
}

const grpcFailedPrecondition = 9;

/**
 * Hands a person's request to a workflow as an Update, so they learn at once whether it was
 * accepted. When no worker takes it within `waitMs` (none running), the same request goes as a
 * Signal, which the server keeps until a worker returns: the person is told it was received.
 * The workflow applies a request once, whichever way it arrived.
 */
export async function updateOrSignal<R, A extends [unknown, ...unknown[]]>(
  temporal: Client,
  handle: WorkflowHandle,
  messages: { update: UpdateDefinition<R, A>; signal: SignalDefinition<A> },
  args: A,
  options: { waitMs: number; updateId?: string },
): Promise<Handoff<R>> {
  try {
    const result = await temporal.withDeadline(Date.now() + options.waitMs, () =>
      handle.executeUpdate(messages.update, { args, updateId: options.updateId }),
    );
    return { status: 'applied', result };
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw refusalFrom(error);
    if (error instanceof WorkflowNotFoundError) throw new WorkflowEnded();
    if (!(error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(error) || workflowTaskFailing(error))) throw error;
  }
  try {
    await handle.signal(messages.signal, ...args);
  } catch (error) {
    // The update may have finished the workflow (a unit's last decision) after the wait ran out.
    if (error instanceof WorkflowNotFoundError) throw new WorkflowEnded();
    throw error;
  }
  return { status: 'received' };
}
