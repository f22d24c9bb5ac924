import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Prisma } from '../generated/prisma/client';
import type { Database } from '../prisma/database';
import type { HistoryEntry, ImprovementState, StepTiming } from '../workflows/improvement/definitions';
import { addDuration, type BusinessCalendar, computeTaskClock, subtractDuration } from './calendar';

/** A history entry with the key that makes recording it idempotent. */
export type KeyedEvent = HistoryEntry & { key: string };

export interface OpenTaskRequest {
  id: string;
  improvementId: string;
  workflowId: string;
  step: string;
  assignee: string;
  onBehalfOf?: string;
  unitId?: string;
  /** The self-approval rule frozen with the improvement: whether its proposer may not decide this task. */
  proposerBlocked?: boolean;
  timing: StepTiming;
  /** An absolute due date (YYYY-MM-DD, end of that day UTC) or a duration, instead of timing.due. */
  dueDate?: string;
  /** When the workflow opened it (its own clock); the task's due dates count from here. */
  openedAt?: string;
}

export interface TaskClockIso {
  dueAt: string;
  remindAt: string;
  escalateAt: string;
}

/** How a task closes; a decision carries who made it, how and under which decision id. */
export interface CloseTaskRequest {
  taskId: string;
  status: 'decided' | 'cancelled';
  outcome?: string;
  decision?: Record<string, unknown>;
  decidedBy?: string;
  channel?: string;
  decisionId?: string;
  /** The form or client it came through: link, page, bulk or api. */
  via?: string;
  onBehalfOf?: string;
  /** The API request that handed the decision over, to find it in the logs. */
  requestId?: string;
  /** The history entry of the closing, recorded in the same transaction. */
  event?: KeyedEvent;
}

function decisionAuditRow(request: CloseTaskRequest) {
  return {
    id: randomUUID(),
    actor: request.decidedBy as string,
    action: 'task.decide',
    target: request.taskId,
    outcome: 'ok',
    details: {
      outcome: request.outcome ?? null,
      channel: request.channel ?? null,
      via: request.via ?? request.channel ?? null,
      decisionId: request.decisionId ?? null,
      ...(request.onBehalfOf ? { onBehalfOf: request.onBehalfOf } : {}),
    },
    requestId: request.requestId ?? null,
  };
}

export function eventRow(improvementId: string, event: KeyedEvent) {
  return {
    improvementId,
    eventKey: event.key,
    at: new Date(event.at),
    step: event.step,
    actor: event.actor,
    action: event.action,
    comment: event.comment ?? null,
    channel: event.channel ?? 'system',
    taskId: event.taskId ?? null,
  };
}

/** A task's clock in business time: its step's timing, or an absolute due date or duration. */
export function taskClock(request: Pick<OpenTaskRequest, 'timing' | 'dueDate'>, now: Date, calendar: BusinessCalendar) {
  const due = request.dueDate;
  if (!due) return computeTaskClock(now, request.timing, calendar);
  if (/^\d+(bd|d|h|m|s)$/.test(due)) return computeTaskClock(now, { ...request.timing, due }, calendar);
  const dueAt = new Date(`${due}T23:59:59.000Z`);
  const remindAt = subtractDuration(dueAt, request.timing.remindBefore, calendar);
  return {
    dueAt,
    remindAt: remindAt.getTime() < now.getTime() ? now : remindAt,
    escalateAt: addDuration(dueAt, request.timing.escalateAfter, calendar),
  };
}

/** Records one history entry, once per key. */
export function upsertEvent(db: Pick<Database, 'improvementEvent'>, improvementId: string, event: KeyedEvent) {
  return db.improvementEvent.upsert({
    where: { improvementId_eventKey: { improvementId, eventKey: event.key } },
    create: eventRow(improvementId, event),
    update: {},
  });
}

/**
 * The person who acts for a role (never one of `excluding`, e.g. the proposer of the
 * improvement). Nobody holding it is an operator's problem to fix, not the workflow's: the
 * activity keeps retrying until someone is registered.
 */
export async function findRoleHolder(db: Pick<Database, 'person'>, role: string, excluding: string[] = []): Promise<string> {
  const person = await db.person.findFirst({
    where: { roles: { has: role }, email: { notIn: excluding.map((email) => email.toLowerCase()) } },
    orderBy: { email: 'asc' },
  });
  if (!person) {
    const but = excluding.length > 0 ? ` other than ${excluding.join(', ')}` : '';
    throw new Error(`nobody${but} holds the role "${role}": register one with POST /api/people`);
  }
  return person.email;
}

/** The person, or their delegate while a delegation is in force [out of office]. */
export async function findDelegate(db: Pick<Database, 'delegation'>, email: string, excluding: string[] = []): Promise<{ assignee: string; onBehalfOf?: string }> {
  const now = new Date();
  const delegation = await db.delegation.findFirst({
    where: { personEmail: email.toLowerCase(), cancelledAt: null, startsAt: { lte: now }, endsAt: { gt: now } },
    orderBy: { createdAt: 'desc' },
  });
  if (!delegation || excluding.map((other) => other.toLowerCase()).includes(delegation.delegateEmail)) return { assignee: email };
  return { assignee: delegation.delegateEmail, onBehalfOf: email };
}

/** An improvement's escalation level: the highest among all its open tasks, its units' deployment tasks included. */
export function refreshEscalationLevel(client: Pick<Database, '$executeRaw'>, improvementId: string) {
  return client.$executeRaw`UPDATE improvement SET escalation_level = COALESCE((SELECT MAX(escalation_level) FROM task WHERE improvement_id = ${improvementId}::uuid AND status = 'open'), 0) WHERE id = ${improvementId}::uuid`;
}

/** Who a late task escalates to first: the assignee's manager, else whoever holds "management". */
export async function findManager(db: Pick<Database, 'person'>, email: string): Promise<string> {
  const person = await db.person.findUnique({ where: { email } });
  return person?.managerEmail ?? findRoleHolder(db, 'management');
}

/** Activities that keep the PostgreSQL read model in step with the workflows. */
export function createDbActivities({ db, calendar }: { db: Database; calendar: BusinessCalendar }) {

  return {
    /** Upserts the improvement's snapshot and, once per key, the history entry that changed it. */
    async recordImprovement({
      workflowId,
      state,
      event,
    }: {
      workflowId: string;
      state: Omit<ImprovementState, 'history'>;
      event?: KeyedEvent;
    }): Promise<void> {
      const columns = {
        title: state.proposal.title,
        description: state.proposal.description,
        processOwnerEmail: state.processOwnerEmail,
        process: state.proposal.process,
        source: state.proposal.source,
        pilot: state.proposal.pilot,
        orgUnitIds: state.proposal.orgUnits,
        priority: state.priority ?? null,
        stage: state.stage,
        status: state.status,
        details: JSON.parse(JSON.stringify(state)) as Prisma.InputJsonValue,
      };
      // The API gives the workflow the library's name of the process it names: that links it.
      const process = await db.standardProcess.findUnique({ where: { name: state.proposal.process }, select: { id: true } });
      await db.$transaction([
        db.improvement.upsert({
          where: { id: state.id },
          create: { id: state.id, workflowId, proposerEmail: state.proposerEmail, processId: process?.id ?? null, ...columns },
          update: columns,
        }),
        ...(event ? [upsertEvent(db, state.id, event)] : []),
        refreshEscalationLevel(db, state.id),
      ]);
    },

    /** Records one history entry of an improvement (used by unit deployments). */
    async recordEvent({ improvementId, event }: { improvementId: string; event: KeyedEvent }): Promise<void> {
      await upsertEvent(db, improvementId, event);
    },

    /** Opens a task with its clock in business time; a retry returns the clock first recorded. */
    async openTask(request: OpenTaskRequest): Promise<TaskClockIso> {
      const clock = taskClock(request, new Date(), calendar);
      const task = await db.task.upsert({
        where: { id: request.id },
        create: {
          id: request.id,
          improvementId: request.improvementId,
          workflowId: request.workflowId,
          step: request.step,
          assignee: request.assignee,
          onBehalfOf: request.onBehalfOf ?? null,
          unitId: request.unitId ?? null,
          proposerBlocked: request.proposerBlocked ?? null,
          ...clock,
        },
        update: {},
      });
      return { dueAt: task.dueAt.toISOString(), remindAt: task.remindAt.toISOString(), escalateAt: task.escalateAt.toISOString() };
    },

    /** Raises a task's escalation flag. */
    async escalateTask({ taskId, level }: { taskId: string; level: 1 | 2 }): Promise<void> {
      const task = await db.task.update({ where: { id: taskId }, data: { escalationLevel: level } });
      if (task.improvementId) await refreshEscalationLevel(db, task.improvementId);
    },

    /**
     * Closes a task as decided (with the decision) or cancelled; its links die with it. A decision
     * is written to the audit trail in the same transaction, so every applied decision is audited
     * exactly once, whatever happens to the API that handed it over or to this activity's retries.
     */
    async closeTask(request: CloseTaskRequest): Promise<void> {
      await db.$transaction(async (tx) => {
        const closed = await tx.task.updateMany({
          where: { id: request.taskId, status: 'open' },
          data: {
            status: request.status,
            outcome: request.outcome ?? null,
            decision: request.decision ? (JSON.parse(JSON.stringify(request.decision)) as Prisma.InputJsonValue) : undefined,
            decidedBy: request.decidedBy ?? null,
            channel: request.channel ?? null,
            decisionId: request.decisionId ?? null,
            closedAt: new Date(),
          },
        });
        if (closed.count === 1 && request.status === 'decided' && request.decidedBy) {
          await tx.auditEntry.create({ data: decisionAuditRow(request) });
        }
        const task = await tx.task.findUnique({ where: { id: request.taskId }, select: { improvementId: true } });
        // A process version's adoption task has no improvement: its history is the deployment's.
        if (!task?.improvementId) return;
        if (request.event) await upsertEvent(tx, task.improvementId, request.event);
        await refreshEscalationLevel(tx, task.improvementId);
      });
    },

    /** The person who acts for a role, never one of `excluding`; retried until someone holds it. */
    resolveRole({ role, excluding = [] }: { role: string; excluding?: string[] }): Promise<string> {
      return findRoleHolder(db, role, excluding);
    },

    /** The person, or their delegate while a delegation is in force [out of office]. */
    routeAssignee({ email, excluding = [] }: { email: string; excluding?: string[] }): Promise<{ assignee: string; onBehalfOf?: string }> {
      return findDelegate(db, email, excluding);
    },

    /** Gives a task to a new assignee; every link of the previous assignee dies. */
    async reassignTask({ taskId, assignee, onBehalfOf }: { taskId: string; assignee: string; onBehalfOf?: string }): Promise<void> {
      await db.$transaction([
        db.task.update({ where: { id: taskId }, data: { assignee, onBehalfOf: onBehalfOf ?? null } }),
        db.decisionLink.updateMany({ where: { taskId, assignee: { not: assignee }, revokedAt: null }, data: { revokedAt: new Date() } }),
      ]);
    },

    /** The first rung of escalation: the person's manager, or management when none is known. */
    resolveManager({ email }: { email: string }): Promise<string> {
      return findManager(db, email);
    },

    /** The organisational units an improvement deploys to. */
    async getOrgUnits({ ids }: { ids: string[] }): Promise<{ id: string; name: string; manager: string }[]> {
      const units = await db.orgUnit.findMany({ where: { id: { in: ids } } });
      const missing = ids.filter((id) => !units.some((unit) => unit.id === id));
      if (missing.length > 0) {
        throw ApplicationFailure.create({ type: 'UnknownOrgUnit', message: `unknown organisational units: ${missing.join(', ')}`, nonRetryable: true });
      }
      return ids.map((id) => {
        const unit = units.find((candidate) => candidate.id === id)!;
        return { id: unit.id, name: unit.name, manager: unit.managerEmail };
      });
    },

    /** Milliseconds from now until a duration in business time has passed. */
    durationToMs({ duration }: { duration: string }): Promise<number> {
      const now = new Date();
      return Promise.resolve(Math.max(0, addDuration(now, duration, calendar).getTime() - now.getTime()));
    },
  };
}
