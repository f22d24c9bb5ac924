import type { Request } from 'express';
import type { Database } from '../../prisma/database';
import { sameSecretOfAnyLength } from '../../tokens';
import { audit } from '../audit';
import { AppError } from '../errors';

export interface FirstRunDeps {
  db: Database;
  adminToken: string;
}

export interface FirstOrpgMember {
  adminToken: string;
  name: string;
  email: string;
}

/** Whether the service still has nobody in the ORPG, so nobody could sign in to run it. */
export async function awaitsFirstOrpgMember(db: Pick<Database, 'person'>): Promise<boolean> {
  return (await db.person.count({ where: { roles: { has: 'orpg' } } })) === 0;
}

/**
 * The person holding the admin token registers the first ORPG member, who can then sign in and
 * register everyone else from the pages. Open only while there is no ORPG member at all.
 */
export async function registerFirstOrpgMember({ db, adminToken }: FirstRunDeps, req: Request, member: FirstOrpgMember): Promise<string> {
  if (!sameSecretOfAnyLength(adminToken, member.adminToken)) {
    await audit(db, req, { action: 'first-run.orpg-member', target: member.email, outcome: 'refused', details: { reason: 'wrong admin token' } });
    throw new AppError('unauthorized', 401, 'adminToken: that is not the admin token this service started with');
  }
  const email = await db.$transaction(async (tx) => {
    if (!(await awaitsFirstOrpgMember(tx))) {
      throw new AppError('conflict', 409, 'the service already has an ORPG member: sign in instead');
    }
    const existing = await tx.person.findUnique({ where: { email: member.email } });
    const person = existing
      ? await tx.person.update({ where: { email: member.email }, data: { roles: [...new Set([...existing.roles, 'orpg'])] } })
      : await tx.person.create({ data: { email: member.email, name: member.name, roles: ['orpg'] } });
    return person.email;
  }, { isolationLevel: 'Serializable' });
  await audit(db, req, { action: 'first-run.orpg-member', target: email, outcome: 'ok', actor: 'admin token (first run)', details: { name: member.name } });
  return email;
}
