import { Context } from '@temporalio/activity';
import type { createActivities } from '../../activities';
import { addDuration, type BusinessCalendar } from '../../activities/calendar';
import { taskClock } from '../../activities/db';
import type { NotificationRequest } from '../../activities/notifications';
import type { ProcessDeploymentActivities } from '../../activities/process-deployment';
import type { HistoryEntry, ImprovementState } from '../../workflows/improvement/definitions';

// The process library's deployments have their own stubs (test/support/process-library-world.ts).
type Activities = Omit<ReturnType<typeof createActivities>, keyof ProcessDeploymentActivities>;

/** The organisation the stub activities know: who holds each role, who manages whom, the units. */
export const people = {
  proposer: 'proposer@example.org',
  processOwner: 'owner@example.org',
  orpg: 'orpg@example.org',
  management: 'board@example.org',
  auditor: 'auditor@example.org',
  developer: 'developer@example.org',
  developersManager: 'dev.lead@example.org',
  operator: 'operator@example.org',
  opsManager: 'ops.manager@example.org',
  itManager: 'it.manager@example.org',
} as const;

const roles: Record<string, string> = { orpg: people.orpg, management: people.management, auditor: people.auditor };
const managers: Record<string, string> = { [people.developer]: people.developersManager };

export const units = [
  { id: 'ops', name: 'Operations', manager: people.opsManager },
  { id: 'it', name: 'IT Service Desk', manager: people.itManager },
];

/** A task as the workflow opened it (the openTask activity), with the clock it was given. */
export interface OpenedTask {
  id: string;
  step: string;
  assignee: string;
  workflowId: string;
  unitId?: string;
  openedAt: Date;
  dueAt: Date;
  remindAt: Date;
  escalateAt: Date;
}

export interface ClosedTask {
  taskId: string;
  status: 'decided' | 'cancelled';
  outcome?: string;
  decidedBy?: string;
}

/** An email the workflow asked for, at the simulated time it asked. */
export interface RequestedEmail {
  kind: string;
  to: string;
  taskId?: string;
  at: Date;
  template: NotificationRequest['template'];
}

export interface RecordedState {
  at: Date;
  state: Omit<ImprovementState, 'history'>;
}

/**
 * Remembers every call the workflows make to the outside world, in simulated time, and wakes
 * whoever waits for one.
 */
export class ActivityRecorder {
  readonly tasks: OpenedTask[] = [];
  readonly closed: ClosedTask[] = [];
  readonly emails: RequestedEmail[] = [];
  readonly states: RecordedState[] = [];
  readonly events: (HistoryEntry & { key: string })[] = [];
  readonly escalations: { taskId: string; level: 1 | 2; at: Date }[] = [];
  /** Timed waits the workflow asked the length of (pilot, settling period): from when until when. */
  readonly waits: { duration: string; from: Date; until: Date }[] = [];
  private waiters = new Set<() => void>();

  /** Resolves with the first truthy value of `check`, re-checked after every recorded call. */
  waitFor<T>(description: string, check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (!value) return false;
        this.waiters.delete(attempt);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(attempt);
        reject(new Error(`gave up after ${timeoutMs} ms waiting for ${description}`));
      }, timeoutMs);
      if (!attempt()) this.waiters.add(attempt);
    });
  }

  isOpen(task: OpenedTask): boolean {
    return !this.closed.some((closed) => closed.taskId === task.id);
  }

  closedAs(task: OpenedTask): ClosedTask | undefined {
    return this.closed.find((closed) => closed.taskId === task.id);
  }

  emailsAbout(task: OpenedTask, kind?: string): RequestedEmail[] {
    return this.emails.filter((email) => email.taskId === task.id && (kind === undefined || email.kind === kind));
  }

  /** The improvement's latest recorded snapshot (what the read model shows). */
  latestState(): Omit<ImprovementState, 'history'> | undefined {
    return this.states.at(-1)?.state;
  }

  record<T>(list: T[], item: T): void {
    list.push(item);
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** The activity's own "now": the time the server scheduled it, which is simulated time. */
function simulatedNow(): Date {
  return new Date(Context.current().info.currentAttemptScheduledTimestampMs);
}

function roleHolder(role: string, excluding: string[] = []): string {
  const person = roles[role];
  if (!person || excluding.includes(person)) throw new Error(`nobody holds the role "${role}"`);
  return person;
}

/** Stub activities for the real workflows: no database, no mail, every call recorded; the calendar is read per call. */
/* eslint-disable @typescript-eslint/require-await -- the stubs keep the real activities' async signatures */
export function createStubActivities(recorder: ActivityRecorder, calendarNow: () => BusinessCalendar): Activities {
  const iso = (clock: { dueAt: Date; remindAt: Date; escalateAt: Date }) => ({
    dueAt: clock.dueAt.toISOString(),
    remindAt: clock.remindAt.toISOString(),
    escalateAt: clock.escalateAt.toISOString(),
  });
  return {
    async recordImprovement({ state, event }) {
      recorder.record(recorder.states, { at: simulatedNow(), state: structuredClone(state) });
      if (event) recorder.record(recorder.events, event);
    },
    async recordEvent({ event }) {
      recorder.record(recorder.events, event);
    },
    async openTask(request) {
      const existing = recorder.tasks.find((task) => task.id === request.id);
      if (existing) return iso(existing);
      const openedAt = simulatedNow();
      const clock = taskClock(request, openedAt, calendarNow());
      const { id, step, assignee, workflowId, unitId } = request;
      recorder.record(recorder.tasks, { id, step, assignee, workflowId, unitId, openedAt, ...clock });
      return iso(clock);
    },
    async escalateTask({ taskId, level }) {
      recorder.record(recorder.escalations, { taskId, level, at: simulatedNow() });
    },
    // Local activities: the workflow's entry says when, in simulated time.
    async remindTask({ event, email }) {
      recorder.record(recorder.events, event);
      recorder.record(recorder.emails, { kind: email.kind, to: email.to, taskId: email.taskId, template: email.template, at: new Date(event.at) });
    },
    async escalateTaskAndNotify({ taskId, level, assignee, event, email }) {
      const to = level === 1 ? (managers[assignee] ?? people.management) : people.management;
      const at = new Date(event.at);
      recorder.record(recorder.escalations, { taskId, level, at });
      recorder.record(recorder.events, { ...event, action: `${event.action} (${to})` });
      recorder.record(recorder.emails, { kind: email.kind, to, taskId, template: email.template, at });
      return { to };
    },
    async closeTask({ taskId, status, outcome, decidedBy, event }) {
      recorder.record(recorder.closed, { taskId, status, outcome, decidedBy });
      if (event) recorder.record(recorder.events, event);
    },
    async openTaskAndNotify({ task: spec, assignee: wanted, excluding, event, email }) {
      const existing = recorder.tasks.find((task) => task.id === spec.id);
      if (existing) return { assignee: existing.assignee, ...iso(existing) };
      const assignee = 'email' in wanted ? wanted.email : roleHolder(wanted.role, excluding);
      // A local activity's scheduled time is the worker's clock, not the simulated one: the workflow says when.
      const openedAt = spec.openedAt ? new Date(spec.openedAt) : simulatedNow();
      const clock = taskClock(spec, openedAt, calendarNow());
      const { id, step, workflowId, unitId } = spec;
      recorder.record(recorder.tasks, { id, step, assignee, workflowId, unitId, openedAt, ...clock });
      recorder.record(recorder.events, { ...event, action: `${event.action} ${assignee}` });
      const opened = { assignee, ...iso(clock) };
      const template = { name: 'task' as const, step, taskId: id, assignee, dueAt: opened.dueAt, linkExpiresAt: opened.escalateAt, ...email };
      recorder.record(recorder.emails, { kind: 'task-assigned', to: assignee, taskId: id, template, at: openedAt });
      return opened;
    },
    async resolveRole({ role, excluding = [] }) {
      return roleHolder(role, excluding);
    },
    async routeAssignee({ email }) {
      return { assignee: email };
    },
    async openTasksToDelegate() {
      return [];
    },
    async delegatedTasksToReturn() {
      return [];
    },
    async reassignTask() {},
    async resolveManager({ email }) {
      return managers[email] ?? people.management;
    },
    async getOrgUnits({ ids }) {
      return ids.map((id) => {
        const unit = units.find((candidate) => candidate.id === id);
        if (!unit) throw new Error(`unknown organisational unit ${id}`);
        return unit;
      });
    },
    async durationToMs({ duration }) {
      const now = simulatedNow();
      const until = addDuration(now, duration, calendarNow());
      recorder.record(recorder.waits, { duration, from: now, until });
      return Math.max(0, until.getTime() - now.getTime());
    },
    async sendNotification(request) {
      const { kind, to, taskId, template } = request;
      recorder.record(recorder.emails, { kind, to, taskId, template, at: simulatedNow() });
      return { status: 'queued' };
    },
  };
}
/* eslint-enable @typescript-eslint/require-await */
