import { type Client, WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Request } from 'express';
import type { Prisma } from '../../generated/prisma/client';
import type { Database } from '../../prisma/database';
import * as library from '../../repositories/process-library';
import {
  type DeploymentPlan,
  deploymentRefusals,
  type UnitToDeploy,
  unitJoinedUpdate,
  type VersionDeploymentInput,
  versionDeploymentWorkflowId,
} from '../../workflows/process-library/definitions';
import type { versionDeployment } from '../../workflows/process-library/version-deployment';
import { audit } from '../audit';
import { AppError } from '../errors';

export interface DeploymentDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
}

export interface Publishing {
  processId: string;
  number: number;
  effectiveFrom?: string;
  plan?: { adoptBy?: string; startsAt?: string; material?: string[]; contact?: string };
}

function refusal(error: unknown): never {
  if (error instanceof library.LibraryRefusal) {
    throw error.type === 'not_found' ? new AppError('not_found', 404, error.message) : new AppError('conflict', 409, error.message);
  }
  throw error;
}

/** The input of a version's deployment, as published; `units` given: only those (a unit joining). */
async function deploymentInput(db: Database, versionId: string, units?: VersionDeploymentInput['units']): Promise<VersionDeploymentInput> {
  const version = await db.processVersion.findUniqueOrThrow({ where: { id: versionId }, include: { process: true } });
  const plan = (version.deploymentPlan as DeploymentPlan | null) ?? { material: [], contact: version.process.ownerEmail };
  return {
    processId: version.processId,
    processName: version.process.name,
    versionId: version.id,
    version: version.number,
    summary: version.summary,
    plan,
    ...(version.number > 1 ? { supersedes: version.number - 1 } : {}),
    ...(units ? { units } : {}),
  };
}

/**
 * The ORPG approves and publishes a version [SG3.SP1 sp6]: the library marks it current (the
 * previous one superseded) and its deployment to every unit on the process starts. Publishing
 * again answers the same and starts nothing new.
 */
export async function publishVersion(deps: DeploymentDeps, req: Request, publishing: Publishing) {
  const { db } = deps;
  const row = await db.processVersion.findUnique({
    where: { processId_number: { processId: publishing.processId, number: publishing.number } },
    include: { process: true },
  });
  if (!row) throw new AppError('not_found', 404, `number: no version ${publishing.number} of standard process ${publishing.processId}`);
  if (row.status === 'draft' || row.status === 'approved') {
    const plan: DeploymentPlan = {
      material: publishing.plan?.material ?? [],
      contact: publishing.plan?.contact ?? row.process.ownerEmail,
      ...(publishing.plan?.adoptBy ? { adoptBy: publishing.plan.adoptBy } : {}),
      ...(publishing.plan?.startsAt ? { startsAt: publishing.plan.startsAt } : {}),
    };
    await db.processVersion.update({
      where: { id: row.id },
      data: { deploymentPlan: plan as unknown as Prisma.InputJsonValue, ...(publishing.effectiveFrom ? { effectiveFrom: new Date(publishing.effectiveFrom) } : {}) },
    });
  }
  await library.approveVersion(db, { versionId: row.id, by: req.caller!.email }).catch(refusal);
  const publication = await library.publishVersion(db, { versionId: row.id }).catch(refusal);
  const workflowId = versionDeploymentWorkflowId(row.processId, row.number);
  try {
    await deps.temporal.workflow.start<typeof versionDeployment>('versionDeployment', {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [await deploymentInput(db, row.id)],
    });
  } catch (error) {
    // Published before (a retry): its deployment runs or ran already.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  await audit(db, req, { action: 'process.version.publish', target: row.id, outcome: 'ok', details: { processId: row.processId, number: row.number, workflowId } });
  return { ...publication, deploymentWorkflowId: workflowId };
}

/** Each published version's deployment history, newest version first, its events in order, and its open adoption tasks. */
export async function deploymentHistory(db: Database, processId: string) {
  const [versions, openTasks] = await Promise.all([
    db.processVersion.findMany({
      where: { processId, publishedAt: { not: null } },
      orderBy: { number: 'desc' },
      select: { id: true, number: true, status: true, deploymentEvents: { orderBy: [{ at: 'asc' }, { eventKey: 'asc' }], select: { unitId: true, action: true, actor: true, at: true } } },
    }),
    db.task.groupBy({ by: ['versionId'], where: { processId, status: 'open' }, _count: { _all: true } }),
  ]);
  return versions.map((version) => ({
    version: version.number,
    status: version.status,
    openTasks: openTasks.find((row) => row.versionId === version.id)?._count._all ?? 0,
    events: version.deploymentEvents.map((event) => ({ ...event, at: event.at.toISOString() })),
  }));
}

/**
 * Processes newly apply to a unit (a new or acquired unit, or one more process): the unit joins
 * the deployment of each process's current version, which starts again if it has ended [SG3.SP2 sp1].
 */
export async function openAdoptionOfUnit(deps: DeploymentDeps, unitId: string, processIds: string[]): Promise<void> {
  const unit = await deps.db.orgUnit.findUniqueOrThrow({ where: { id: unitId } });
  const joining = { unitId, unitName: unit.name, manager: unit.managerEmail };
  for (const processId of processIds) {
    const current = await library.currentVersion(deps.db, processId);
    if (!current) continue;
    const input = await deploymentInput(deps.db, current.id, []);
    // A deployment that ends while the unit joins refuses no one: joining again starts a new run.
    // Joining twice is harmless (the deployment knows its units), so a second try is safe.
    for (let attempt = 1; ; attempt++) {
      try {
        await joinDeployment(deps, joining, processId, current.number, input);
        break;
      } catch (error) {
        // A deployment being superseded refuses the unit: the newer version's deployment asks it.
        if (error instanceof WorkflowUpdateFailedError && (error.cause as { type?: string } | undefined)?.type === deploymentRefusals.deploymentEnded) break;
        if (attempt >= 2) throw error;
      }
    }
  }
}

function joinDeployment(deps: DeploymentDeps, unit: UnitToDeploy, processId: string, version: number, input: VersionDeploymentInput) {
  return deps.temporal.workflow.executeUpdateWithStart(unitJoinedUpdate, {
    args: [unit],
    startWorkflowOperation: new WithStartWorkflowOperation<typeof versionDeployment>('versionDeployment', {
      workflowId: versionDeploymentWorkflowId(processId, version),
      workflowIdConflictPolicy: 'USE_EXISTING',
      taskQueue: deps.taskQueue,
      args: [input],
    }),
  });
}
