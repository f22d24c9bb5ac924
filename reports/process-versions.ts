import type { Database } from '../prisma/database';
import { libraryDeployment, type VersionDeploymentMeasure } from './measures/library-deployment';

/**
 * One standard process read version by version, as its page shows it [SG3.SP2, SG3.SP4]: each
 * published version's deployment (units asked, adopted, tailored, waived; open adoption tasks with
 * assignee and due date), the lessons learned it incorporates and the improvement that produced
 * it, and which unit tailored it and how.
 */

export interface OpenAdoptionTask {
  id: string;
  step: string;
  unitName: string;
  assignee: string;
  onBehalfOf: string | null;
  dueAt: string;
  escalationLevel: number;
}

export interface TailoringRecord {
  unitId: string;
  unitName: string;
  tailoring: string;
  /** Who recorded it and when; null for a tailoring recorded without an adoption task (carried over). */
  by: string | null;
  at: string | null;
}

export interface VersionRecordView {
  number: number;
  status: string;
  summary: string;
  publishedAt: string | null;
  adoptBy: string | null;
  lessons: string | null;
  improvement: { id: string; title: string | null } | null;
  deployment: Pick<VersionDeploymentMeasure, 'units' | 'adopted' | 'tailored' | 'waived' | 'pending' | 'superseded' | 'state'> | null;
  openTasks: OpenAdoptionTask[];
  tailoring: TailoringRecord[];
}

const stepLabel: Record<string, string> = { 'version-adoption': 'adopt', 'version-waiver': 'rule on waiver' };

/** Every version of a process, newest first, with its deployment, open tasks, lessons and tailoring records. */
export async function processVersions(db: Database, processId: string, now = new Date()): Promise<VersionRecordView[]> {
  const [process, events, tasks, tailoredTasks, tailoredUnits] = await Promise.all([
    db.standardProcess.findUnique({ where: { id: processId }, select: { name: true, versions: { orderBy: { number: 'desc' } } } }),
    db.deploymentEvent.findMany({ where: { processId, unitId: { not: null } }, select: { versionId: true, unitId: true, action: true, at: true } }),
    db.task.findMany({ where: { processId, status: 'open' }, orderBy: { dueAt: 'asc' } }),
    db.task.findMany({ where: { processId, step: 'version-adoption', outcome: 'tailor' }, orderBy: { closedAt: 'asc' } }),
    db.unitProcess.findMany({ where: { processId, tailored: true }, select: { unitId: true, versionId: true, tailoring: true, since: true } }),
  ]);
  if (!process) return [];
  const unitIds = [...new Set([...tasks, ...tailoredTasks].map((task) => task.unitId).concat(events.map((event) => event.unitId), tailoredUnits.map((row) => row.unitId)))];
  const [units, improvements] = await Promise.all([
    db.orgUnit.findMany({ where: { id: { in: unitIds.filter((id): id is string => Boolean(id)) } }, select: { id: true, name: true } }),
    db.improvement.findMany({ where: { id: { in: process.versions.map((version) => version.improvementId).filter((id): id is string => Boolean(id)) } }, select: { id: true, title: true } }),
  ]);
  const unitName = (id: string | null) => units.find((unit) => unit.id === id)?.name ?? id ?? 'unknown unit';
  const adoptByOf = (plan: unknown) => (plan as { adoptBy?: string } | null)?.adoptBy ?? null;
  const measured = libraryDeployment(
    process.versions
      .filter((version) => version.publishedAt)
      .map((version) => {
        const adoptBy = adoptByOf(version.deploymentPlan);
        return { processId, process: process.name, versionId: version.id, version: version.number, publishedAt: version.publishedAt!, adoptBy: adoptBy ? new Date(Date.parse(adoptBy)) : null };
      }),
    events.map((event) => ({ versionId: event.versionId, unitId: event.unitId!, action: event.action, at: event.at })),
    now,
  );
  return process.versions.map((version): VersionRecordView => {
    const deployment = measured.versions.find((candidate) => candidate.version === version.number && candidate.units > 0);
    const fromTasks: TailoringRecord[] = tailoredTasks
      .filter((task) => task.versionId === version.id)
      .map((task) => ({ unitId: task.unitId ?? '', unitName: unitName(task.unitId), tailoring: (task.decision as { tailoring?: string } | null)?.tailoring ?? '', by: task.decidedBy, at: task.closedAt?.toISOString() ?? null }));
    const carriedOver: TailoringRecord[] = tailoredUnits
      .filter((row) => row.versionId === version.id && row.tailoring && !fromTasks.some((record) => record.unitId === row.unitId))
      .map((row) => ({ unitId: row.unitId, unitName: unitName(row.unitId), tailoring: row.tailoring!, by: null, at: row.since?.toISOString() ?? null }));
    const improvement = version.improvementId ? { id: version.improvementId, title: improvements.find((candidate) => candidate.id === version.improvementId)?.title ?? null } : null;
    return {
      number: version.number,
      status: version.status,
      summary: version.summary,
      publishedAt: version.publishedAt?.toISOString() ?? null,
      adoptBy: adoptByOf(version.deploymentPlan),
      lessons: version.lessons,
      improvement,
      deployment: deployment
        ? { units: deployment.units, adopted: deployment.adopted, tailored: deployment.tailored, waived: deployment.waived, pending: deployment.pending, superseded: deployment.superseded, state: deployment.state }
        : null,
      openTasks: tasks
        .filter((task) => task.versionId === version.id)
        .map((task) => ({ id: task.id, step: stepLabel[task.step] ?? task.step, unitName: unitName(task.unitId), assignee: task.assignee, onBehalfOf: task.onBehalfOf, dueAt: task.dueAt.toISOString(), escalationLevel: task.escalationLevel })),
      tailoring: [...fromTasks, ...carriedOver].sort((a, b) => a.unitName.localeCompare(b.unitName)),
    };
  });
}
