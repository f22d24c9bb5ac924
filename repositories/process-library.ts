import { randomUUID } from 'node:crypto';
import type { ProcessVersion, UnitProcess } from '../generated/prisma/client';
import type { Database } from '../prisma/database';

/**
 * The organisation's process asset library [SG3.SP1, SG3.SP2]: standard processes, their
 * versions, and which version each unit runs. Plain functions over the database, shared by the
 * API's use cases and the workflows' activities. Every write is safe to retry.
 */

export const versionStatuses = ['draft', 'approved', 'published', 'superseded'] as const;
export type VersionStatus = (typeof versionStatuses)[number];

/** A version as workflows and the API see it; times are ISO strings. */
export interface VersionRecord {
  id: string;
  processId: string;
  number: number;
  status: VersionStatus;
  summary: string;
  content: string | null;
  url: string | null;
  effectiveFrom: string | null;
  approvedAt: string | null;
  approvedBy: string | null;
  publishedAt: string | null;
  improvementId: string | null;
  lessons: string | null;
  createdBy: string;
  createdAt: string;
}

/** One unit a process applies to, and where it stands with it. */
export interface UnitOnProcess {
  unitId: string;
  unitName: string;
  manager: string;
  versionId: string | null;
  versionNumber: number | null;
  since: string | null;
  tailored: boolean;
  tailoring: string | null;
  waiver: { reason: string; expiresAt: string | null; grantedBy: string | null } | null;
}

/** A request the library refuses whatever the retries: the thing is missing, or in the wrong state. */
export class LibraryRefusal extends Error {
  override name = 'LibraryRefusal';
  constructor(
    readonly type: 'not_found' | 'invalid_state',
    message: string,
  ) {
    super(message);
  }
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toVersionRecord(row: ProcessVersion): VersionRecord {
  return {
    id: row.id,
    processId: row.processId,
    number: row.number,
    status: row.status as VersionStatus,
    summary: row.summary,
    content: row.content,
    url: row.url,
    effectiveFrom: iso(row.effectiveFrom),
    approvedAt: iso(row.approvedAt),
    approvedBy: row.approvedBy,
    publishedAt: iso(row.publishedAt),
    improvementId: row.improvementId,
    lessons: row.lessons,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

type UnitProcessRow = UnitProcess & { unit: { id: string; name: string; managerEmail: string }; version: { number: number } | null };

export function toUnitOnProcess(row: UnitProcessRow): UnitOnProcess {
  return {
    unitId: row.unit.id,
    unitName: row.unit.name,
    manager: row.unit.managerEmail,
    versionId: row.versionId,
    versionNumber: row.version?.number ?? null,
    since: iso(row.since),
    tailored: row.tailored,
    tailoring: row.tailoring,
    waiver: row.waiverReason === null ? null : { reason: row.waiverReason, expiresAt: iso(row.waiverExpiresAt), grantedBy: row.waiverGrantedBy },
  };
}

export interface NewProcess {
  name: string;
  ownerEmail: string;
  purpose?: string;
  content?: string;
  url?: string;
  tailoringGuidelines?: string;
}

/** Adds a standard process to the library; its versions start with a draft. */
export async function createStandardProcess(db: Database, input: NewProcess) {
  return db.standardProcess.create({
    data: {
      id: randomUUID(),
      name: input.name,
      ownerEmail: input.ownerEmail.toLowerCase(),
      purpose: input.purpose ?? '',
      content: input.content ?? null,
      url: input.url ?? null,
      tailoringGuidelines: input.tailoringGuidelines ?? '',
    },
  });
}

export interface NewDraft {
  processId: string;
  summary: string;
  content?: string;
  url?: string;
  effectiveFrom?: string;
  /** The improvement it comes from: one draft per improvement and process, however often asked. */
  improvementId?: string;
  lessons?: string;
  createdBy: string;
}

/** Drafts the process's next version (numbered after the highest so far). */
export async function draftVersion(db: Database, input: NewDraft): Promise<VersionRecord> {
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM standard_process WHERE id = ${input.processId}::uuid FOR UPDATE`;
    if (locked.length === 0) throw new LibraryRefusal('not_found', `processId: no standard process ${input.processId}`);
    if (input.improvementId) {
      const existing = await tx.processVersion.findFirst({ where: { processId: input.processId, improvementId: input.improvementId } });
      if (existing) return toVersionRecord(existing);
    }
    const latest = await tx.processVersion.findFirst({ where: { processId: input.processId }, orderBy: { number: 'desc' } });
    const created = await tx.processVersion.create({
      data: {
        id: randomUUID(),
        processId: input.processId,
        number: (latest?.number ?? 0) + 1,
        status: 'draft',
        summary: input.summary,
        content: input.content ?? null,
        url: input.url ?? null,
        effectiveFrom: input.effectiveFrom ? new Date(input.effectiveFrom) : null,
        improvementId: input.improvementId ?? null,
        lessons: input.lessons ?? null,
        createdBy: input.createdBy.toLowerCase(),
      },
    });
    return toVersionRecord(created);
  });
}

export async function findVersion(db: Database, versionId: string): Promise<VersionRecord | null> {
  const row = await db.processVersion.findUnique({ where: { id: versionId } });
  return row ? toVersionRecord(row) : null;
}

/** The version units should run: the published one (the highest number, should two ever be). */
export async function currentVersion(db: Database, processId: string): Promise<VersionRecord | null> {
  const row = await db.processVersion.findFirst({ where: { processId, status: 'published' }, orderBy: { number: 'desc' } });
  return row ? toVersionRecord(row) : null;
}

/** A draft is approved for publication; approving it again changes nothing. */
export async function approveVersion(db: Database, input: { versionId: string; by: string; at?: string }): Promise<VersionRecord> {
  const version = await db.processVersion.findUnique({ where: { id: input.versionId } });
  if (!version) throw new LibraryRefusal('not_found', `versionId: no process version ${input.versionId}`);
  if (version.status !== 'draft') return toVersionRecord(version);
  const approved = await db.processVersion.update({
    where: { id: version.id, status: 'draft' },
    data: { status: 'approved', approvedAt: input.at ? new Date(input.at) : new Date(), approvedBy: input.by.toLowerCase() },
  });
  return toVersionRecord(approved);
}

export interface Publication {
  version: VersionRecord;
  /** The version it replaced as current, if any (null when publishing it again). */
  superseded: VersionRecord | null;
  /** Every unit the process applies to: those a deployment must reach. */
  units: UnitOnProcess[];
}

/**
 * Makes a version the process's current one; the one before becomes superseded. Publishing it
 * again answers the same units and changes nothing. A version older than the current one is refused.
 */
export async function publishVersion(db: Database, input: { versionId: string; at?: string }): Promise<Publication> {
  const outcome = await db.$transaction(async (tx) => {
    const version = await tx.processVersion.findUnique({ where: { id: input.versionId } });
    if (!version) throw new LibraryRefusal('not_found', `versionId: no process version ${input.versionId}`);
    await tx.$queryRaw`SELECT id FROM standard_process WHERE id = ${version.processId}::uuid FOR UPDATE`;
    if (version.status === 'published') return { version, superseded: null };
    if (version.status === 'superseded') throw new LibraryRefusal('invalid_state', `versionId: version ${version.number} is already superseded`);
    const previous = await tx.processVersion.findFirst({ where: { processId: version.processId, status: 'published' }, orderBy: { number: 'desc' } });
    if (previous && previous.number > version.number) {
      throw new LibraryRefusal('invalid_state', `versionId: version ${previous.number} is already published, after version ${version.number}`);
    }
    const superseded = previous ? await tx.processVersion.update({ where: { id: previous.id }, data: { status: 'superseded' } }) : null;
    const published = await tx.processVersion.update({
      where: { id: version.id },
      data: { status: 'published', publishedAt: input.at ? new Date(input.at) : new Date() },
    });
    return { version: published, superseded };
  });
  return {
    version: toVersionRecord(outcome.version),
    superseded: outcome.superseded ? toVersionRecord(outcome.superseded) : null,
    units: await unitsOnProcess(db, outcome.version.processId),
  };
}

/** The units a process applies to, by name. */
export async function unitsOnProcess(db: Database, processId: string): Promise<UnitOnProcess[]> {
  const rows = await db.unitProcess.findMany({
    where: { processId, applies: true },
    include: { unit: { select: { id: true, name: true, managerEmail: true } }, version: { select: { number: true } } },
    orderBy: { unit: { name: 'asc' } },
  });
  return rows.map(toUnitOnProcess);
}

/** The processes that apply to a unit, with the version it runs and each one's current version. */
export async function processesOfUnit(db: Database, unitId: string) {
  const rows = await db.unitProcess.findMany({
    where: { unitId, applies: true },
    include: { process: { include: { versions: { where: { status: 'published' }, orderBy: { number: 'desc' }, take: 1 } } }, version: { select: { number: true } } },
    orderBy: { process: { name: 'asc' } },
  });
  return rows.map((row) => {
    const current = row.process.versions[0];
    return { processId: row.processId, processName: row.process.name, current: current ? toVersionRecord(current) : null, versionNumber: row.version?.number ?? null };
  });
}

interface UnitProcessKey {
  unitId: string;
  processId: string;
}

/** The unit runs this version from now, tailored or not; any waiver it held ends. */
export async function recordAdoption(db: Database, input: UnitProcessKey & { versionId: string; tailoring?: string; at?: string }): Promise<void> {
  const version = await db.processVersion.findUnique({ where: { id: input.versionId } });
  if (!version || version.processId !== input.processId) {
    throw new LibraryRefusal('not_found', `versionId: no version ${input.versionId} of process ${input.processId}`);
  }
  const tailoring = input.tailoring?.trim() ? input.tailoring.trim() : null;
  const state = {
    applies: true,
    versionId: version.id,
    since: input.at ? new Date(input.at) : new Date(),
    tailored: tailoring !== null,
    tailoring,
    waiverReason: null,
    waiverExpiresAt: null,
    waiverGrantedBy: null,
  };
  const key = { unitId: input.unitId, processId: input.processId };
  await db.unitProcess.upsert({ where: { unitId_processId: key }, create: { ...key, ...state }, update: state });
}

/** The ORPG waived the process for the unit, until an expiry or for good; the unit keeps the version it runs. */
export async function recordWaiver(db: Database, input: UnitProcessKey & { reason: string; expiresAt?: string; grantedBy: string }): Promise<void> {
  const state = { applies: true, waiverReason: input.reason, waiverExpiresAt: input.expiresAt ? new Date(input.expiresAt) : null, waiverGrantedBy: input.grantedBy.toLowerCase() };
  const key = { unitId: input.unitId, processId: input.processId };
  await db.unitProcess.upsert({ where: { unitId_processId: key }, create: { ...key, ...state }, update: state });
}

/** A waiver ends (expired): the unit is expected to adopt again. */
export async function clearWaiver(db: Database, key: UnitProcessKey): Promise<void> {
  await db.unitProcess.updateMany({ where: key, data: { waiverReason: null, waiverExpiresAt: null, waiverGrantedBy: null } });
}

/** Waivers whose expiry has passed and that are still recorded. */
export async function expiredWaivers(db: Database, now: Date): Promise<(UnitProcessKey & { expiresAt: string })[]> {
  const rows = await db.unitProcess.findMany({ where: { applies: true, waiverReason: { not: null }, waiverExpiresAt: { lte: now } } });
  return rows.map((row) => ({ unitId: row.unitId, processId: row.processId, expiresAt: row.waiverExpiresAt!.toISOString() }));
}

/**
 * Sets which processes apply to a unit: new ones get a row (no version yet), dropped ones are
 * marked as no longer applying. Answers the processes that now apply and did not before.
 */
export async function setUnitProcesses(db: Database, unitId: string, processIds: readonly string[]): Promise<{ added: string[]; removed: string[] }> {
  const wanted = new Set(processIds);
  return db.$transaction(async (tx) => {
    const existing = await tx.unitProcess.findMany({ where: { unitId } });
    const applying = new Set(existing.filter((row) => row.applies).map((row) => row.processId));
    const added = [...wanted].filter((id) => !applying.has(id));
    const removed = [...applying].filter((id) => !wanted.has(id));
    for (const processId of added) {
      await tx.unitProcess.upsert({ where: { unitId_processId: { unitId, processId } }, create: { unitId, processId }, update: { applies: true } });
    }
    if (removed.length > 0) await tx.unitProcess.updateMany({ where: { unitId, processId: { in: removed } }, data: { applies: false } });
    return { added, removed };
  });
}
