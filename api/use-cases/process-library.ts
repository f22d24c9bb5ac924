import type { Request } from 'express';
import { Prisma } from '../../generated/prisma/client';
import type { Database } from '../../prisma/database';
import * as library from '../../repositories/process-library';
import { audit } from '../audit';
import { callerHolds } from '../auth';
import { AppError } from '../errors';

/** What other parts of the service do when processes start applying to a unit (open its adoption of each). */
export interface LibraryHooks {
  onProcessesAdded?: (unitId: string, processIds: string[]) => Promise<void>;
}

export interface LibraryDeps {
  db: Database;
  hooks?: LibraryHooks;
}

function refusalToAppError(error: unknown): never {
  if (error instanceof library.LibraryRefusal) {
    throw error.type === 'not_found' ? new AppError('not_found', 404, error.message) : new AppError('conflict', 409, error.message);
  }
  throw error;
}

/** The ORPG adds a standard process to the library [SG3.SP1]; its owner must be a registered process owner. */
export async function registerProcess({ db }: LibraryDeps, req: Request, input: library.NewProcess) {
  const owner = await db.person.findUnique({ where: { email: input.ownerEmail.toLowerCase() } });
  if (!owner?.roles.includes('process-owner')) throw new AppError('unprocessable', 422, `owner: ${input.ownerEmail} is not a registered process owner`);
  try {
    const created = await library.createStandardProcess(db, input);
    await audit(db, req, { action: 'process.create', target: created.id, outcome: 'ok', details: { name: created.name, owner: created.ownerEmail } });
    return created;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new AppError('conflict', 409, `name: a standard process named ${input.name} already exists`);
    }
    throw error;
  }
}

/** The ORPG, or the process's owner, drafts its next version; approval and publication follow as tasks. */
export async function draftProcessVersion({ db }: LibraryDeps, req: Request, draft: Omit<library.NewDraft, 'createdBy'>) {
  const process = await db.standardProcess.findUnique({ where: { id: draft.processId } });
  if (!process) throw new AppError('not_found', 404, `id: no standard process ${draft.processId}`);
  const caller = req.caller!;
  if (!callerHolds(caller, 'orpg') && caller.email !== process.ownerEmail) {
    throw new AppError('forbidden', 403, `authorization: only the ORPG or the process owner (${process.ownerEmail}) may draft a version of ${process.name}`);
  }
  const version = await library.draftVersion(db, { ...draft, createdBy: caller.email }).catch(refusalToAppError);
  await audit(db, req, { action: 'process.version.draft', target: version.id, outcome: 'ok', details: { processId: process.id, number: version.number } });
  return version;
}

/** Refuses process ids the library does not hold, naming the field. */
export async function assertProcessesExist(db: Database, processIds: readonly string[], field: string): Promise<void> {
  const found = await db.standardProcess.findMany({ where: { id: { in: [...processIds] } }, select: { id: true } });
  const missing = processIds.filter((id) => !found.some((process) => process.id === id));
  if (missing.length > 0) throw new AppError('unprocessable', 422, `${field}: no standard process ${[...new Set(missing)].join(', ')}`);
}

/**
 * Sets the standard processes that apply to a unit [SG3.SP2 sp1-2]: those newly applying are
 * handed to `onProcessesAdded` (which opens the unit's adoption of their current versions).
 */
export async function setProcessesOfUnit({ db, hooks }: LibraryDeps, req: Request, unitId: string, processIds: readonly string[]) {
  const unit = await db.orgUnit.findUnique({ where: { id: unitId } });
  if (!unit) throw new AppError('not_found', 404, `id: no organisational unit ${unitId}`);
  await assertProcessesExist(db, processIds, 'processes');
  const change = await library.setUnitProcesses(db, unitId, [...new Set(processIds)]);
  await audit(db, req, { action: 'org-unit.processes', target: unitId, outcome: 'ok', details: change });
  if (change.added.length > 0) await hooks?.onProcessesAdded?.(unitId, change.added);
  return change;
}

/** The library entry an improvement names: its name becomes the improvement's process. */
export async function processForImprovement(db: Database, processId: string) {
  const process = await db.standardProcess.findUnique({ where: { id: processId } });
  if (!process) throw new AppError('unprocessable', 422, `processId: no standard process ${processId}`);
  return process;
}
