import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import {
  decideUpdate,
  type DecisionResult,
  getStatusQuery,
  type ImprovementInput,
  type ImprovementStage,
  type ImprovementState,
  improvementWorkflowId,
} from '../../workflows/improvement/definitions';
import type { improvementLifecycle } from '../../workflows/improvement/workflow';
import { type OpenedTask, people } from './activity-recorder';
import type { SimulatedWorld } from './time-skipping';

export type ImprovementOverrides = Partial<Omit<ImprovementInput, 'id'>>;

/** What the process owner submits as a plan. */
export type PlanFields = {
  objectives: string;
  actions: { title: string; owner: string; due: string }[];
  measures: string;
};

/** A plan with one action for the developer; tests that need more pass their own. */
export const onePlan: PlanFields = {
  objectives: 'Every post-incident review names a root cause',
  actions: [{ title: 'Add a root-cause field to the review template', owner: people.developer, due: '5bd' }],
  measures: 'Share of reviews with a root cause, monthly',
};

export const pilotPlan = { units: ['ops'], successCriteria: 'Nine in ten reviews name a root cause', duration: '10bd' };

/** One improvement driven through its stages as its people would, by deciding its tasks. */
export class Improvement {
  private waitsSkipped = 0;

  private constructor(
    private readonly world: SimulatedWorld,
    readonly id: string,
    readonly handle: WorkflowHandle<typeof improvementLifecycle>,
  ) {}

  static async start(world: SimulatedWorld, overrides: ImprovementOverrides): Promise<Improvement> {
    const id = randomUUID();
    const input: ImprovementInput = {
      id,
      title: 'Root causes in post-incident reviews',
      description: 'Post-incident reviews close without a root cause',
      process: 'Incident management',
      source: 'incident',
      orgUnits: ['ops'],
      pilot: false,
      proposerEmail: people.proposer,
      processOwnerEmail: people.processOwner,
      durations: { settlingPeriod: '10bd' },
      ...overrides,
    };
    const handle = await world.env.client.workflow.start<typeof improvementLifecycle>('improvementLifecycle', {
      workflowId: improvementWorkflowId(id),
      taskQueue: world.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
    });
    return new Improvement(world, id, handle);
  }

  private get recorder() {
    return this.world.recorder;
  }

  /** The open task of `step` (for one unit or one assignee), once its assignee has been emailed. */
  task(step: string, where: { unitId?: string; assignee?: string } = {}): Promise<OpenedTask> {
    const matches = (task: OpenedTask) =>
      task.step === step &&
      (where.unitId === undefined || task.unitId === where.unitId) &&
      (where.assignee === undefined || task.assignee === where.assignee) &&
      this.recorder.isOpen(task) &&
      this.recorder.emailsAbout(task, 'task-assigned').length > 0;
    return this.recorder.waitFor(`an open "${step}" task ${JSON.stringify(where)}`, () => this.recorder.tasks.filter(matches).at(-1));
  }

  /** The assignee decides: the Update the API sends, answered once the task is closed. */
  decide(task: OpenedTask, outcome: string, fields: Record<string, unknown> = {}, actor = task.assignee): Promise<DecisionResult> {
    return this.world.env.client.workflow.getHandle(task.workflowId).executeUpdate(decideUpdate, {
      args: [{ decisionId: randomUUID(), taskId: task.id, actor, outcome, fields, channel: 'api' }],
    });
  }

  /** Waits for the open task of `step`, then decides it. */
  async answer(step: string, outcome: string, fields: Record<string, unknown> = {}, where: { unitId?: string; assignee?: string } = {}) {
    return this.decide(await this.task(step, where), outcome, fields);
  }

  /** The workflow's live state, as the status query returns it. */
  status(): Promise<ImprovementState> {
    return this.handle.query(getStatusQuery);
  }

  /** Waits until the read model records the improvement in `stage`; returns the live state. */
  async reached(stage: ImprovementStage): Promise<ImprovementState> {
    await this.recorder.waitFor(`the improvement to reach ${stage}`, () => this.recorder.latestState()?.stage === stage);
    return this.status();
  }

  /** Waits for the workflow to end and returns its final state. */
  async ended(): Promise<ImprovementState> {
    return this.handle.result();
  }

  /** The email of `kind` sent to `to`, once sent. */
  email(kind: string, to: string) {
    return this.recorder.waitFor(`a ${kind} email to ${to}`, () =>
      this.recorder.emails.filter((email) => email.kind === kind && email.to === to).at(-1),
    );
  }

  // ---- The usual road to each stage ----

  async toPrioritisation(): Promise<void> {
    await this.answer('review', 'accept');
    await this.reached('prioritisation');
  }

  async toPlanning(): Promise<void> {
    await this.toPrioritisation();
    await this.answer('score', 'score', { cost: 2, benefit: 5, risk: 2, barriers: 1 });
    await this.answer('steering', 'approve');
    await this.reached('planning');
  }

  async toImplementation(plan: PlanFields = onePlan): Promise<void> {
    await this.toPlanning();
    await this.answer('plan', 'submit', plan);
    await this.answer('plan-approval', 'approve');
    await this.reached('implementation');
  }

  /** Through planning and implementation; the improvement must be proposed with `pilot: true`. */
  async toPilot(): Promise<void> {
    await this.toImplementation();
    await this.answer('action', 'complete');
    await this.reached('pilot');
  }

  /** Submits, approves and runs the pilot (skipping its duration); the pilot decision is next. */
  async throughPilotRun(): Promise<void> {
    await this.answer('pilot-plan', 'submit', pilotPlan);
    await this.answer('pilot-approval', 'approve');
    await this.skipThroughWait();
    await this.answer('pilot-results', 'submit', { results: '19 of 20 reviews named a root cause', criteriaMet: true });
  }

  async toDeployment(): Promise<void> {
    await this.toImplementation();
    await this.answer('action', 'complete');
    await this.reached('deployment');
  }

  /** Deploys to every unit by adoption, then skips the settling period; the audits are next. */
  async toAudit(): Promise<void> {
    await this.toDeployment();
    for (const unitId of (await this.status()).proposal.orgUnits) await this.answer('adoption', 'adopt', {}, { unitId });
    await this.reached('audit');
    await this.skipThroughWait();
  }

  async toLessons(): Promise<void> {
    await this.toAudit();
    for (const unit of (await this.status()).units) await this.answer('audit', 'compliant', {}, { unitId: unit.unitId });
    await this.reached('lessons');
  }

  /** Skips simulated time past the end of the workflow's latest timed wait (pilot, settling period). */
  async skipThroughWait(): Promise<void> {
    const index = this.waitsSkipped;
    const wait = await this.recorder.waitFor('a timed wait', () => this.recorder.waits[index]);
    this.waitsSkipped += 1;
    await this.world.skipPast(wait.until);
  }
}
