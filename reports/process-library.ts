import type { Database } from '../prisma/database';
import { toUnitOnProcess, toVersionRecord, type VersionRecord } from '../repositories/process-library';
import type { ImprovementState } from '../workflows/improvement/definitions';

/**
 * The process asset library as people read it: the library, one process with every unit's
 * version and lag, and the units × processes matrix [SG3.SP1, SG3.SP2].
 */

/** How many versions a unit is behind the current one (a unit on no version yet is behind by all); null when none is published. */
export function lagBehind(current: number | null, running: number | null): number | null {
  if (current === null) return null;
  return Math.max(0, current - (running ?? 0));
}

const currentOf = (versions: { status: string; number: number }[]): number | null =>
  versions.filter((version) => version.status === 'published').reduce<number | null>((highest, version) => Math.max(highest ?? 0, version.number), null);

/** Every standard process, by name, with its current version and how many units run it. */
export async function libraryList(db: Database) {
  const processes = await db.standardProcess.findMany({
    orderBy: { name: 'asc' },
    include: { versions: { select: { number: true, status: true } }, units: { where: { applies: true }, select: { version: { select: { number: true } } } } },
  });
  return processes.map((process) => {
    const current = currentOf(process.versions);
    return {
      id: process.id,
      name: process.name,
      owner: process.ownerEmail,
      purpose: process.purpose,
      url: process.url,
      currentVersion: current,
      versions: process.versions.length,
      units: process.units.length,
      unitsOnCurrent: process.units.filter((unit) => current !== null && unit.version?.number === current).length,
    };
  });
}

export type LibraryEntry = Awaited<ReturnType<typeof libraryList>>[number];

/** One version as the API answers it. */
export function versionView(version: VersionRecord) {
  const { processId: _processId, ...rest } = version;
  return rest;
}

/** A standard process with its versions, every unit it applies to (version, lag, tailoring, waiver) and the lessons of its improvements. */
export async function processView(db: Database, id: string) {
  const process = await db.standardProcess.findUnique({
    where: { id },
    include: {
      versions: { orderBy: { number: 'desc' } },
      units: {
        where: { applies: true },
        include: { unit: { select: { id: true, name: true, managerEmail: true } }, version: { select: { number: true } } },
        orderBy: { unit: { name: 'asc' } },
      },
      improvements: { orderBy: { createdAt: 'asc' }, select: { id: true, title: true, stage: true, status: true, details: true } },
    },
  });
  if (!process) return null;
  const current = currentOf(process.versions);
  const producedBy = new Map(process.versions.filter((version) => version.improvementId).map((version) => [version.improvementId!, version.number]));
  return {
    id: process.id,
    name: process.name,
    owner: process.ownerEmail,
    purpose: process.purpose,
    content: process.content,
    url: process.url,
    tailoringGuidelines: process.tailoringGuidelines,
    currentVersion: current,
    createdAt: process.createdAt,
    versions: process.versions.map((row) => versionView(toVersionRecord(row))),
    units: process.units.map((row) => {
      const unit = toUnitOnProcess(row);
      return {
        unitId: unit.unitId,
        unitName: unit.unitName,
        version: unit.versionNumber,
        tailored: unit.tailored,
        ...(unit.tailoring ? { tailoring: unit.tailoring } : {}),
        ...(unit.waiver ? { waiver: unit.waiver } : {}),
        since: unit.since,
        lag: lagBehind(current, unit.versionNumber),
      };
    }),
    improvements: process.improvements.map((improvement) => {
      const lessons = (improvement.details as Partial<ImprovementState>).lessons;
      return {
        id: improvement.id,
        title: improvement.title,
        stage: improvement.stage,
        status: improvement.status,
        producedVersion: producedBy.get(improvement.id) ?? null,
        ...(lessons ? { lessons: lessons.lessons, measuredEffect: lessons.measuredEffect } : {}),
      };
    }),
  };
}

export type ProcessView = NonNullable<Awaited<ReturnType<typeof processView>>>;

/** One cell of the matrix: where a unit stands with a process that applies to it. */
export interface AdoptionCell {
  processId: string;
  version: number | null;
  lag: number | null;
  tailored: boolean;
  waived: boolean;
  since: string | null;
}

/** Every unit × every standard process: the version each unit runs and its lag behind the current one. */
export async function adoptionMatrix(db: Database) {
  const [processes, units] = await Promise.all([
    db.standardProcess.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, versions: { select: { number: true, status: true } } } }),
    db.orgUnit.findMany({
      orderBy: { name: 'asc' },
      select: { id: true, name: true, processes: { where: { applies: true }, include: { version: { select: { number: true } } } } },
    }),
  ]);
  const current = new Map(processes.map((process) => [process.id, currentOf(process.versions)]));
  return {
    processes: processes.map((process) => ({ id: process.id, name: process.name, currentVersion: current.get(process.id) ?? null })),
    units: units.map((unit) => ({
      id: unit.id,
      name: unit.name,
      cells: unit.processes.map(
        (row): AdoptionCell => ({
          processId: row.processId,
          version: row.version?.number ?? null,
          lag: lagBehind(current.get(row.processId) ?? null, row.version?.number ?? null),
          tailored: row.tailored,
          waived: row.waiverReason !== null,
          since: row.since?.toISOString() ?? null,
        }),
      ),
    })),
  };
}

export type AdoptionMatrix = Awaited<ReturnType<typeof adoptionMatrix>>;

/** One unit and every standard process that applies to it: the version it runs, its lag, tailoring and waiver. */
export async function unitView(db: Database, id: string) {
  const unit = await db.orgUnit.findUnique({
    where: { id },
    include: {
      processes: {
        where: { applies: true },
        orderBy: { process: { name: 'asc' } },
        include: { version: { select: { number: true } }, process: { select: { id: true, name: true, versions: { select: { number: true, status: true } } } } },
      },
    },
  });
  if (!unit) return null;
  return {
    id: unit.id,
    name: unit.name,
    manager: unit.managerEmail,
    processes: unit.processes.map((row) => {
      const current = currentOf(row.process.versions);
      return {
        processId: row.process.id,
        processName: row.process.name,
        currentVersion: current,
        version: row.version?.number ?? null,
        lag: lagBehind(current, row.version?.number ?? null),
        since: row.since?.toISOString() ?? null,
        tailoring: row.tailoring,
        waiver: row.waiverReason === null ? null : { reason: row.waiverReason, expiresAt: row.waiverExpiresAt?.toISOString() ?? null },
      };
    }),
  };
}
