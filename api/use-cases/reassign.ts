import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { reassignSignal, reassignUpdate, type ReassignRequest, type ReassignResult } from '../../workflows/improvement/definitions';
import { audit } from '../audit';
import { AppError } from '../errors';
import { updateOrSignal } from '../handoff';
import type { DecisionDeps } from './decide';

export interface Reassignment {
  taskId: string;
  to: string;
  by: string;
  reason: string;
}

/** The ORPG hands an open task to a registered person: they get a fresh link, the old links die. */
export async function reassignTask(deps: DecisionDeps, req: Request, reassignment: Reassignment): Promise<{ status: 'applied' | 'received'; taskId: string; assignee: string }> {
  const { db } = deps;
  const task = await db.task.findUnique({ where: { id: reassignment.taskId } });
  if (!task) throw new AppError('not_found', 404, `id: no task ${reassignment.taskId}`);
  if (task.status !== 'open') throw new AppError('task_closed', 409, `id: the task is ${task.status}, not open`);
  // A unit's adoption workflow does not move its tasks: its manager decides, or the ORPG grants a waiver.
  if (!task.improvementId) throw new AppError('conflict', 409, `id: task ${task.id} is a unit's adoption of a process version, which cannot be reassigned`);
  const to = reassignment.to.toLowerCase();
  if (!(await db.person.findUnique({ where: { email: to } }))) throw new AppError('unprocessable', 422, `to: ${to} is not a registered person`);
  const receipt = await handOver(deps, { taskId: task.id, workflowId: task.workflowId, to, by: reassignment.by, reason: reassignment.reason });
  await audit(db, req, { action: 'task.reassign', target: task.id, outcome: receipt.status === 'applied' ? 'ok' : 'received', details: { from: task.assignee, to, reason: reassignment.reason } });
  return receipt;
}

/** Moves an open task to someone else through its workflow. */
export async function handOver(
  deps: Pick<DecisionDeps, 'temporal' | 'waitMs'>,
  request: { taskId: string; workflowId: string; to: string; onBehalfOf?: string; by: string; reason: string },
): Promise<{ status: 'applied' | 'received'; taskId: string; assignee: string }> {
  const { workflowId, ...rest } = request;
  const message: ReassignRequest = { ...rest, requestId: randomUUID() };
  const handoff = await updateOrSignal<ReassignResult, [ReassignRequest]>(
    deps.temporal,
    deps.temporal.workflow.getHandle(workflowId),
    { update: reassignUpdate, signal: reassignSignal },
    [message],
    { waitMs: deps.waitMs, updateId: message.requestId },
  );
  return { status: handoff.status, taskId: request.taskId, assignee: request.to };
}
