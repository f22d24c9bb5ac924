import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { audit } from '../audit';
import { type DecisionDeps, proposerMayNotDecide } from './decide';
import { AppError } from '../errors';
import { delegationCancelledSignal, type DelegationStartInput, delegationWorkflowId } from '../../workflows/delegation/definitions';

export type DelegationDeps = Pick<DecisionDeps, 'db' | 'temporal' | 'selfApprovalBlockedSteps'> & { taskQueue: string };

/** Starting or signalling the workflow happens inside the transaction; a busy server may take a few seconds. */
const transactionLimits = { maxWait: 10_000, timeout: 20_000 };

export interface DelegationRequest {
  person: string;
  delegate: string;
  from: string;
  until: string;
}

export interface DelegationRow {
  id: string;
  personEmail: string;
  delegateEmail: string;
  startsAt: Date;
  endsAt: Date;
  cancelledAt: Date | null;
}

/** The person's open tasks that move now, and those that stay because the delegate proposed the improvement. */
async function tasksMovingNow(deps: DelegationDeps, person: string, delegate: string) {
  const open = await deps.db.task.findMany({ where: { assignee: person, status: 'open' }, include: { improvement: { select: { proposerEmail: true } } } });
  const keptBySelfApproval = (task: (typeof open)[number]) => proposerMayNotDecide(task, deps.selfApprovalBlockedSteps) && task.improvement.proposerEmail === delegate;
  return {
    rerouted: open.filter((task) => !keptBySelfApproval(task)).map((task) => task.id),
    kept: open.filter(keptBySelfApproval).map((task) => ({ taskId: task.id, reason: 'the delegate proposed this improvement and may not decide this step' })),
  };
}

/**
 * Records a delegation and its audit entry in one transaction, and starts the workflow that moves
 * the person's tasks at its start and returns them at its end. If the workflow cannot be started,
 * nothing is stored; if storing fails after the start, the workflow finds no delegation and moves nothing.
 */
export async function startDelegation(deps: DelegationDeps, req: Request, request: DelegationRequest) {
  const { db } = deps;
  const [person, delegate] = await Promise.all([
    db.person.findUnique({ where: { email: request.person } }),
    db.person.findUnique({ where: { email: request.delegate } }),
  ]);
  if (!person) throw new AppError('not_found', 404, `email: no person ${request.person}`);
  if (!delegate) throw new AppError('unprocessable', 422, `delegate: ${request.delegate} is not a registered person`);
  const startsAt = new Date(request.from);
  const inForce = startsAt <= new Date();
  const moving = inForce ? await tasksMovingNow(deps, request.person, request.delegate) : { rerouted: [], kept: [] };
  const delegation = await db.$transaction(async (tx) => {
    const row = await tx.delegation.create({
      data: { id: randomUUID(), personEmail: request.person, delegateEmail: request.delegate, startsAt, endsAt: new Date(request.until), createdBy: req.caller!.email },
    });
    await audit(tx, req, {
      action: 'delegation.create',
      target: request.person,
      outcome: 'ok',
      details: { delegationId: row.id, delegate: request.delegate, from: request.from, until: request.until, rerouted: moving.rerouted, kept: moving.kept },
    });
    await startWorkflow(deps, row, req.caller!.email);
    return row;
  }, transactionLimits);
  return { delegation, reroutedTasks: moving.rerouted, keptTasks: moving.kept };
}

async function startWorkflow(deps: DelegationDeps, row: DelegationRow, by: string): Promise<void> {
  const input: DelegationStartInput = {
    delegationId: row.id,
    person: row.personEmail,
    delegate: row.delegateEmail,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    by,
  };
  await deps.temporal.workflow.start('delegationStart', { workflowId: delegationWorkflowId(row.id), taskQueue: deps.taskQueue, args: [input] });
}

/**
 * Ends a delegation early, audited in the same transaction; its workflow then hands the delegate's
 * open tasks for the person back. Delegations made before that workflow existed get one started.
 */
export async function cancelDelegation(deps: DelegationDeps, req: Request, person: string, id: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const cancelled = await tx.delegation.updateMany({ where: { id, personEmail: person, cancelledAt: null }, data: { cancelledAt: new Date() } });
    if (cancelled.count === 0) throw new AppError('not_found', 404, `id: no active delegation ${id} of ${person}`);
    const row = (await tx.delegation.findUnique({ where: { id } })) as DelegationRow;
    await audit(tx, req, { action: 'delegation.cancel', target: person, outcome: 'ok', details: { delegationId: id } });
    await deps.temporal.workflow.signalWithStart('delegationStart', {
      workflowId: delegationWorkflowId(id),
      taskQueue: deps.taskQueue,
      args: [{ delegationId: id, person, delegate: row.delegateEmail, startsAt: row.startsAt.toISOString(), endsAt: row.endsAt.toISOString(), by: req.caller!.email }],
      signal: delegationCancelledSignal,
    });
  }, transactionLimits);
}
