import { ApplicationFailure } from '@temporalio/activity';
import type { Database } from '../prisma/database';
import * as library from '../repositories/process-library';

export type { Publication, UnitOnProcess, VersionRecord } from '../repositories/process-library';

/** A refusal of the library (missing, wrong state) is final for the workflow: retrying cannot help. */
async function refusalsAreFinal<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof library.LibraryRefusal) throw ApplicationFailure.nonRetryable(error.message, `library.${error.type}`);
    throw error;
  }
}

/**
 * The process asset library, as activities for the publication and deployment workflows: drafting,
 * approving and publishing versions, and recording each unit's adoption or waiver. Idempotent.
 */
export function createProcessLibraryActivities({ db }: { db: Database }) {
  return {
    draftProcessVersion: (input: library.NewDraft) => refusalsAreFinal(() => library.draftVersion(db, input)),
    approveProcessVersion: (input: { versionId: string; by: string; at?: string }) => refusalsAreFinal(() => library.approveVersion(db, input)),
    publishProcessVersion: (input: { versionId: string; at?: string }) => refusalsAreFinal(() => library.publishVersion(db, input)),
    findProcessVersion: (versionId: string) => library.findVersion(db, versionId),
    currentProcessVersion: (processId: string) => library.currentVersion(db, processId),
    unitsOnProcess: (processId: string) => library.unitsOnProcess(db, processId),
    processesOfUnit: (unitId: string) => library.processesOfUnit(db, unitId),
    recordUnitAdoption: (input: Parameters<typeof library.recordAdoption>[1]) => refusalsAreFinal(() => library.recordAdoption(db, input)),
    recordUnitWaiver: (input: Parameters<typeof library.recordWaiver>[1]) => library.recordWaiver(db, input),
    clearUnitWaiver: (input: { unitId: string; processId: string }) => library.clearWaiver(db, input),
    expiredWaivers: (nowIso: string) => library.expiredWaivers(db, new Date(nowIso)),
  };
}
