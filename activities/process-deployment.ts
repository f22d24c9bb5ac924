import type { StepTiming } from '../workflows/improvement/definitions';
import type { UnitToDeploy } from '../workflows/process-library/definitions';
import type { AdoptionStep } from '../workflows/process-library/steps';
import type { CloseTaskRequest } from './db';
import { type BusinessCalendar, computeTaskClock } from './calendar';

/**
 * The process asset library's activities the deployments use: exactly the shapes of the `library`
 * branch's `createProcessLibraryActivities({ db })`, so that object is passed in as it is.
 */
export interface DeploymentLibrary {
  unitsOnProcess(processId: string): Promise<UnitToDeploy[]>;
  currentProcessVersion(processId: string): Promise<{ id: string; number: number } | null>;
  recordUnitAdoption(change: { unitId: string; processId: string; versionId: string; tailoring?: string; at?: string }): Promise<void>;
  recordUnitWaiver(change: { unitId: string; processId: string; reason: string; expiresAt?: string; grantedBy: string }): Promise<void>;
  clearUnitWaiver(change: { unitId: string; processId: string }): Promise<void>;
}

/** Where adoption tasks, their emails and the deployment's history are kept; every write idempotent by its key. */
export interface AdoptionTaskStore {
  /** Resolves the role holder and any delegate, stores the task and queues its email, in one transaction. */
  openTask(task: AdoptionTaskRecord): Promise<{ assignee: string; onBehalfOf?: string }>;
  remindTask(reminder: { taskId: string; to: string; context: string[] }): Promise<void>;
  escalateTask(escalation: { taskId: string; level: 1 | 2; to: string }): Promise<void>;
  closeTask(closing: AdoptionTaskClosing): Promise<void>;
  recordEvent(event: DeploymentEvent): Promise<void>;
}

export interface AdoptionTaskRecord {
  id: string;
  workflowId: string;
  processId: string;
  versionId: string;
  unitId: string;
  step: AdoptionStep;
  assignee: { email: string } | { role: 'orpg' };
  dueAt: string;
  remindAt: string;
  escalateAt: string;
  email: { subject: string; context: string[] };
}

export type AdoptionTaskClosing = Pick<CloseTaskRequest, 'taskId' | 'status' | 'outcome' | 'decision' | 'decidedBy' | 'channel' | 'decisionId'>;

/** One entry of a deployment's history, for the process page; `key` makes it once-only. */
export interface DeploymentEvent {
  processId: string;
  versionId: string;
  unitId?: string;
  key: string;
  action: string;
  actor: string;
  at: string;
}

/** A change of one unit's adoption, as the workflow records it. */
export type AdoptionChange =
  | { change: 'asked' | 'waiver-requested' | 'waiver-refused' | 'adopted' | 'superseded' }
  | { change: 'tailored'; tailoring: string }
  | { change: 'waived'; reason: string; expiresAt: string; grantedBy: string }
  | { change: 'waiver-expired' };

export interface ProcessDeploymentDeps {
  calendar: BusinessCalendar;
  /** Absent until the library is wired into the worker: the activities then retry until it is. */
  processLibrary?: { library: DeploymentLibrary; adoptionTasks: AdoptionTaskStore };
}

function wired(deps: ProcessDeploymentDeps) {
  if (!deps.processLibrary) throw new Error('the process library is not wired into this worker (processLibrary dependency)');
  return deps.processLibrary;
}

/** The deployments' adapters over the process library and its adoption tasks. */
export function createProcessDeploymentActivities(deps: ProcessDeploymentDeps) {
  return {
    /** The units the process applies to: the audience of a new version's deployment. */
    async unitsRunningProcess({ processId }: { processId: string }): Promise<UnitToDeploy[]> {
      const units = await wired(deps).library.unitsOnProcess(processId);
      return units.map(({ unitId, unitName, manager }) => ({ unitId, unitName, manager }));
    },

    /** The number of the process's current published version (null: none). */
    async currentVersionNumber({ processId }: { processId: string }): Promise<number | null> {
      return (await wired(deps).library.currentProcessVersion(processId))?.number ?? null;
    },

    /** Records one change of a unit's adoption in the library (what it runs) and the deployment's history. */
    async recordAdoptionChange(record: { processId: string; versionId: string; unitId: string; key: string; actor: string; at: string } & AdoptionChange) {
      const { library, adoptionTasks } = wired(deps);
      const { processId, versionId, unitId } = record;
      const { at } = record;
      if (record.change === 'adopted' || record.change === 'tailored') {
        await library.recordUnitAdoption({ unitId, processId, versionId, at, ...(record.change === 'tailored' ? { tailoring: record.tailoring } : {}) });
      } else if (record.change === 'waived') {
        await library.recordUnitWaiver({ unitId, processId, reason: record.reason, expiresAt: record.expiresAt, grantedBy: record.grantedBy });
      } else if (record.change === 'waiver-expired') {
        await library.clearUnitWaiver({ unitId, processId });
      }
      await adoptionTasks.recordEvent({ processId, versionId, unitId, key: record.key, action: record.change, actor: record.actor, at: record.at });
    },

    /** Records a milestone of the deployment itself: started, unit joined, late, deployed, superseded. */
    async recordDeployment(event: DeploymentEvent): Promise<void> {
      await wired(deps).adoptionTasks.recordEvent(event);
    },

    /** Opens an adoption task with its clock in business time from `openedAt`, and emails its assignee. */
    async openAdoptionTask({ openedAt, timing, ...task }: Omit<AdoptionTaskRecord, 'dueAt' | 'remindAt' | 'escalateAt'> & { openedAt: string; timing: StepTiming }) {
      const clock = computeTaskClock(new Date(openedAt), timing, deps.calendar);
      const iso = { dueAt: clock.dueAt.toISOString(), remindAt: clock.remindAt.toISOString(), escalateAt: clock.escalateAt.toISOString() };
      const holder = await wired(deps).adoptionTasks.openTask({ ...task, ...iso });
      return { ...holder, ...iso };
    },

    /** Reminds the assignee of an adoption task before it is due. */
    async remindAdoptionTask(reminder: { taskId: string; to: string; context: string[] }): Promise<void> {
      await wired(deps).adoptionTasks.remindTask(reminder);
    },

    /** Flags an overdue adoption task and emails whom it escalates to. */
    async escalateAdoptionTask(escalation: { taskId: string; level: 1 | 2; to: string }): Promise<void> {
      await wired(deps).adoptionTasks.escalateTask(escalation);
    },

    /** Closes an adoption task, decided or cancelled. */
    async closeAdoptionTask(closing: AdoptionTaskClosing): Promise<void> {
      await wired(deps).adoptionTasks.closeTask(closing);
    },
  };
}

export type ProcessDeploymentActivities = ReturnType<typeof createProcessDeploymentActivities>;
