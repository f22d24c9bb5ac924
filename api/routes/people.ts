import { Router } from 'express';
import { z } from 'zod';
import { Prisma, type Person } from '../../generated/prisma/client';
import type { Database } from '../../prisma/database';
import { audit } from '../audit';
import { roles } from '../permissions';
import { allow } from '../auth';
import { AppError, parse } from '../errors';
import { emailAddress, freeText } from '../input-fields';


const personEmail = emailAddress().transform((value) => value.toLowerCase());

export const personSchema = z.strictObject({
  email: personEmail,
  name: freeText(1, 200),
  roles: z
    .array(z.enum(roles))
    .min(1)
    .transform((list) => [...new Set(list)]),
  manager: personEmail.optional(),
  orgUnit: z.uuid().optional(),
});

export const peopleListQuery = z.strictObject({ role: z.enum(roles).optional() });

export const personParams = z.strictObject({ email: personEmail });

export interface PeopleRouteDeps {
  db: Database;
}

/** The JSON shape of a person; absent manager or unit are null. */
function present({ email, name, roles, managerEmail, orgUnitId }: Person) {
  return { email, name, roles, manager: managerEmail ?? null, orgUnit: orgUnitId ?? null };
}

/** Registering and reading the people who propose, review, approve and audit improvements. */
export function peopleRoutes({ db }: PeopleRouteDeps): Router {
  const router = Router();

  /** Registers someone, or replaces what is known of them: 201 the first time, 200 afterwards. */
  router.post('/', allow('people:write'), async (req, res) => {
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
      await audit(db, req, { action: 'person.create', target: created.email, outcome: 'ok', details: present(created) });
      res.status(201).location(`/api/people/${encodeURIComponent(created.email)}`).json(present(created));
    } catch (error) {
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
      const updated = await db.person.update({ where: { email: person.email }, data });
      await audit(db, req, { action: 'person.update', target: updated.email, outcome: 'ok', details: present(updated) });
      res.status(200).json(present(updated));
    }
  });

  /** Everyone, by email; `?role=` narrows to those who hold that role (e.g. the ORPG reviewers). */
  router.get('/', allow('people:read'), async (req, res) => {
    const { role } = parse(peopleListQuery, req.query, 'query');
    const people = await db.person.findMany({
      where: role ? { roles: { has: role } } : {},
      orderBy: { email: 'asc' },
    });
    res.json({ items: people.map(present) });
  });

  /** One person, their roles, manager and unit. */
  router.get('/:email', allow('people:read'), async (req, res) => {
    const { email } = parse(personParams, req.params, 'params');
    const person = await db.person.findUnique({ where: { email } });
    if (!person) throw new AppError('not_found', 404, `email: no person ${email}`);
    res.json(present(person));
  });

  return router;
}
