import { Router } from 'express';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { findImprovementRecord } from '../../reports/read-model';
import { durationPattern, improvementSources, improvementStages, improvementStatuses, improvementWorkflowId } from '../../workflows/improvement/definitions';
import { stepNames } from '../../workflows/improvement/steps';
import { allow } from '../auth';
import { AppError, parse } from '../errors';
import { emailAddress, freeText } from '../input-fields';
import { type ImprovementDeps, submitImprovement, withdrawImprovement } from '../use-cases/improvements';

const duration = z.string().regex(durationPattern, 'must be a duration such as 5bd, 3d, 12h, 30m or 45s');
const timing = z.strictObject({ due: duration, remindBefore: duration, escalateAfter: duration }).partial();

/** Whether a body, valid or not, names its process neither from the library nor by name and owner. */
function namesNoProcess({ value }: { value: unknown }): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const body = value as Record<string, unknown>;
  return body.processId === undefined && (body.process === undefined || body.processOwner === undefined);
}

export const proposalSchema = z.strictObject({
  title: freeText(3, 200),
  description: freeText(1, 20_000),
  proposedChange: freeText(0, 20_000).optional(),
  /** Defaults to the caller; only the ORPG (or the admin) may submit for someone else. */
  proposer: emailAddress().optional(),
  /** Defaults to the library's owner of `processId`. */
  processOwner: emailAddress().optional(),
  /** The standard process it changes, from the library; its name becomes `process`. */
  processId: z.uuid().optional(),
  /** The process by name, for clients from before the library: needs `processOwner`. */
  process: freeText(1, 200).optional(),
  orgUnits: z.array(z.uuid()).min(1).max(200),
  source: z.enum(improvementSources),
  pilot: z.boolean(),
  expectedBenefit: freeText(0, 5_000).optional(),
  estimatedCost: freeText(0, 1_000).optional(),
  estimatedEffort: freeText(0, 1_000).optional(),
  durations: z
    .strictObject({
      default: timing.optional(),
      steps: z.partialRecord(z.enum(stepNames as [string, ...string[]]), timing).optional(),
      settlingPeriod: duration.optional(),
    })
    .optional(),
  continueAsNewAfterEvents: z.number().int().min(50).optional(),
})
  // Checked even when other fields are wrong, so one answer names every missing field.
  .refine((proposal) => Boolean(proposal?.processId ?? proposal?.process), { path: ['processId'], message: 'required: the standard process the improvement changes (or, by name, process and processOwner)', when: namesNoProcess })
  .refine((proposal) => Boolean(proposal?.processId ?? proposal?.processOwner), { path: ['processOwner'], message: 'required unless processId names a process from the library', when: namesNoProcess })
  .meta({ anyOf: [{ required: ['processId'] }, { required: ['process', 'processOwner'] }] });

export const improvementListQuery = z.strictObject({
  stage: z.enum(improvementStages).optional(),
  status: z.enum(improvementStatuses).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  assignee: emailAddress().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const improvementParams = z.strictObject({ id: z.uuid() });
export const withdrawBody = z.strictObject({ actor: emailAddress().optional(), reason: freeText(1, 5_000) });

export type ImprovementRouteDeps = ImprovementDeps;

/** Submitting, listing, reading and withdrawing improvements. */
export function improvementRoutes(deps: ImprovementRouteDeps): Router {
  const { temporal, db } = deps;
  const router = Router();

  /** Submits a proposal [SG3.SP4 sp8]: starts its lifecycle workflow. */
  router.post('/', allow('improvements:submit'), async (req, res) => {
    const proposal = parse(proposalSchema, req.body, 'body');
    const input = await submitImprovement(deps, req, req.caller!, proposal);
    res.status(201).location(`/api/improvements/${input.id}`).json({
      id: input.id,
      title: input.title,
      proposer: input.proposerEmail,
      processOwner: input.processOwnerEmail,
      stage: 'review',
      status: 'active',
    });
  });

  /** Improvements in the read model, filterable by stage, status, overdue and assignee. */
  router.get('/', allow('improvements:read'), async (req, res) => {
    const query = parse(improvementListQuery, req.query, 'query');
    const taskFilter = {
      status: 'open',
      ...(query.overdue === 'true' ? { dueAt: { lt: new Date() } } : {}),
      ...(query.assignee ? { assignee: query.assignee.toLowerCase() } : {}),
    };
    const where = {
      ...(query.stage ? { stage: query.stage } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.overdue === 'true' || query.assignee ? { tasks: { some: taskFilter } } : {}),
    };
    const [total, rows] = await Promise.all([
      db.improvement.count({ where }),
      db.improvement.findMany({
        where,
        orderBy: { createdAt: 'desc' },
        take: query.limit,
        skip: query.offset,
        include: { tasks: { where: { status: 'open' }, orderBy: { dueAt: 'asc' } } },
      }),
    ]);
    res.json({
      total,
      limit: query.limit,
      offset: query.offset,
      items: rows.map((row) => ({
        id: row.id,
        title: row.title,
        stage: row.stage,
        status: row.status,
        priority: row.priority,
        processOwner: row.processOwnerEmail,
        escalationLevel: row.escalationLevel,
        overdue: row.tasks.some((task) => task.dueAt < new Date()),
        openTasks: row.tasks.map(openTaskView),
        createdAt: row.createdAt,
      })),
    });
  });

  /** One improvement with its open tasks and full history, from the read model. */
  router.get('/:id', allow('improvements:read'), async (req, res) => {
    const { id } = parse(improvementParams, req.params, 'params');
    const improvement = await findImprovementRecord(db, id);
    if (!improvement) {
      res.json(await describeNotYetRecorded(temporal, id));
      return;
    }
    res.json({
      id: improvement.id,
      title: improvement.title,
      description: improvement.description,
      proposer: improvement.proposerEmail,
      processOwner: improvement.processOwnerEmail,
      process: improvement.process,
      processId: improvement.processId,
      source: improvement.source,
      pilot: improvement.pilot,
      orgUnits: improvement.orgUnitIds,
      priority: improvement.priority,
      stage: improvement.stage,
      status: improvement.status,
      escalationLevel: improvement.escalationLevel,
      details: improvement.details,
      createdAt: improvement.createdAt,
      updatedAt: improvement.updatedAt,
      openTasks: improvement.tasks.map(openTaskView),
      history: improvement.events.map(({ at, step, actor, action, comment, channel, taskId }) => ({ at, step, actor, action, comment, channel, taskId })),
      notifications: improvement.notifications.map(({ kind, recipient, subject, status, sentAt, createdAt }) => ({ kind, recipient, subject, status, sentAt, createdAt })),
    });
  });

  /** The proposer or the ORPG withdraws the improvement, any time before deployment. */
  router.post('/:id/withdraw', allow('improvements:withdraw'), async (req, res) => {
    const { id } = parse(improvementParams, req.params, 'params');
    const body = parse(withdrawBody, req.body, 'body');
    const caller = req.caller!;
    const actor = (caller.admin ? body.actor : caller.email)?.toLowerCase();
    if (!actor) throw new AppError('invalid_input', 400, 'body.actor: required when the admin withdraws');
    const withdrawn = await withdrawImprovement(deps, req, { id, actor, reason: body.reason });
    if (withdrawn.applied) {
      res.json({ id, stage: withdrawn.stage, status: withdrawn.status });
      return;
    }
    res.status(202).json({ id, status: 'received' });
  });

  return router;
}

function openTaskView(task: { id: string; step: string; assignee: string; dueAt: Date; escalationLevel: number; unitId: string | null }) {
  return { id: task.id, step: task.step, assignee: task.assignee, dueAt: task.dueAt, escalationLevel: task.escalationLevel, unitId: task.unitId };
}

/** Just after submission the worker may not have recorded the improvement yet: Temporal knows it. */
async function describeNotYetRecorded(temporal: Client, id: string) {
  try {
    const description = await temporal.workflow.getHandle(improvementWorkflowId(id)).describe();
    const memo = description.memo ?? {};
    return {
      id,
      title: typeof memo.title === 'string' ? memo.title : undefined,
      stage: 'review',
      status: description.status.name === 'RUNNING' ? 'active' : description.status.name.toLowerCase(),
      openTasks: [],
      history: [],
    };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new AppError('not_found', 404, `id: no improvement ${id}`);
    throw error;
  }
}
