import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { Prisma, type Person } from '../../generated/prisma/client';
import type { Database } from '../../prisma/database';
import { AppError, parse } from '../errors';

/** What someone may do in the pipeline: propose, own a process, review (ORPG), approve, audit. */
export const roles = ['staff', 'process-owner', 'orpg', 'management', 'auditor'] as const;

const emailAddress = z.email().max(320).transform((value) => value.toLowerCase());

const personSchema = z.strictObject({
  email: emailAddress,
  name: z.string().trim().min(1).max(200),
  roles: z
    .array(z.enum(roles))
    .min(1)
    .transform((list) => [...new Set(list)]),
  manager: emailAddress.optional(),
  orgUnit: z.uuid().optional(),
});

const listQuery = z.strictObject({ role: z.enum(roles).optional() });

const emailParams = z.strictObject({ email: emailAddress });

export interface PeopleRouteDeps {
  db: Database;
  requireAdmin: RequestHandler;
}

/** The JSON shape of a person; absent manager or unit are null. */
function present({ email, name, roles, managerEmail, orgUnitId }: Person) {
  return { email, name, roles, manager: managerEmail ?? null, orgUnit: orgUnitId ?? null };
}

/** Registering and reading the people who propose, review, approve and audit improvements. */
export function peopleRoutes({ db, requireAdmin }: PeopleRouteDeps): Router {
  const router = Router();

  /** Registers someone, or replaces what is known of them: 201 the first time, 200 afterwards. */
  router.post('/', requireAdmin, async (req, res) => {
    const person = parse(personSchema, req.body, 'body');
    if (person.orgUnit && !(await db.orgUnit.findUnique({ where: { id: person.orgUnit }, select: { id: true } }))) {
      throw new AppError('unprocessable', 422, `orgUnit: no organisational unit ${person.orgUnit}`);
    }
    const data = {
      name: person.name,
      roles: person.roles,
      managerEmail: person.manager ?? null,
      orgUnitId: person.orgUnit ?? null,
    };
    try {
      const created = await db.person.create({ data: { email: person.email, ...data } });
      res.status(201).location(`/api/people/${encodeURIComponent(created.email)}`).json(present(created));
    } catch (error) {
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
      const updated = await db.person.update({ where: { email: person.email }, data });
      res.status(200).json(present(updated));
    }
  });

  /** Everyone, by email; `?role=` narrows to those who hold that role (e.g. the ORPG reviewers). */
  router.get('/', requireAdmin, async (req, res) => {
    const { role } = parse(listQuery, req.query, 'query');
    const people = await db.person.findMany({
      where: role ? { roles: { has: role } } : {},
      orderBy: { email: 'asc' },
    });
    res.json({ items: people.map(present) });
  });

  /** One person, their roles, manager and unit. */
  router.get('/:email', requireAdmin, async (req, res) => {
    const { email } = parse(emailParams, req.params, 'params');
    const person = await db.person.findUnique({ where: { email } });
    if (!person) throw new AppError('not_found', 404, `email: no person ${email}`);
    res.json(present(person));
  });

  return router;
}
