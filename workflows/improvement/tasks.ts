import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  uuid4,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import type { KeyedEvent } from '../../activities/db';
import {
  decideUpdate,
  type DecisionRequest,
  type DecisionResult,
  decisionSignal,
  type DecisionVia,
  type DurationOverrides,
  reassignSignal,
  reassignUpdate,
  type ReassignRequest,
  type ReassignResult,
  type HistoryEntry,
  type ImprovementStage,
  type OpenTask,
  type StepTiming,
} from './definitions';
import { type StepName, steps, validateDecision } from './steps';

type Activities = ReturnType<typeof createActivities>;

const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** Refusal types the API turns into HTTP statuses. */
export const decisionRefusals = {
  taskNotOpen: 'TaskNotOpen',
  notAssignee: 'NotAssignee',
  selfApproval: 'SelfApproval',
  invalidDecision: 'InvalidDecision',
} as const;

/** What a person decided on a task. */
export interface Decision {
  outcome: string;
  fields: Record<string, unknown>;
  actor: string;
  channel: 'email-link' | 'web' | 'api';
  decisionId: string;
  via?: DecisionVia;
  requestId?: string;
}

/** Who is asked: a person by email, or a role resolved to a person when the task opens. */
export type Assignee = { email: string } | { role: 'orpg' | 'management' | 'auditor' };

export interface TaskRequest {
  step: StepName;
  assignee: Assignee;
  /** Lines of context for the email and the page, e.g. ["Title: ...", "Priority: 12"]. */
  context: string[];
  unitId?: string;
  actionIndex?: number;
  /** An absolute due date (a planned action's) instead of the step's configured duration. */
  due?: string;
}

/** Where the task board keeps its tasks and writes the improvement's history. */
export interface TaskHost {
  improvementId: string;
  improvementTitle: string;
  workflowId: string;
  durations: DurationOverrides;
  /** The proposer, who may not decide the steps below on their own proposal. */
  proposerEmail?: string;
  selfApprovalBlockedSteps: StepName[];
  openTasks: OpenTask[];
  escalations: { taskId: string; level: 1 | 2; to: string; at: string }[];
  /** The improvement's current stage, reported back to deciders. */
  stage(): ImprovementStage;
  /** Appends a history entry and records it (and the improvement's snapshot) in the read model. */
  addHistory(entry: Omit<HistoryEntry, 'at'>, key: string): Promise<void>;
  /** The read-model event a history entry is recorded as, by an activity that records it with its task. */
  keyedEvent(entry: HistoryEntry, key: string): KeyedEvent;
  /** Appends a history entry that an activity has already recorded. */
  remember(entry: HistoryEntry): void;
}

const fallbackTiming: StepTiming = { due: '5bd', remindBefore: '1bd', escalateAfter: '2bd' };

/** The step's clock: per-step override, else the improvement's default, else five business days. */
export function timingFor(durations: DurationOverrides, step: StepName): StepTiming {
  return { ...fallbackTiming, ...durations.default, ...durations.steps?.[step] };
}

interface LiveTask {
  task: OpenTask;
  context: string[];
  decision?: Decision;
  closed: boolean;
  reassignments: number;
  /** Its assignee is still being resolved: a decision taken meanwhile is checked once it is known. */
  opening?: boolean;
}

function untilMs(iso: string): number {
  return Date.parse(iso) - Date.now();
}

/**
 * The human tasks of one workflow: opens them, emails the assignee, reminds and escalates on
 * the clock, and takes decisions (Update, or Signal when no worker could take the Update in time).
 */
export class TaskBoard {
  private live = new Map<string, LiveTask>();
  private applied = new Map<string, DecisionResult>();
  /** Decisions taken and not yet applied, by decision id: the task closes in between. */
  private applying = new Map<string, LiveTask>();

  constructor(private readonly host: TaskHost) {
    setHandler(decideUpdate, (request) => this.decide(request), {
      validator: (request: DecisionRequest) => this.validate(request),
    });
    setHandler(decisionSignal, (request) => this.decideFromSignal(request));
    setHandler(reassignUpdate, (request) => this.reassign(request), {
      validator: (request: ReassignRequest) => this.validateReassignment(request),
    });
    setHandler(reassignSignal, (request) => this.reassignFromSignal(request));
  }

  private isSelfApproval(step: StepName, person: string): boolean {
    return (
      this.host.selfApprovalBlockedSteps.includes(step) &&
      this.host.proposerEmail !== undefined &&
      person.toLowerCase() === this.host.proposerEmail.toLowerCase()
    );
  }

  /** Who gets the task: the person or role holder, or their delegate while they are away. */
  private async route(request: TaskRequest): Promise<{ assignee: string; onBehalfOf?: string }> {
    const excluding = this.host.selfApprovalBlockedSteps.includes(request.step) && this.host.proposerEmail ? [this.host.proposerEmail] : [];
    const person =
      'email' in request.assignee ? request.assignee.email : await activities.resolveRole({ role: request.assignee.role, excluding });
    if (!patched('route-through-delegation')) return { assignee: person };
    return activities.routeAssignee({ email: person, excluding });
  }

  /** Asks one person to decide a step; resolves with their decision. Cancellable (withdrawal). */
  async ask(request: TaskRequest): Promise<Decision> {
    if (!patched('open-task-in-one-activity')) return this.askStepByStep(request);
    // Live before the task row exists: a decision that races the opening is kept, and checked once it is open.
    const live = this.liveTask(request, { assignee: '' }, true);
    return this.decideOrCancel(live, () => this.open(live, request));
  }

  /** A new task, live from now: decisions on it are taken even before its set-up is done. */
  private liveTask(request: TaskRequest, holder: { assignee: string; onBehalfOf?: string }, opening?: boolean): LiveTask {
    const task: OpenTask = {
      id: uuid4(),
      step: request.step,
      ...holder,
      dueAt: '',
      remindAt: '',
      escalateAt: '',
      escalationLevel: 0,
      workflowId: this.host.workflowId,
      unitId: request.unitId,
      actionIndex: request.actionIndex,
    };
    const live: LiveTask = { task, context: request.context, closed: false, reassignments: 0, ...(opening ? { opening } : {}) };
    this.live.set(task.id, live);
    return live;
  }

  /** Sets the task up, waits for its decision and closes it; a withdrawal closes it as cancelled. */
  private async decideOrCancel(live: LiveTask, setUp: () => Promise<void>): Promise<Decision> {
    try {
      await setUp();
      const decision = await this.waitForDecision(live);
      await this.close(live, 'decided', decision);
      return decision;
    } catch (error) {
      if (isCancellation(error)) {
        await CancellationScope.nonCancellable(() => this.close(live, 'cancelled'));
      }
      throw error;
    }
  }

  /** Opens the task, records the ask and queues the email in one activity; a withdrawal waits for it. */
  private async open(live: LiveTask, request: TaskRequest): Promise<void> {
    const { task } = live;
    const blocked = this.host.selfApprovalBlockedSteps.includes(request.step);
    const entry: HistoryEntry = { at: new Date().toISOString(), step: request.step, actor: 'system', action: 'asked', channel: 'system', taskId: task.id };
    const opened = await CancellationScope.nonCancellable(() =>
      activities.openTaskAndNotify({
        task: {
          id: task.id,
          improvementId: this.host.improvementId,
          workflowId: this.host.workflowId,
          step: request.step,
          unitId: request.unitId,
          proposerBlocked: blocked,
          timing: timingFor(this.host.durations, request.step),
          dueDate: request.due,
        },
        assignee: request.assignee,
        excluding: blocked && this.host.proposerEmail ? [this.host.proposerEmail] : [],
        event: this.host.keyedEvent(entry, `${task.id}:opened`),
        email: { improvementTitle: this.host.improvementTitle, context: request.context },
      }),
    );
    Object.assign(task, opened);
    live.opening = false;
    this.host.openTasks.push(task);
    this.host.remember({ ...entry, action: `asked ${task.assignee}` });
  }

  /** The ask before open-task-in-one-activity: resolve, route, open, record and email, one activity each. */
  private async askStepByStep(request: TaskRequest): Promise<Decision> {
    const holder = await this.route(request);
    const live = this.liveTask(request, holder);
    const { task } = live;
    const clock = await activities.openTask({
      id: task.id,
      improvementId: this.host.improvementId,
      workflowId: this.host.workflowId,
      step: request.step,
      ...holder,
      unitId: request.unitId,
      proposerBlocked: this.host.selfApprovalBlockedSteps.includes(request.step),
      timing: timingFor(this.host.durations, request.step),
      dueDate: request.due,
    });
    Object.assign(task, clock);
    this.host.openTasks.push(task);
    return this.decideOrCancel(live, async () => {
      await this.host.addHistory(
        { step: request.step, actor: 'system', action: `asked ${task.assignee}`, channel: 'system', taskId: task.id },
        `${task.id}:opened`,
      );
      await this.notifyAssignee(task, request.context, 'task-assigned');
    });
  }

  private async waitForDecision(live: LiveTask): Promise<Decision> {
    const decided = () => live.decision !== undefined;
    const { task } = live;
    if (!(await this.waitUntil(decided, task.remindAt))) await this.remind(task, live.context);
    if (!(await this.waitUntil(decided, task.dueAt))) await this.escalate(task, 1);
    if (!(await this.waitUntil(decided, task.escalateAt))) await this.escalate(task, 2);
    await condition(decided);
    return live.decision as Decision;
  }

  private async waitUntil(decided: () => boolean, iso: string): Promise<boolean> {
    const ms = untilMs(iso);
    if (ms <= 0) return decided();
    return condition(decided, ms);
  }

  private async remind(task: OpenTask, context: string[]): Promise<void> {
    await this.notifyAssignee(task, context, 'reminder');
    await this.host.addHistory(
      { step: task.step, actor: 'system', action: `reminded ${task.assignee}`, channel: 'system', taskId: task.id },
      `${task.id}:reminded`,
    );
  }

  private async escalate(task: OpenTask, level: 1 | 2): Promise<void> {
    const to =
      level === 1
        ? await activities.resolveManager({ email: task.assignee })
        : await activities.resolveRole({ role: 'management' });
    task.escalationLevel = level;
    this.host.escalations.push({ taskId: task.id, level, to, at: new Date().toISOString() });
    // The flag is recorded before the email goes, so whoever follows the email sees it.
    await activities.escalateTask({ taskId: task.id, level });
    await this.host.addHistory(
      {
        step: task.step,
        actor: 'system',
        action: `escalated to ${level === 1 ? "the assignee's manager" : 'management'} (${to})`,
        channel: 'system',
        taskId: task.id,
      },
      `${task.id}:escalated-${level}`,
    );
    await activities.sendNotification({
      key: `${task.id}:escalation-${level}`,
      improvementId: this.host.improvementId,
      taskId: task.id,
      kind: `escalation-${level}`,
      to,
      template: {
        name: 'escalation',
        level,
        step: task.step,
        assignee: task.assignee,
        dueAt: task.dueAt,
        improvementTitle: this.host.improvementTitle,
      },
    });
  }

  private notifyAssignee(task: OpenTask, context: string[], kind: 'task-assigned' | 'reminder', attempt = 0) {
    return activities.sendNotification({
      key: attempt === 0 ? `${task.id}:${kind}` : `${task.id}:${kind}:${attempt}`,
      improvementId: this.host.improvementId,
      taskId: task.id,
      kind,
      to: task.assignee,
      template: {
        name: kind === 'reminder' ? 'reminder' : 'task',
        step: task.step,
        taskId: task.id,
        assignee: task.assignee,
        dueAt: task.dueAt,
        linkExpiresAt: task.escalateAt,
        improvementTitle: this.host.improvementTitle,
        context: task.onBehalfOf ? [`You act for ${task.onBehalfOf}.`, ...context] : context,
      },
    });
  }

  private async close(live: LiveTask, status: 'decided' | 'cancelled', decision?: Decision): Promise<void> {
    const { task } = live;
    this.live.delete(task.id);
    removeWhere(this.host.openTasks, (open) => open.id === task.id);
    removeWhere(this.host.escalations, (flag) => flag.taskId === task.id);
    const { entry: closing, key } = this.closingEntry(task, decision);
    const entry: HistoryEntry = { at: new Date().toISOString(), ...closing };
    // One activity closes the task and records its history entry, in one transaction.
    const inOneActivity = patched('close-task-with-its-history');
    await activities.closeTask({
      taskId: task.id,
      status,
      outcome: decision?.outcome,
      decision: decision?.fields,
      decidedBy: decision?.actor,
      channel: decision?.channel,
      decisionId: decision?.decisionId,
      via: decision?.via,
      onBehalfOf: decision ? task.onBehalfOf : undefined,
      requestId: decision?.requestId,
      ...(inOneActivity ? { event: this.host.keyedEvent(entry, key) } : {}),
    });
    if (inOneActivity) this.host.remember(entry);
    else await this.host.addHistory(closing, key);
    // The decider's update returns only now, once the read model shows the task closed.
    live.closed = true;
  }

  private closingEntry(task: OpenTask, decision?: Decision): { entry: Omit<HistoryEntry, 'at'>; key: string } {
    if (!decision) {
      return { entry: { step: task.step, actor: 'system', action: 'task cancelled', channel: 'system', taskId: task.id }, key: `${task.id}:cancelled` };
    }
    const label = steps[task.step].outcomes.find((outcome) => outcome.name === decision.outcome)?.label ?? decision.outcome;
    return {
      entry: {
        step: task.step,
        actor: task.onBehalfOf ? `${decision.actor} for ${task.onBehalfOf}` : decision.actor,
        action: label,
        comment: summarise(decision.fields),
        channel: decision.channel,
        taskId: task.id,
      },
      key: `${task.id}:decided`,
    };
  }

  /** The same decision, taken and not yet applied: a retry, or the update's fallback signal. */
  private isBeingApplied(request: DecisionRequest): boolean {
    return this.applying.has(request.decisionId);
  }

  private validate(request: DecisionRequest, sameDecisionIsValid = true): void {
    if (this.applied.has(request.decisionId) || (sameDecisionIsValid && this.isBeingApplied(request))) return;
    const live = this.live.get(request.taskId);
    if (!live || live.decision) {
      throw ApplicationFailure.create({
        type: decisionRefusals.taskNotOpen,
        message: `task ${request.taskId} is no longer open`,
        nonRetryable: true,
      });
    }
    if (!live.opening && request.actor.toLowerCase() !== live.task.assignee.toLowerCase()) {
      throw ApplicationFailure.create({
        type: decisionRefusals.notAssignee,
        message: `only ${live.task.assignee} can decide this task`,
        nonRetryable: true,
      });
    }
    if (!live.opening && this.isSelfApproval(live.task.step, request.actor)) {
      throw ApplicationFailure.create({
        type: decisionRefusals.selfApproval,
        message: 'actor: a proposer cannot decide this step of their own proposal',
        nonRetryable: true,
      });
    }
    const checked = validateDecision(live.task.step, request.outcome, request.fields);
    if (!checked.ok) {
      throw ApplicationFailure.create({
        type: decisionRefusals.invalidDecision,
        message: checked.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
        details: [checked.problems],
        nonRetryable: true,
      });
    }
  }

  private async decide(request: DecisionRequest): Promise<DecisionResult> {
    const opening = this.live.get(request.taskId);
    if (opening?.opening) {
      // Taken while the task was opening: checked in full once its assignee is known.
      await condition(() => !opening.opening);
      this.validate(request);
    }
    const earlier = this.applied.get(request.decisionId);
    if (earlier) return earlier;
    const taking = this.applying.get(request.decisionId);
    if (taking) return this.resultOnceClosed(taking, request);
    const live = this.live.get(request.taskId) as LiveTask;
    const checked = validateDecision(live.task.step, request.outcome, request.fields);
    live.decision = {
      outcome: request.outcome,
      fields: checked.ok ? checked.fields : {},
      actor: request.actor.toLowerCase(),
      channel: request.channel,
      decisionId: request.decisionId,
      via: request.via,
      requestId: request.requestId,
    };
    this.applying.set(request.decisionId, live);
    return this.resultOnceClosed(live, request);
  }

  private async resultOnceClosed(live: LiveTask, request: DecisionRequest): Promise<DecisionResult> {
    await condition(() => live.closed);
    const result = this.applied.get(request.decisionId) ?? { taskId: request.taskId, outcome: request.outcome, stage: this.host.stage() };
    this.applied.set(request.decisionId, result);
    this.applying.delete(request.decisionId);
    return result;
  }

  private validateReassignment(request: ReassignRequest): void {
    const live = this.live.get(request.taskId);
    if (!live || live.decision || live.opening) {
      throw ApplicationFailure.create({ type: decisionRefusals.taskNotOpen, message: `task ${request.taskId} is no longer open`, nonRetryable: true });
    }
    if (request.to.toLowerCase() === live.task.assignee.toLowerCase()) {
      throw ApplicationFailure.create({ type: decisionRefusals.invalidDecision, message: `to: ${request.to} already holds this task`, nonRetryable: true });
    }
    if (this.isSelfApproval(live.task.step, request.to)) {
      throw ApplicationFailure.create({
        type: decisionRefusals.selfApproval,
        message: 'to: a proposer cannot decide this step of their own proposal',
        nonRetryable: true,
      });
    }
  }

  /** Moves an open task to another person: their fresh link replaces the old one, the clock runs on. */
  private async reassign(request: ReassignRequest): Promise<ReassignResult> {
    const live = this.live.get(request.taskId) as LiveTask;
    const { task } = live;
    const from = task.assignee;
    task.assignee = request.to.toLowerCase();
    task.onBehalfOf = request.onBehalfOf?.toLowerCase();
    live.reassignments += 1;
    const attempt = live.reassignments;
    await activities.reassignTask({ taskId: task.id, assignee: task.assignee, onBehalfOf: task.onBehalfOf });
    await this.host.addHistory(
      {
        step: task.step,
        actor: request.by,
        action: task.onBehalfOf ? `reassigned from ${from} to ${task.assignee} for ${task.onBehalfOf}` : `reassigned from ${from} to ${task.assignee}`,
        comment: request.reason,
        channel: 'api',
        taskId: task.id,
      },
      `${task.id}:reassigned:${attempt}`,
    );
    await this.notifyAssignee(task, live.context, 'task-assigned', attempt);
    return { taskId: task.id, assignee: task.assignee };
  }

  private async reassignFromSignal(request: ReassignRequest): Promise<void> {
    try {
      this.validateReassignment(request);
    } catch {
      return;
    }
    await this.reassign(request);
  }

  private async decideFromSignal(request: DecisionRequest): Promise<void> {
    const opening = this.live.get(request.taskId);
    if (opening?.opening) await condition(() => !opening.opening);
    if (this.applied.has(request.decisionId)) return;
    // The signal the API sends when the update outlasts its wait carries the decision being applied.
    const sameDecisionIsNoOp = patched('same-decision-signal-is-no-op');
    if (sameDecisionIsNoOp && this.isBeingApplied(request)) return;
    try {
      this.validate(request, sameDecisionIsNoOp);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.host.addHistory(
        {
          step: this.live.get(request.taskId)?.task.step ?? 'decision',
          actor: request.actor,
          action: 'decision refused',
          comment: reason,
          channel: request.channel,
          taskId: request.taskId,
        },
        `${request.decisionId}:refused`,
      );
      return;
    }
    await this.decide(request);
  }
}

function removeWhere<T>(items: T[], predicate: (item: T) => boolean): void {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    if (predicate(items[index] as T)) items.splice(index, 1);
  }
}

/** A short, readable summary of a decision's fields for the history. */
function summarise(fields: Record<string, unknown>): string | undefined {
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => {
      if (name === 'comment' || name === 'reason') return String(value);
      if (Array.isArray(value)) return `${name}: ${value.length} item(s)`;
      return `${name}: ${String(value)}`;
    });
  return parts.length > 0 ? parts.join('; ') : undefined;
}
