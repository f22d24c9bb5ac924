import { Router } from 'express';
import { z } from 'zod';
import { allow, callerHolds } from '../auth';
import { type DecisionDeps, decisionIdPattern, submitDecision } from '../use-cases/decide';
import { AppError, parse } from '../errors';
import { emailAddress, freeText } from '../input-fields';
import { reassignTask } from '../use-cases/reassign';

export const taskParams = z.strictObject({ id: z.uuid() });

/** A decision field: text, a number, a yes/no, or a list (of units, or of actions as objects). */
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const fieldValue = z.union([scalar, z.array(z.union([scalar, z.record(z.string().max(100), scalar)]))]);

export const decisionBody = z.strictObject({
  /** Required from the admin; a person always decides as themself. */
  actor: emailAddress().optional(),
  outcome: z.string().min(1).max(50),
  fields: z.record(z.string().max(100), fieldValue).default({}),
});

export const reassignBody = z.strictObject({
  to: emailAddress(),
  reason: freeText(1, 2_000),
});

/** Human tasks, for API users. */
export function taskRoutes(deps: DecisionDeps): Router {
  const { db } = deps;
  const router = Router();

  async function findTask(id: string) {
    const task = await db.task.findUnique({ where: { id } });
    if (!task) throw new AppError('not_found', 404, `id: no task ${id}`);
    return task;
  }

  /** One task: who holds it, its clock, and how it ended. Its assignee, the ORPG, management and auditors may read it. */
  router.get('/:id', allow('tasks:read'), async (req, res) => {
    const { id } = parse(taskParams, req.params, 'params');
    const task = await findTask(id);
    if (task.assignee !== req.caller!.email && !callerHolds(req.caller, 'orpg', 'management', 'auditor')) {
      throw new AppError('forbidden', 403, 'id: only the assignee, the ORPG, management or auditors may read this task');
    }
    res.json(task);
  });

  /**
   * Decides a task with the step's fields, as its assignee. 200 when applied; 202 when received
   * while no worker runs (it is applied when one returns). With an `Idempotency-Key` header, a
   * retry of the same decision is answered with its outcome. The workflow audits the decision.
   */
  router.post('/:id/decision', allow('tasks:decide'), async (req, res) => {
    const { id } = parse(taskParams, req.params, 'params');
    const body = parse(decisionBody, req.body, 'body');
    const caller = req.caller!;
    const actor = caller.admin ? body.actor : caller.email;
    if (!actor) throw new AppError('invalid_input', 400, 'body.actor: required when the admin decides for someone');
    if (!caller.admin && body.actor && body.actor.toLowerCase() !== caller.email) {
      throw new AppError('forbidden', 403, 'body.actor: you may only decide as yourself');
    }
    const key = req.get('idempotency-key');
    if (key !== undefined && !decisionIdPattern.test(key)) {
      throw new AppError('invalid_input', 400, 'Idempotency-Key: 8 to 200 letters, digits or . : _ -');
    }
    const receipt = await submitDecision(deps, {
      taskId: id,
      actor,
      outcome: body.outcome,
      fields: body.fields,
      channel: 'api',
      via: 'api',
      decisionId: key,
      requestId: typeof req.id === 'string' ? req.id : undefined,
    });
    res.status(receipt.status === 'applied' ? 200 : 202).json(receipt);
  });

  /** The ORPG hands an open task to someone else: they get a fresh link, the old links die. */
  router.post('/:id/reassign', allow('tasks:reassign'), async (req, res) => {
    const { id } = parse(taskParams, req.params, 'params');
    const body = parse(reassignBody, req.body, 'body');
    const receipt = await reassignTask(deps, req, { taskId: id, to: body.to, by: req.caller!.email, reason: body.reason });
    res.status(receipt.status === 'applied' ? 200 : 202).json(receipt);
  });

  return router;
}
