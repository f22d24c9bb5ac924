import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Database } from '../../prisma/database';
import { decideUpdate, type DecisionRequest, type DecisionResult, decisionSignal, type DecisionVia } from '../../workflows/improvement/definitions';
import { taskStepSpec, validateTaskDecision } from '../task-steps';
import { AppError, assertStorableText } from '../errors';
import { updateOrSignal, WorkflowEnded } from '../handoff';
import { catchUpUnappliedDecision } from './unapplied-decisions';

export interface DecisionDeps {
  temporal: Client;
  db: Database;
  /** Steps a proposer may not decide on their own proposal. */
  selfApprovalBlockedSteps: readonly string[];
  /** Told of each decision handed over, for the operators' metrics. */
  onDecision?: (step: string, taskOpenedAt: Date, result: 'applied' | 'received') => void;
  /** How long to wait for a worker to apply the decision before answering "received". */
  waitMs: number;
}

/** A decision as a person (or API client) submits it. */
export interface SubmittedDecision {
  taskId: string;
  actor: string;
  outcome: string;
  fields: Record<string, unknown>;
  channel: DecisionRequest['channel'];
  via: DecisionVia;
  /** The form's (or API client's Idempotency-Key) decision id: a resubmission is the same decision. */
  decisionId?: string;
  /** The request handing it over, for the audit trail. */
  requestId?: string;
}

/** A decision id as a form or an Idempotency-Key header carries it. */
export const decisionIdPattern = /^[\w.:-]{8,200}$/;

export type DecisionReceipt =
  | { status: 'applied'; taskId: string; outcome: string; stage: string }
  | { status: 'received'; taskId: string; outcome: string };

type TaskRow = NonNullable<Awaited<ReturnType<Database['task']['findUnique']>>>;

/** Says what happened to a task that can no longer be decided, by whom and when. */
export function describeClosedTask(task: Pick<TaskRow, 'status' | 'outcome' | 'decidedBy' | 'closedAt'>): string {
  const when = task.closedAt ? ` on ${task.closedAt.toUTCString()}` : '';
  if (task.status === 'decided') return `this task was already decided ("${task.outcome ?? ''}") by ${task.decidedBy ?? 'someone'}${when}`;
  if (task.status === 'cancelled') return `this task was cancelled${when} (the improvement was withdrawn or moved on)`;
  if (task.status === 'reassigned') return `this task was reassigned${when}; the new assignee has a fresh link`;
  return `this task is ${task.status}`;
}

/** The rule frozen on the task when it opened; the current setting only for tasks opened before it was kept. */
export function proposerMayNotDecide(task: { step: string; proposerBlocked: boolean | null }, selfApprovalBlockedSteps: readonly string[]): boolean {
  return task.proposerBlocked ?? selfApprovalBlockedSteps.includes(task.step);
}

async function findTask(db: Database, taskId: string): Promise<TaskRow> {
  const task = await db.task.findUnique({ where: { id: taskId } });
  if (!task) throw new AppError('not_found', 404, `taskId: no task ${taskId}`);
  return task;
}

/** The receipt of a decision already applied under this decision id, if it was. */
export async function recordedDecision(db: Database, task: TaskRow, decisionId: string | undefined, actor?: string): Promise<DecisionReceipt | undefined> {
  if (!decisionId || task.status !== 'decided' || task.decisionId !== decisionId) return undefined;
  if (actor && task.decidedBy?.toLowerCase() !== actor.toLowerCase()) return undefined;
  // An adoption task's workflow answers with the deployment stage; it has no improvement.
  const improvement = task.improvementId ? await db.improvement.findUnique({ where: { id: task.improvementId }, select: { stage: true } }) : null;
  return { status: 'applied', taskId: task.id, outcome: task.outcome ?? '', stage: improvement?.stage ?? (task.improvementId ? 'unknown' : 'deployment') };
}

/** Checks a decision against the read model first, so a refusal never waits for a worker. */
async function precheck({ db, selfApprovalBlockedSteps }: DecisionDeps, decision: SubmittedDecision, task: TaskRow): Promise<void> {
  if (task.status !== 'open') throw new AppError('task_closed', 409, describeClosedTask(task));
  if (decision.actor.toLowerCase() !== task.assignee.toLowerCase()) {
    throw new AppError('not_assignee', 403, `actor: only ${task.assignee} can decide this task`);
  }
  if (!taskStepSpec(task.step)) throw new AppError('internal', 500, 'unknown step');
  if (task.improvementId && proposerMayNotDecide(task, selfApprovalBlockedSteps)) {
    const improvement = await db.improvement.findUnique({ where: { id: task.improvementId }, select: { proposerEmail: true } });
    if (improvement?.proposerEmail === decision.actor.toLowerCase()) {
      throw new AppError('self_approval', 403, 'actor: a proposer cannot decide this step of their own proposal');
    }
  }
  const checked = validateTaskDecision(task.step, decision.outcome, decision.fields);
  if (!checked.ok) {
    throw new AppError(
      'invalid_input',
      400,
      checked.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
      { fields: checked.problems },
    );
  }
}

/**
 * A refusal because the task is closed, or a finished workflow, may hide that this very decision
 * was applied (the first submission's answer was lost): the read model says what happened.
 */
async function outcomeOfClosedTask(db: Database, request: DecisionRequest, error: AppError): Promise<DecisionReceipt> {
  const task = await findTask(db, request.taskId);
  const recorded = await recordedDecision(db, task, request.decisionId, request.actor);
  if (recorded) return recorded;
  if (task.status !== 'open') throw new AppError('task_closed', 409, describeClosedTask(task));
  throw error;
}

/**
 * Hands a decision to the workflow holding the task. The workflow validates it again and applies
 * it; when no worker takes it in time, it is sent as a signal the server keeps, and applied once
 * a worker returns. The workflow audits it when it applies it. Submitting the same decision id
 * again is answered with that decision's outcome.
 */
export async function submitDecision(deps: DecisionDeps, decision: SubmittedDecision): Promise<DecisionReceipt> {
  assertStorableText({ outcome: decision.outcome, fields: decision.fields }, 'decision');
  const task = await findTask(deps.db, decision.taskId);
  const recorded = await recordedDecision(deps.db, task, decision.decisionId, decision.actor);
  if (recorded) {
    await catchUpUnappliedDecision(deps.temporal, task);
    return recorded;
  }
  await precheck(deps, decision, task);
  const request: DecisionRequest = {
    taskId: decision.taskId,
    actor: decision.actor.toLowerCase(),
    outcome: decision.outcome,
    fields: decision.fields,
    channel: decision.channel,
    via: decision.via,
    decisionId: decision.decisionId ?? randomUUID(),
    ...(decision.requestId ? { requestId: decision.requestId } : {}),
  };
  const handle = deps.temporal.workflow.getHandle(task.workflowId);
  let handoff;
  try {
    handoff = await updateOrSignal<DecisionResult, [DecisionRequest]>(deps.temporal, handle, { update: decideUpdate, signal: decisionSignal }, [request], {
      waitMs: deps.waitMs,
      updateId: request.decisionId,
    });
  } catch (error) {
    if (error instanceof WorkflowEnded || (error instanceof AppError && error.code === 'task_closed')) return outcomeOfClosedTask(deps.db, request, error);
    throw error;
  }
  deps.onDecision?.(task.step, task.createdAt, handoff.status);
  if (handoff.status === 'applied') return { status: 'applied', ...handoff.result };
  return { status: 'received', taskId: request.taskId, outcome: request.outcome };
}

/** What became of one task of a bulk decision. */
export type BulkOutcome = { taskId: string; result: 'decided' | 'received' } | { taskId: string; result: 'not decided'; reason: string };

/**
 * Decides several tasks the same way, one after the other; a refusal of one leaves the others
 * decided. One bulk submission is one decision per task: resubmitting it repeats none of them.
 */
export async function decideInBulk(
  deps: DecisionDeps,
  bulk: { taskIds: string[]; actor: string; outcome: string; decisionId?: string; requestId?: string },
): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = [];
  for (const taskId of bulk.taskIds) {
    try {
      const receipt = await submitDecision(deps, {
        taskId,
        actor: bulk.actor,
        outcome: bulk.outcome,
        fields: {},
        channel: 'web',
        via: 'bulk',
        decisionId: bulk.decisionId ? `${bulk.decisionId}:${taskId}` : undefined,
        requestId: bulk.requestId,
      });
      outcomes.push({ taskId, result: receipt.status === 'applied' ? 'decided' : 'received' });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      outcomes.push({ taskId, result: 'not decided', reason: error.message });
    }
  }
  return outcomes;
}
