import { CancellationScope, condition, isCancellation, patched, setHandler } from '@temporalio/workflow';
import { activities } from '../activity-proxy';
import {
  decideUpdate,
  type DecisionRequest,
  type DecisionResult,
  decisionSignal,
  reassignSignal,
  reassignUpdate,
  type ReassignRequest,
  type ReassignResult,
} from '../definitions';
import { validateDecision } from '../decision-fields';
import { closeTask } from './closing';
import { waitForDecision } from './deadlines';
import { announceTask, newLiveTask, openTask, route, taskRow } from './opening';
import { reassignTask } from './reassignment';
import { refuseInvalidDecision, refuseInvalidReassignment } from './refusals';
import type { Decision, LiveTask, TaskHost, TaskRequest } from './task';

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

  /** Asks one person to decide a step; resolves with their decision. Cancellable (withdrawal). */
  async ask(request: TaskRequest): Promise<Decision> {
    if (!patched('open-task-in-one-activity')) return this.askStepByStep(request);
    // Live before the task row exists: a decision that races the opening is kept, and checked once it is open.
    const live = this.track(newLiveTask(this.host, request, { assignee: '' }, true));
    return this.decideOrCancel(live, () => openTask(this.host, live, request));
  }

  /** The ask before open-task-in-one-activity: resolve, route, open, record and email, one activity each. */
  private async askStepByStep(request: TaskRequest): Promise<Decision> {
    const holder = await route(this.host, request);
    const live = this.track(newLiveTask(this.host, request, holder));
    Object.assign(live.task, await activities.openTask(taskRow(this.host, live.task, request, holder)));
    this.host.openTasks.push(live.task);
    return this.decideOrCancel(live, () => announceTask(this.host, live));
  }

  private track(live: LiveTask): LiveTask {
    this.live.set(live.task.id, live);
    return live;
  }

  /** Sets the task up, waits for its decision and closes it; a withdrawal closes it as cancelled. */
  private async decideOrCancel(live: LiveTask, setUp: () => Promise<void>): Promise<Decision> {
    try {
      await setUp();
      const decision = await waitForDecision(this.host, live);
      await this.close(live, 'decided', decision);
      return decision;
    } catch (error) {
      if (isCancellation(error)) {
        await CancellationScope.nonCancellable(() => this.close(live, 'cancelled'));
      }
      throw error;
    }
  }

  private close(live: LiveTask, status: 'decided' | 'cancelled', decision?: Decision): Promise<void> {
    this.live.delete(live.task.id);
    return closeTask(this.host, live, status, decision);
  }

  /** The same decision, taken and not yet applied: a retry, or the update's fallback signal. */
  private isBeingApplied(request: DecisionRequest): boolean {
    return this.applying.has(request.decisionId);
  }

  private validate(request: DecisionRequest, sameDecisionIsValid = true): void {
    if (this.applied.has(request.decisionId) || (sameDecisionIsValid && this.isBeingApplied(request))) return;
    refuseInvalidDecision(this.host, this.live.get(request.taskId), request);
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

  private validateReassignment(request: ReassignRequest): void {
    refuseInvalidReassignment(this.host, this.live.get(request.taskId), request);
  }

  private reassign(request: ReassignRequest): Promise<ReassignResult> {
    return reassignTask(this.host, this.live.get(request.taskId) as LiveTask, request);
  }

  private async reassignFromSignal(request: ReassignRequest): Promise<void> {
    try {
      this.validateReassignment(request);
    } catch {
      return;
    }
    await this.reassign(request);
  }
}
