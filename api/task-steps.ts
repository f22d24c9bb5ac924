// The steps a task can be on, whatever workflow holds it: an improvement's steps, or the adoption
// steps of a published process version. The decision paths look steps up here, never in one table.
import type { Database } from '../prisma/database';
import { validateDecision } from '../workflows/improvement/decision-fields';
import type { ImprovementState } from '../workflows/improvement/definitions';
import { type StepName, type StepSpec, steps } from '../workflows/improvement/steps';
import { type AdoptionStep, adoptionSteps, validateAdoptionDecision } from '../workflows/process-library/steps';
import { improvementSummary, summaryList } from './decision-forms';
import { escapeHtml } from './html';

const allSteps: Record<string, StepSpec> = { ...steps, ...adoptionSteps };

export function isAdoptionStep(step: string): step is AdoptionStep {
  return Object.hasOwn(adoptionSteps, step);
}

/** The spec of a task's step; undefined for a step no workflow knows. */
export function taskStepSpec(step: string): StepSpec | undefined {
  return Object.hasOwn(allSteps, step) ? allSteps[step] : undefined;
}

/** Checks a decision on any step, as the workflow holding the task will check it again. */
export function validateTaskDecision(step: string, outcome: string, fields: Record<string, unknown>) {
  return isAdoptionStep(step) ? validateAdoptionDecision(step, outcome, fields, Date.now()) : validateDecision(step as StepName, outcome, fields);
}

/** What a task is about, in a line: the improvement's title, or the process version and unit to adopt it. */
export interface TaskSubject {
  title: string;
  href: string;
}

interface TaskRef {
  improvementId: string | null;
  processId: string | null;
  versionId: string | null;
  unitId: string | null;
}

/** The subjects of many tasks, read in three queries. */
export async function taskSubjects(db: Database, tasks: TaskRef[]): Promise<Map<TaskRef, TaskSubject>> {
  const ids = (pick: (task: TaskRef) => string | null) => [...new Set(tasks.map(pick).filter((id): id is string => id !== null))];
  const [improvements, versions, units] = await Promise.all([
    db.improvement.findMany({ where: { id: { in: ids((task) => task.improvementId) } }, select: { id: true, title: true } }),
    db.processVersion.findMany({ where: { id: { in: ids((task) => task.versionId) } }, select: { id: true, number: true, process: { select: { id: true, name: true } } } }),
    db.orgUnit.findMany({ where: { id: { in: ids((task) => task.unitId) } }, select: { id: true, name: true } }),
  ]);
  const subjects = new Map<TaskRef, TaskSubject>();
  for (const task of tasks) {
    const improvement = improvements.find((row) => row.id === task.improvementId);
    const version = versions.find((row) => row.id === task.versionId);
    const unit = units.find((row) => row.id === task.unitId);
    if (improvement) subjects.set(task, { title: improvement.title, href: `/improvements/${improvement.id}` });
    else if (version) subjects.set(task, { title: `${version.process.name} version ${version.number}${unit ? ` — ${unit.name}` : ''}`, href: `/processes/${version.process.id}` });
    else subjects.set(task, { title: '(unknown)', href: '/my-tasks' });
  }
  return subjects;
}

/** The context a decider needs: the improvement's summary, or the process, version, plan and unit to adopt it. */
export async function taskContextHtml(db: Database, task: TaskRef): Promise<string> {
  if (task.improvementId) {
    const improvement = await db.improvement.findUnique({ where: { id: task.improvementId } });
    return improvementSummary(improvement?.details as Partial<ImprovementState> | null, improvement?.title ?? '');
  }
  const [version, unit] = await Promise.all([
    task.versionId ? db.processVersion.findUnique({ where: { id: task.versionId }, include: { process: true } }) : null,
    task.unitId ? db.orgUnit.findUnique({ where: { id: task.unitId } }) : null,
  ]);
  const rows: [string, string | null | undefined][] = [
    ['Standard process', version?.process.name],
    ['Version', version ? `${version.number} (${version.status})` : undefined],
    ['Change summary', version?.summary],
    ['Effective from', version?.effectiveFrom?.toUTCString()],
    ['The asset', version?.url ?? version?.content ?? version?.process.url],
    ['Tailoring guidelines', version?.process.tailoringGuidelines],
    ['Organisational unit', unit?.name],
    ['Unit manager', unit?.managerEmail],
  ];
  const link = version ? `<p><a href="/processes/${escapeHtml(version.process.id)}">The process and every unit's version</a></p>` : '';
  return `${summaryList(rows)}${link}`;
}
