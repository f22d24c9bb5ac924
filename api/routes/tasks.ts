import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { type DecisionDeps, submitDecision } from '../decisions';
import { AppError, parse } from '../errors';

const taskParams = z.strictObject({ id: z.uuid() });

const decisionBody = z.strictObject({
  actor: z.email().max(320),
  outcome: z.string().min(1).max(50),
  fields: z.record(z.string(), z.unknown()).default({}),
});

/** Human tasks, for API users. */
export function taskRoutes({ requireAdmin, ...deps }: DecisionDeps & { requireAdmin: RequestHandler }): Router {
  const router = Router();

  /** One task: who holds it, its clock, and how it ended. */
  router.get('/:id', requireAdmin, async (req, res) => {
    const { id } = parse(taskParams, req.params, 'params');
    const task = await deps.db.task.findUnique({ where: { id } });
    if (!task) throw new AppError('not_found', 404, `id: no task ${id}`);
    res.json(task);
  });

  /**
   * Decides a task with the step's fields. 200 when applied; 202 when received while no worker
   * runs (it is applied when one returns).
   */
  router.post('/:id/decision', requireAdmin, async (req, res) => {
    const { id } = parse(taskParams, req.params, 'params');
    const body = parse(decisionBody, req.body, 'body');
    const receipt = await submitDecision(deps, { taskId: id, ...body, channel: 'api' });
    res.status(receipt.status === 'applied' ? 200 : 202).json(receipt);
  });

  return router;
}
