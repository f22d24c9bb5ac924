import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { AdoptionTaskRecord, AdoptionTaskStore, DeploymentEvent, DeploymentLibrary } from '../../activities/process-deployment';
import { createProcessDeploymentActivities } from '../../activities/process-deployment';
import { decideUpdate, type DecisionResult } from '../../workflows/improvement/definitions';
import {
  type UnitToDeploy,
  unitJoinedUpdate,
  type VersionDeploymentInput,
  versionDeploymentWorkflowId,
} from '../../workflows/process-library/definitions';
import type { versionDeployment } from '../../workflows/process-library/version-deployment';
import { ActivityRecorder, createStubActivities, people } from './activity-recorder';
import { plainCalendar, startTimeSkippingServer } from './time-skipping';

/** The units of the simulated organisation that run the deployed process. */
export const libraryUnits: Record<'ops' | 'it' | 'sales', UnitToDeploy> = {
  ops: { unitId: 'ops', unitName: 'Operations', manager: people.opsManager },
  it: { unitId: 'it', unitName: 'IT Service Desk', manager: people.itManager },
  sales: { unitId: 'sales', unitName: 'Sales', manager: 'sales.manager@example.org' },
};

export type LibraryTask = Omit<AdoptionTaskRecord, 'assignee'> & { assignee: string };

/** What the deployments wrote to the process library and its adoption tasks, in simulated time. */
export class LibraryRecorder extends ActivityRecorder {
  readonly unitsOnProcess = new Map<string, UnitToDeploy[]>();
  readonly currentVersions = new Map<string, number>();
  readonly adoptions: { unitId: string; versionId: string; tailoring?: string }[] = [];
  readonly waivers: { unitId: string; reason: string; expiresAt?: string; grantedBy: string }[] = [];
  readonly clearedWaivers: string[] = [];
  readonly adoptionTasks: LibraryTask[] = [];
  readonly reminders: { taskId: string; to: string }[] = [];
  readonly adoptionEscalations: { taskId: string; level: 1 | 2; to: string }[] = [];
  readonly closedTasks: { taskId: string; status: string; outcome?: string }[] = [];
  readonly deploymentEvents: DeploymentEvent[] = [];

  /** The open task of a step for a unit, once the workflow has opened it. */
  openTask(step: string, unitId: string): Promise<LibraryTask> {
    return this.waitFor(`an open ${step} task for ${unitId}`, () =>
      this.adoptionTasks.find((task) => task.step === step && task.unitId === unitId && !this.closedTasks.some((closed) => closed.taskId === task.id)),
    );
  }

  closingOf(task: LibraryTask) {
    return this.closedTasks.find((closed) => closed.taskId === task.id);
  }

  /** The deployment's history (its own milestones, or one unit's), of one version or all. */
  eventActions(unitId?: string, version?: number): string[] {
    return this.deploymentEvents
      .filter((event) => event.unitId === unitId && (version === undefined || event.versionId.endsWith(`-v${version}`)))
      .map((event) => event.action);
  }
}

/* eslint-disable @typescript-eslint/require-await -- in-memory stand-ins keep the stores' async signatures */
function fakeStores(recorder: LibraryRecorder): { library: DeploymentLibrary; adoptionTasks: AdoptionTaskStore } {
  const once = <T extends { key: string }>(list: T[], item: T) => {
    if (!list.some((existing) => existing.key === item.key)) recorder.record(list, item);
  };
  return {
    library: {
      async unitsOnProcess(processId) {
        return recorder.unitsOnProcess.get(processId) ?? [];
      },
      async currentProcessVersion(processId) {
        const number = recorder.currentVersions.get(processId);
        return number === undefined ? null : { id: `${processId}-v${number}`, number };
      },
      async recordUnitAdoption({ unitId, versionId, tailoring }) {
        recorder.record(recorder.adoptions, { unitId, versionId, ...(tailoring ? { tailoring } : {}) });
      },
      async recordUnitWaiver({ unitId, reason, expiresAt, grantedBy }) {
        recorder.record(recorder.waivers, { unitId, reason, expiresAt, grantedBy });
      },
      async clearUnitWaiver({ unitId }) {
        recorder.record(recorder.clearedWaivers, unitId);
      },
    },
    adoptionTasks: {
      async openTask(task) {
        const existing = recorder.adoptionTasks.find((opened) => opened.id === task.id);
        const assignee = existing?.assignee ?? ('email' in task.assignee ? task.assignee.email : people.orpg);
        if (!existing) recorder.record(recorder.adoptionTasks, { ...task, assignee });
        return { assignee };
      },
      async remindTask({ taskId, to }) {
        recorder.record(recorder.reminders, { taskId, to });
      },
      async escalateTask(escalation) {
        recorder.record(recorder.adoptionEscalations, escalation);
      },
      async closeTask({ taskId, status, outcome }) {
        recorder.record(recorder.closedTasks, { taskId, status, outcome });
      },
      async recordEvent(event) {
        once(recorder.deploymentEvents, event);
      },
    },
  };
}
/* eslint-enable @typescript-eslint/require-await */

/** One test's process library: a worker with the real workflows and adapters over in-memory stores. */
export class LibraryWorld {
  readonly processId = randomUUID();

  constructor(
    readonly env: TestWorkflowEnvironment,
    readonly recorder: LibraryRecorder,
  ) {}

  /** Publishes version `version` of the process: starts its deployment as the API does. */
  async deploy(units: UnitToDeploy[], overrides: Partial<VersionDeploymentInput> = {}) {
    const version = overrides.version ?? 1;
    this.recorder.unitsOnProcess.set(this.processId, units);
    this.recorder.currentVersions.set(this.processId, version);
    const input = { ...this.deploymentInput(version), ...overrides };
    return this.env.client.workflow.start<typeof versionDeployment>('versionDeployment', {
      workflowId: versionDeploymentWorkflowId(this.processId, version),
      taskQueue: 'improvements',
      args: [input],
    });
  }

  /** A unit starts running the process: it joins the version's deployment, which starts again if it had ended. */
  join(version: number, unit: UnitToDeploy) {
    const input = this.deploymentInput(version, []);
    return this.env.client.workflow.executeUpdateWithStart(unitJoinedUpdate, {
      args: [unit],
      startWorkflowOperation: new WithStartWorkflowOperation<typeof versionDeployment>('versionDeployment', {
        workflowId: versionDeploymentWorkflowId(this.processId, version),
        workflowIdConflictPolicy: 'USE_EXISTING',
        taskQueue: 'improvements',
        args: [input],
      }),
    });
  }

  /** The assignee of the task decides it, through the same update as the API. */
  decide(task: LibraryTask, outcome: string, fields: Record<string, unknown> = {}, actor = task.assignee): Promise<DecisionResult> {
    return this.env.client.workflow
      .getHandle(task.workflowId)
      .executeUpdate(decideUpdate, { args: [{ decisionId: randomUUID(), taskId: task.id, actor, outcome, fields, channel: 'api' }] });
  }

  async answer(step: string, unitId: string, outcome: string, fields: Record<string, unknown> = {}): Promise<LibraryTask> {
    const task = await this.recorder.openTask(step, unitId);
    await this.decide(task, outcome, fields);
    return task;
  }

  /** Moves simulated time to just past `instant`. */
  async skipPast(instant: Date): Promise<void> {
    const ms = instant.getTime() - (await this.env.currentTimeMs()) + 1_000;
    if (ms > 0) await this.env.sleep(ms);
  }

  async now(): Promise<Date> {
    return new Date(await this.env.currentTimeMs());
  }

  private deploymentInput(version: number, units?: UnitToDeploy[]): VersionDeploymentInput {
    return {
      processId: this.processId,
      processName: 'Incident management',
      versionId: `${this.processId}-v${version}`,
      version,
      summary: 'Root causes are named in every post-incident review',
      plan: { startsAt: '2026-12-07', material: ['Root-cause analysis primer (https://intranet.example.org/rca)'], contact: people.processOwner },
      ...(units ? { units } : {}),
    };
  }

  /** With RECORD_HISTORIES=<version>: saves the workflow's history for test/workflows/replay.test.ts. */
  async recordHistory(name: string, workflowId: string): Promise<void> {
    if (!process.env.RECORD_HISTORIES) return;
    const history = await this.env.client.workflow.getHandle(workflowId).fetchHistory();
    const dir = path.join(__dirname, '..', 'workflows', 'histories');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${name}-${process.env.RECORD_HISTORIES}.json`), historyToJSON(history));
  }
}

/** Returns `simulate(test)`: a time-skipping server and one worker per test, as useTimeSkipping does. */
export function useProcessLibrary() {
  return async function simulate(test: (world: LibraryWorld) => Promise<void>): Promise<void> {
    const env = await startTimeSkippingServer();
    try {
      const recorder = new LibraryRecorder();
      const world = new LibraryWorld(env, recorder);
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'improvements',
        workflowBundle: { codePath: inject('workflowBundlePath') },
        activities: {
          ...createStubActivities(recorder, () => plainCalendar),
          ...createProcessDeploymentActivities({ calendar: plainCalendar, processLibrary: fakeStores(recorder) }),
        },
      });
      await worker.runUntil(() => test(world));
    } finally {
      await env.teardown();
    }
  };
}
