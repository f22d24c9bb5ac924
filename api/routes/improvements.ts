import { randomUUID } from 'node:crypto';
import { type RequestHandler, Router } from 'express';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { Database } from '../../prisma/database';
import { improvementWorkflowId, type ImprovementInput } from '../../workflows/improvement/definitions';
import { AppError, parse } from '../errors';

const proposalSchema = z.strictObject({
  title: z.string().trim().min(3).max(200),
  description: z.string().trim().min(1).max(20_000),
  proposer: z.email().max(320),
});

const idParams = z.strictObject({ id: z.uuid() });

export interface ImprovementRouteDeps {
  temporal: Client;
  db: Database;
  taskQueue: string;
  requireAdmin: RequestHandler;
}

/** Submitting and reading improvements. */
export function improvementRoutes({ temporal, db, taskQueue, requireAdmin }: ImprovementRouteDeps): Router {
  const router = Router();

  /** Submits a proposal: starts its lifecycle workflow. */
  router.post('/', requireAdmin, async (req, res) => {
    const proposal = parse(proposalSchema, req.body, 'body');
    const input: ImprovementInput = {
      id: randomUUID(),
      title: proposal.title,
      description: proposal.description,
      proposerEmail: proposal.proposer.toLowerCase(),
    };
    try {
      await temporal.workflow.start('improvementLifecycle', {
        workflowId: improvementWorkflowId(input.id),
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        memo: { title: input.title },
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        throw new AppError('conflict', 409, `improvement ${input.id} already exists`);
      }
      throw error;
    }
    res.status(201).location(`/api/improvements/${input.id}`).json({
      id: input.id,
      title: input.title,
      proposer: input.proposerEmail,
      stage: 'proposed',
      status: 'active',
    });
  });

  /** One improvement with its stage and history, from the read model. */
  router.get('/:id', requireAdmin, async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const improvement = await db.improvement.findUnique({
      where: { id },
      include: { events: { orderBy: [{ at: 'asc' }, { eventKey: 'asc' }] } },
    });
    if (improvement) {
      res.json({
        id: improvement.id,
        title: improvement.title,
        description: improvement.description,
        proposer: improvement.proposerEmail,
        stage: improvement.stage,
        status: improvement.status,
        createdAt: improvement.createdAt,
        updatedAt: improvement.updatedAt,
        history: improvement.events.map(({ at, step, actor, action, comment }) => ({ at, step, actor, action, comment })),
      });
      return;
    }
    res.json(await describeNotYetRecorded(temporal, id));
  });

  return router;
}

/** Just after submission the worker may not have recorded the improvement yet: Temporal knows it. */
async function describeNotYetRecorded(temporal: Client, id: string) {
  try {
    const description = await temporal.workflow.getHandle(improvementWorkflowId(id)).describe();
    const memo = description.memo ?? {};
    return {
      id,
      title: typeof memo.title === 'string' ? memo.title : undefined,
      stage: 'proposed',
      status: description.status.name === 'RUNNING' ? 'active' : description.status.name.toLowerCase(),
      history: [],
    };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new AppError('not_found', 404, `id: no improvement ${id}`);
    throw error;
  }
}
