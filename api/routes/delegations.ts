import { type Request, Router } from 'express';
import { z } from 'zod';
import { allow, callerHolds } from '../auth';
import { AppError, parse } from '../errors';
import { emailAddress } from '../input-fields';
import { cancelDelegation, type DelegationDeps, startDelegation } from '../use-cases/delegations';

export const delegatorParams = z.strictObject({ email: emailAddress().transform((email) => email.toLowerCase()) });
export const delegationParams = delegatorParams.extend({ id: z.uuid() });
export const newDelegation = z.strictObject({
  delegate: emailAddress().transform((email) => email.toLowerCase()),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()),
  until: z.iso.datetime({ offset: true }).or(z.iso.date()),
});

/** Out of office: a person's new and pending tasks go to a delegate. Mounted at /api/people/:email/delegations. */
export function delegationRoutes(deps: DelegationDeps): Router {
  const { db } = deps;
  const router = Router({ mergeParams: true });

  function personOf(req: Request): string {
    const { email } = parse(delegatorParams, { email: req.params.email }, 'params');
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
    // Each date is well formed (400 otherwise); their order is a rule about the two together.
    if (Date.parse(body.until) <= Date.parse(body.from)) throw new AppError('unprocessable', 422, 'until: must be after from');
    const { delegation, reroutedTasks, keptTasks } = await startDelegation(deps, req, { person: email, delegate: body.delegate, from: body.from, until: body.until });
    res.status(201).json({ ...present(delegation), reroutedTasks, keptTasks });
  });

  /** A person's delegations. */
  router.get('/', allow('people:delegate'), async (req, res) => {
    const email = personOf(req);
    const delegations = await db.delegation.findMany({ where: { personEmail: email }, orderBy: { startsAt: 'asc' } });
    res.json({ items: delegations.map(present) });
  });

  /** Ends a delegation: new tasks go to the person again, and the delegate's open tasks for them go back. */
  router.delete('/:id', allow('people:delegate'), async (req, res) => {
    const email = personOf(req);
    const { id } = parse(delegationParams, req.params, 'params');
    await cancelDelegation(deps, req, email, id);
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
