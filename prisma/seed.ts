import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Database } from './database';

const roles = ['staff', 'process-owner', 'orpg', 'management', 'auditor'] as const;

const seedSchema = z.strictObject({
  orgUnits: z.array(z.strictObject({ name: z.string().trim().min(1), manager: z.email() })).default([]),
  people: z
    .array(
      z.strictObject({
        email: z.email(),
        name: z.string().trim().min(1),
        roles: z.array(z.enum(roles)).min(1),
        manager: z.email().optional(),
        /** The unit's name, as in orgUnits. */
        orgUnit: z.string().optional(),
      }),
    )
    .default([]),
});

/**
 * Registers the organisational units and people of a seed file, on first start only (while no
 * person is registered). A malformed file stops start-up with a message naming the field.
 */
export async function seedOrganisation(db: Database, file: string): Promise<{ seeded: boolean; units: number; people: number }> {
  if ((await db.person.count()) > 0) return { seeded: false, units: 0, people: 0 };
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`SEED_FILE: cannot read ${file} as JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const parsed = seedSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`SEED_FILE: ${file} is not valid: ${problems}`);
  }
  const seed = parsed.data;
  const unitIds = new Map(seed.orgUnits.map((unit) => [unit.name, randomUUID()]));
  const unknownUnit = seed.people.find((person) => person.orgUnit && !unitIds.has(person.orgUnit));
  if (unknownUnit) throw new Error(`SEED_FILE: person ${unknownUnit.email} names an unknown orgUnit "${unknownUnit.orgUnit}"`);
  await db.$transaction([
    ...seed.orgUnits.map((unit) =>
      db.orgUnit.create({ data: { id: unitIds.get(unit.name)!, name: unit.name, managerEmail: unit.manager.toLowerCase() } }),
    ),
    ...seed.people.map((person) =>
      db.person.create({
        data: {
          email: person.email.toLowerCase(),
          name: person.name,
          roles: [...new Set(person.roles)],
          managerEmail: person.manager?.toLowerCase() ?? null,
          orgUnitId: person.orgUnit ? unitIds.get(person.orgUnit)! : null,
        },
      }),
    ),
  ]);
  return { seeded: true, units: seed.orgUnits.length, people: seed.people.length };
}
