import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { Prisma, type OrgUnit } from '../../generated/prisma/client';
import type { Database } from '../../prisma/database';
import { audit } from '../audit';
import { allow } from '../auth';
import { AppError, parse } from '../errors';
import { emailAddress, freeText } from '../input-fields';
import { assertProcessesExist, type LibraryHooks, setProcessesOfUnit } from '../use-cases/process-library';

/** Standard processes, by id, that apply to a unit. */
const processIds = z.array(z.uuid()).max(500);

export const orgUnitSchema = z.strictObject({
  name: freeText(1, 200),
  manager: emailAddress().transform((email) => email.toLowerCase()),
  processes: processIds.optional(),
});

export const unitProcessesSchema = z.strictObject({ processes: processIds });

export const orgUnitParams = z.strictObject({ id: z.uuid() });

export interface OrgUnitRouteDeps {
  db: Database;
  hooks?: LibraryHooks;
}

const applying = { processes: { where: { applies: true }, select: { processId: true }, orderBy: { processId: 'asc' } } } as const;

/** The JSON shape of an organisational unit: its manager approves for it; its processes are those that apply to it. */
function present({ id, name, managerEmail, processes }: OrgUnit & { processes: { processId: string }[] }) {
  return { id, name, manager: managerEmail, processes: processes.map((process) => process.processId) };
}

/** Registering and reading the organisational units that own processes and whose managers approve changes. */
export function orgUnitRoutes({ db, hooks }: OrgUnitRouteDeps): Router {
  const router = Router();

  /** Registers a unit, new or acquired, and its manager, with the standard processes that apply to it [SG3.SP2 sp1]. */
  router.post('/', allow('org-units:write'), async (req, res) => {
    const unit = parse(orgUnitSchema, req.body, 'body');
    if (unit.processes) await assertProcessesExist(db, unit.processes, 'processes');
    let created: OrgUnit;
    try {
      created = await db.orgUnit.create({ data: { id: randomUUID(), name: unit.name, managerEmail: unit.manager } });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new AppError('conflict', 409, `name: an organisational unit named ${unit.name} already exists`);
      }
      throw error;
    }
    await audit(db, req, { action: 'org-unit.create', target: created.id, outcome: 'ok', details: { id: created.id, name: created.name, manager: created.managerEmail } });
    if (unit.processes?.length) await setProcessesOfUnit({ db, hooks }, req, created.id, unit.processes);
    const view = await db.orgUnit.findUniqueOrThrow({ where: { id: created.id }, include: applying });
    res.status(201).location(`/api/org-units/${created.id}`).json(present(view));
  });

  /** Every unit, by name: the choices when registering people. */
  router.get('/', allow('org-units:read'), async (_req, res) => {
    const units = await db.orgUnit.findMany({ orderBy: { name: 'asc' }, include: applying });
    res.json({ items: units.map(present) });
  });

  /** One unit, who manages it, and the standard processes that apply to it. */
  router.get('/:id', allow('org-units:read'), async (req, res) => {
    const { id } = parse(orgUnitParams, req.params, 'params');
    const unit = await db.orgUnit.findUnique({ where: { id }, include: applying });
    if (!unit) throw new AppError('not_found', 404, `id: no organisational unit ${id}`);
    res.json(present(unit));
  });

  /** Sets the standard processes that apply to the unit: those added open its adoption of their current versions. */
  router.put('/:id/processes', allow('org-units:write'), async (req, res) => {
    const { id } = parse(orgUnitParams, req.params, 'params');
    const body = parse(unitProcessesSchema, req.body, 'body');
    const change = await setProcessesOfUnit({ db, hooks }, req, id, body.processes);
    const unit = await db.orgUnit.findUniqueOrThrow({ where: { id }, include: applying });
    res.json({ ...present(unit), added: change.added, removed: change.removed });
  });

  return router;
}
