import type { Client } from '@temporalio/client';
import type { Database } from '../../prisma/database';
import { type DecisionRequest, decisionSignal, getStatusQuery } from '../../workflows/improvement/definitions';

type TaskRow = NonNullable<Awaited<ReturnType<Database['task']['findUnique']>>>;

/**
 * The read model can show a task decided while its workflow still holds it open: the worker closed
 * the task and died before its workflow task was recorded, and the API that handed the decision
 * over died too. When the decider submits the same decision again, it is handed over once more
 * (as a signal the server keeps), so the workflow applies it; a workflow that already has it
 * ignores it. Best effort: an ended or unreachable workflow has nothing to catch up on.
 */
export async function catchUpUnappliedDecision(temporal: Client, task: TaskRow): Promise<void> {
  if (task.status !== 'decided' || !task.decisionId || !task.decidedBy) return;
  try {
    const handle = temporal.workflow.getHandle(task.workflowId);
    const state = await handle.query(getStatusQuery);
    if (!state.openTasks?.some((open) => open.id === task.id)) return;
    const request: DecisionRequest = {
      taskId: task.id,
      decisionId: task.decisionId,
      actor: task.decidedBy,
      outcome: task.outcome ?? '',
      fields: (task.decision ?? {}) as Record<string, unknown>,
      channel: (task.channel ?? 'api') as DecisionRequest['channel'],
    };
    await handle.signal(decisionSignal, request);
  } catch {
    // Ended, not an improvement's workflow, or unreachable right now: the receipt stands.
  }
}
