import { randomUUID } from 'node:crypto';
import { type Request, Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import { allow, callerHolds } from '../auth';
import type { DecisionDeps } from '../decisions';
import { AppError, parse } from '../errors';
import { reassign } from './tasks';
import { type DelegationStartInput, delegationWorkflowId } from '../../workflows/delegation/definitions';

const personParams = z.strictObject({ email: z.email().transform((email) => email.toLowerCase()) });
const delegationParams = personParams.extend({ id: z.uuid() });
export const newDelegation = z
  .strictObject({
    delegate: z.email().transform((email) => email.toLowerCase()),
    from: z.iso.datetime({ offset: true }).or(z.iso.date()),
    until: z.iso.datetime({ offset: true }).or(z.iso.date()),
  })
  .refine((body) => Date.parse(body.until) > Date.parse(body.from), { path: ['until'], message: 'must be after from' });

/** Out of office: a person's new and pending tasks go to a delegate. Mounted at /api/people/:email/delegations. */
export function delegationRoutes(deps: DecisionDeps & { taskQueue: string }): Router {
  const { db } = deps;
  const router = Router({ mergeParams: true });

  function personOf(req: Request): string {
    const { email } = parse(personParams, { email: req.params.email }, 'params');
    if (req.caller!.email !== email && !callerHolds(req.caller, 'orpg')) {
      throw new AppError('forbidden', 403, 'email: only the person themself or the ORPG may set their delegation');
    }
    return email;
  }

  /** Sets a delegate for a date range; if it is in force now, pending tasks move to the delegate with fresh links. */
  router.post('/', allow('people:delegate'), async (req, res) => {
    const email = personOf(req);
    const body = parse(newDelegation, req.body, 'body');
    if (body.delegate === email) throw new AppError('unprocessable', 422, 'delegate: a person cannot delegate to themself');
    const [person, delegate] = await Promise.all([
      db.person.findUnique({ where: { email } }),
      db.person.findUnique({ where: { email: body.delegate } }),
    ]);
    if (!person) throw new AppError('not_found', 404, `email: no person ${email}`);
    if (!delegate) throw new AppError('unprocessable', 422, `delegate: ${body.delegate} is not a registered person`);
    const delegation = await db.delegation.create({
      data: {
        id: randomUUID(),
        personEmail: email,
        delegateEmail: body.delegate,
        startsAt: new Date(body.from),
        endsAt: new Date(body.until),
        createdBy: req.caller!.email,
      },
    });
    const now = new Date();
    const rerouted: string[] = [];
    if (delegation.startsAt > now) {
      const input: DelegationStartInput = {
        delegationId: delegation.id,
        person: email,
        delegate: delegation.delegateEmail,
        startsAt: delegation.startsAt.toISOString(),
        endsAt: delegation.endsAt.toISOString(),
        by: req.caller!.email,
      };
      await deps.temporal.workflow.start('delegationStart', {
        workflowId: delegationWorkflowId(delegation.id),
        taskQueue: deps.taskQueue,
        args: [input],
      });
    } else if (delegation.endsAt > now) {
      const pending = await db.task.findMany({ where: { assignee: email, status: 'open' } });
      for (const task of pending) {
        await reassign(deps, {
          taskId: task.id,
          workflowId: task.workflowId,
          to: delegation.delegateEmail,
          onBehalfOf: email,
          by: req.caller!.email,
          reason: `${email} is away until ${delegation.endsAt.toISOString()}`,
        });
        rerouted.push(task.id);
      }
    }
    await audit(db, req, { action: 'delegation.create', target: email, outcome: 'ok', details: { delegate: body.delegate, from: body.from, until: body.until, rerouted } });
    res.status(201).json({ ...present(delegation), reroutedTasks: rerouted });
  });

  /** A person's delegations. */
  router.get('/', allow('people:delegate'), async (req, res) => {
    const email = personOf(req);
    const delegations = await db.delegation.findMany({ where: { personEmail: email }, orderBy: { startsAt: 'asc' } });
    res.json({ items: delegations.map(present) });
  });

  /** Ends a delegation; new tasks go to the person again (tasks already moved stay with the delegate). */
  router.delete('/:id', allow('people:delegate'), async (req, res) => {
    const email = personOf(req);
    const { id } = parse(delegationParams, req.params, 'params');
    const cancelled = await db.delegation.updateMany({ where: { id, personEmail: email, cancelledAt: null }, data: { cancelledAt: new Date() } });
    if (cancelled.count === 0) throw new AppError('not_found', 404, `id: no active delegation ${id} of ${email}`);
    await audit(db, req, { action: 'delegation.cancel', target: email, outcome: 'ok', details: { delegationId: id } });
    res.status(204).end();
  });

  return router;
}

function present(delegation: { id: string; personEmail: string; delegateEmail: string; startsAt: Date; endsAt: Date; cancelledAt: Date | null }) {
  return {
    id: delegation.id,
    person: delegation.personEmail,
    delegate: delegation.delegateEmail,
    from: delegation.startsAt,
    until: delegation.endsAt,
    cancelledAt: delegation.cancelledAt,
  };
}
