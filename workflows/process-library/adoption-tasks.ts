import { ApplicationFailure, CancellationScope, condition, isCancellation, proxyActivities, setHandler, uuid4 } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { decideUpdate, type DecisionRequest, type DecisionResult, decisionSignal, type DurationOverrides } from '../improvement/definitions';
import { decisionRefusals } from '../improvement/tasks/refusals';
import { timingFor } from '../improvement/tasks/task';
import type { AdoptionTask } from './definitions';
import { type AdoptionStep, validateAdoptionDecision } from './steps';

type Activities = ReturnType<typeof createActivities>;

const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** What a person decided on an adoption task. */
export interface AdoptionDecision {
  outcome: string;
  fields: Record<string, unknown>;
  actor: string;
}

export interface AdoptionAsk {
  step: AdoptionStep;
  assignee: { email: string } | { role: 'orpg' };
  subject: string;
  context: string[];
}

/** Where the tasks belong: the unit's adoption workflow, its process, version and unit. */
export interface AdoptionTaskHost {
  workflowId: string;
  processId: string;
  versionId: string;
  unitId: string;
  durations: DurationOverrides;
  openTasks: AdoptionTask[];
}

interface LiveTask {
  task: AdoptionTask;
  context: string[];
  /** The task row and its email are being written: its assignee is not known yet. */
  opening: boolean;
  decision?: AdoptionDecision & { request: DecisionRequest };
  closed: boolean;
}

// The process's own step clocks are the improvement's adoption and waiver steps'.
const clockOf: Record<AdoptionStep, 'adoption' | 'waiver'> = { 'version-adoption': 'adoption', 'version-waiver': 'waiver' };

function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/**
 * The adoption tasks of one unit: opens them, reminds and escalates on the clock as every step
 * does, and takes decisions through the same decide update (or its fallback signal) as improvements.
 */
export class AdoptionTasks {
  private live = new Map<string, LiveTask>();
  private applied = new Map<string, DecisionResult>();
  /** Decisions taken and not yet applied, by decision id: a retry waits for the same result. */
  private applying = new Map<string, LiveTask>();

  constructor(private readonly host: AdoptionTaskHost) {
    setHandler(decideUpdate, (request) => this.decide(request), { validator: (request: DecisionRequest) => this.validate(request) });
    setHandler(decisionSignal, async (request) => {
      try {
        this.validate(request);
        await this.decide(request);
      } catch {
        // A stale or invalid fallback signal changes nothing; its update already told the caller.
      }
    });
  }

  /** Asks one person to decide; resolves with their decision. Cancellable (superseded). */
  async ask(request: AdoptionAsk): Promise<AdoptionDecision> {
    const task: AdoptionTask = { id: uuid4(), step: request.step, assignee: '', dueAt: '', remindAt: '', escalateAt: '', escalationLevel: 0 };
    const live: LiveTask = { task, context: request.context, opening: true, closed: false };
    this.live.set(task.id, live);
    try {
      await CancellationScope.nonCancellable(() => this.open(live, request));
      const decision = await this.waitForDecision(live);
      await this.close(live, decision);
      return decision;
    } catch (error) {
      if (isCancellation(error)) await CancellationScope.nonCancellable(() => this.close(live));
      throw error;
    }
  }

  private async open(live: LiveTask, request: AdoptionAsk): Promise<void> {
    const { workflowId, processId, versionId, unitId, durations } = this.host;
    const opened = await activities.openAdoptionTask({
      id: live.task.id,
      workflowId,
      processId,
      versionId,
      unitId,
      step: request.step,
      assignee: request.assignee,
      email: { subject: request.subject, context: request.context },
      openedAt: new Date().toISOString(),
      timing: timingFor(durations, clockOf[request.step]),
    });
    Object.assign(live.task, opened);
    live.opening = false;
    this.host.openTasks.push(live.task);
  }

  private async waitForDecision(live: LiveTask): Promise<NonNullable<LiveTask['decision']>> {
    const decided = () => live.decision !== undefined;
    const { task } = live;
    if (!(await this.waitUntil(decided, task.remindAt))) await activities.remindAdoptionTask({ taskId: task.id, to: task.assignee, context: live.context });
    if (!(await this.waitUntil(decided, task.dueAt))) await this.escalate(task, 1);
    if (!(await this.waitUntil(decided, task.escalateAt))) await this.escalate(task, 2);
    await condition(decided);
    return live.decision as NonNullable<LiveTask['decision']>;
  }

  private async waitUntil(decided: () => boolean, iso: string): Promise<boolean> {
    const ms = Date.parse(iso) - Date.now();
    return ms <= 0 ? decided() : condition(decided, ms);
  }

  private async escalate(task: AdoptionTask, level: 1 | 2): Promise<void> {
    const to = level === 1 ? await activities.resolveManager({ email: task.assignee }) : await activities.resolveRole({ role: 'management' });
    task.escalationLevel = level;
    await activities.escalateAdoptionTask({ taskId: task.id, level, to });
  }

  private async close(live: LiveTask, decision?: LiveTask['decision']): Promise<void> {
    const { task } = live;
    this.live.delete(task.id);
    const index = this.host.openTasks.findIndex((open) => open.id === task.id);
    if (index >= 0) this.host.openTasks.splice(index, 1);
    await activities.closeAdoptionTask({
      taskId: task.id,
      status: decision ? 'decided' : 'cancelled',
      ...(decision
        ? { outcome: decision.outcome, decision: decision.fields, decidedBy: decision.actor, channel: decision.request.channel, decisionId: decision.request.decisionId }
        : {}),
    });
    // The decider's update returns only now, once the read model shows the task closed.
    live.closed = true;
  }

  private validate(request: DecisionRequest): void {
    if (this.applied.has(request.decisionId) || this.applying.has(request.decisionId)) return;
    const live = this.live.get(request.taskId);
    if (!live || live.decision) refuse(decisionRefusals.taskNotOpen, `task ${request.taskId} is no longer open`);
    if (!live.opening) this.checkAssignee(live, request);
    const checked = validateAdoptionDecision(live.task.step, request.outcome, request.fields, Date.now());
    if (!checked.ok) {
      throw ApplicationFailure.create({
        type: decisionRefusals.invalidDecision,
        message: checked.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
        details: [checked.problems],
        nonRetryable: true,
      });
    }
  }

  private checkAssignee(live: LiveTask, request: DecisionRequest): void {
    if (request.actor.toLowerCase() !== live.task.assignee.toLowerCase()) refuse(decisionRefusals.notAssignee, `only ${live.task.assignee} can decide this task`);
  }

  private async decide(request: DecisionRequest): Promise<DecisionResult> {
    const earlier = this.applied.get(request.decisionId);
    if (earlier) return earlier;
    const taking = this.applying.get(request.decisionId);
    if (taking) return this.resultOnceClosed(taking, request);
    const live = this.live.get(request.taskId) as LiveTask;
    // Taken while the task was opening: its assignee is checked once known.
    await condition(() => !live.opening);
    if (live.decision) refuse(decisionRefusals.taskNotOpen, `task ${request.taskId} is no longer open`);
    this.checkAssignee(live, request);
    const checked = validateAdoptionDecision(live.task.step, request.outcome, request.fields, Date.now());
    live.decision = { outcome: request.outcome, fields: checked.ok ? checked.fields : {}, actor: request.actor.toLowerCase(), request };
    this.applying.set(request.decisionId, live);
    return this.resultOnceClosed(live, request);
  }

  private async resultOnceClosed(live: LiveTask, request: DecisionRequest): Promise<DecisionResult> {
    await condition(() => live.closed);
    const result: DecisionResult = { taskId: request.taskId, outcome: live.decision?.outcome ?? request.outcome, stage: 'deployment' };
    this.applied.set(request.decisionId, result);
    this.applying.delete(request.decisionId);
    return result;
  }
}
