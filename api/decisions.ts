import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Database } from '../prisma/database';
import { decideUpdate, type DecisionRequest, type DecisionResult, decisionSignal } from '../workflows/improvement/definitions';
import { type StepName, stepNames, validateDecision } from '../workflows/improvement/steps';
import { AppError, assertStorableText } from './errors';
import { updateOrSignal } from './handoff';

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
}

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

/** Checks a decision against the read model first, so a refusal never waits for a worker. */
async function precheck({ db, selfApprovalBlockedSteps }: DecisionDeps, decision: SubmittedDecision): Promise<TaskRow> {
  assertStorableText({ outcome: decision.outcome, fields: decision.fields }, 'decision');
  const task = await db.task.findUnique({ where: { id: decision.taskId } });
  if (!task) throw new AppError('not_found', 404, `taskId: no task ${decision.taskId}`);
  if (task.status !== 'open') throw new AppError('task_closed', 409, describeClosedTask(task));
  if (decision.actor.toLowerCase() !== task.assignee.toLowerCase()) {
    throw new AppError('not_assignee', 403, `actor: only ${task.assignee} can decide this task`);
  }
  if (!stepNames.includes(task.step as StepName)) throw new AppError('internal', 500, 'unknown step');
  if (proposerMayNotDecide(task, selfApprovalBlockedSteps)) {
    const improvement = await db.improvement.findUnique({ where: { id: task.improvementId }, select: { proposerEmail: true } });
    if (improvement?.proposerEmail === decision.actor.toLowerCase()) {
      throw new AppError('self_approval', 403, 'actor: a proposer cannot decide this step of their own proposal');
    }
  }
  const checked = validateDecision(task.step as StepName, decision.outcome, decision.fields);
  if (!checked.ok) {
    throw new AppError(
      'invalid_input',
      400,
      checked.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
      { fields: checked.problems },
    );
  }
  return task;
}

/**
 * Hands a decision to the workflow holding the task. The workflow validates it again and applies
 * it; when no worker takes it in time, it is sent as a signal the server keeps, and applied once
 * a worker returns.
 */
export async function submitDecision(deps: DecisionDeps, decision: SubmittedDecision): Promise<DecisionReceipt> {
  const task = await precheck(deps, decision);
  const request: DecisionRequest = { ...decision, actor: decision.actor.toLowerCase(), decisionId: randomUUID() };
  const handle = deps.temporal.workflow.getHandle(task.workflowId);
  const handoff = await updateOrSignal<DecisionResult, [DecisionRequest]>(deps.temporal, handle, { update: decideUpdate, signal: decisionSignal }, [request], {
    waitMs: deps.waitMs,
    updateId: request.decisionId,
  });
  deps.onDecision?.(task.step, task.createdAt, handoff.status);
  if (handoff.status === 'applied') return { status: 'applied', ...handoff.result };
  return { status: 'received', taskId: request.taskId, outcome: request.outcome };
}
