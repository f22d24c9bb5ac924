import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { Prisma, type OrgUnit } from '../../generated/prisma/client';
import type { Database } from '../../prisma/database';
import { audit } from '../audit';
import { allow } from '../auth';
import { AppError, parse } from '../errors';
import { emailAddress, freeText } from '../input-fields';

export const orgUnitSchema = z.strictObject({
  name: freeText(1, 200),
  manager: emailAddress().transform((email) => email.toLowerCase()),
});

export const orgUnitParams = z.strictObject({ id: z.uuid() });

export interface OrgUnitRouteDeps {
  db: Database;
}

/** The JSON shape of an organisational unit: its manager is the person who approves for it. */
function present({ id, name, managerEmail }: OrgUnit) {
  return { id, name, manager: managerEmail };
}

/** Registering and reading the organisational units that own processes and whose managers approve changes. */
export function orgUnitRoutes({ db }: OrgUnitRouteDeps): Router {
  const router = Router();

  /** Registers a unit and its manager; unit names are unique across the organisation. */
  router.post('/', allow('org-units:write'), async (req, res) => {
    const unit = parse(orgUnitSchema, req.body, 'body');
    try {
      const created = await db.orgUnit.create({ data: { id: randomUUID(), name: unit.name, managerEmail: unit.manager } });
      await audit(db, req, { action: 'org-unit.create', target: created.id, outcome: 'ok', details: present(created) });
      res.status(201).location(`/api/org-units/${created.id}`).json(present(created));
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new AppError('conflict', 409, `name: an organisational unit named ${unit.name} already exists`);
      }
      throw error;
    }
  });

  /** Every unit, by name: the choices when registering people. */
  router.get('/', allow('org-units:read'), async (_req, res) => {
    const units = await db.orgUnit.findMany({ orderBy: { name: 'asc' } });
    res.json({ items: units.map(present) });
  });

  /** One unit and who manages it. */
  router.get('/:id', allow('org-units:read'), async (req, res) => {
    const { id } = parse(orgUnitParams, req.params, 'params');
    const unit = await db.orgUnit.findUnique({ where: { id } });
    if (!unit) throw new AppError('not_found', 404, `id: no organisational unit ${id}`);
    res.json(present(unit));
  });

  return router;
}
