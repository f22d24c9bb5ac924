import { ApplicationFailure } from '@temporalio/workflow';
import type { DecisionRequest, ReassignRequest } from '../definitions';
import { validateDecision } from '../decision-fields';
import type { StepName } from '../steps';
import type { LiveTask, TaskHost } from './task';

/** Refusal types the API turns into HTTP statuses. */
export const decisionRefusals = {
  taskNotOpen: 'TaskNotOpen',
  notAssignee: 'NotAssignee',
  selfApproval: 'SelfApproval',
  invalidDecision: 'InvalidDecision',
} as const;

function refusal(type: string, message: string, details?: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type, message, ...(details ? { details } : {}), nonRetryable: true });
}

/** Whether `person` is the proposer, deciding a step they may not decide on their own proposal. */
export function isSelfApproval(host: TaskHost, step: StepName, person: string): boolean {
  return (
    host.selfApprovalBlockedSteps.includes(step) &&
    host.proposerEmail !== undefined &&
    person.toLowerCase() === host.proposerEmail.toLowerCase()
  );
}

/** Throws the refusal a decision on `live` earns: task not open, not its assignee, self-approval, invalid fields. */
export function refuseInvalidDecision(host: TaskHost, live: LiveTask | undefined, request: DecisionRequest): void {
  if (!live || live.decision) throw refusal(decisionRefusals.taskNotOpen, `task ${request.taskId} is no longer open`);
  if (!live.opening && request.actor.toLowerCase() !== live.task.assignee.toLowerCase()) {
    throw refusal(decisionRefusals.notAssignee, `only ${live.task.assignee} can decide this task`);
  }
  if (!live.opening && isSelfApproval(host, live.task.step, request.actor)) {
    throw refusal(decisionRefusals.selfApproval, 'actor: a proposer cannot decide this step of their own proposal');
  }
  const checked = validateDecision(live.task.step, request.outcome, request.fields);
  if (!checked.ok) {
    throw refusal(
      decisionRefusals.invalidDecision,
      checked.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
      [checked.problems],
    );
  }
}

/** Throws the refusal a reassignment of `live` earns: task not open, same person, or the proposer. */
export function refuseInvalidReassignment(host: TaskHost, live: LiveTask | undefined, request: ReassignRequest): void {
  if (!live || live.decision || live.opening) throw refusal(decisionRefusals.taskNotOpen, `task ${request.taskId} is no longer open`);
  if (request.to.toLowerCase() === live.task.assignee.toLowerCase()) {
    throw refusal(decisionRefusals.invalidDecision, `to: ${request.to} already holds this task`);
  }
  if (isSelfApproval(host, live.task.step, request.to)) {
    throw refusal(decisionRefusals.selfApproval, 'to: a proposer cannot decide this step of their own proposal');
  }
}
