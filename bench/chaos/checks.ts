import { Client, Connection } from '@temporalio/client';
import { MailInbox } from '../../embedded/inbox';
import { getStatusQuery } from '../../workflows/improvement/definitions';
import { type DriveResult, query } from './drive';
import type { DecisionAttempt } from './people';

/** One check: its count, whether a non-zero count fails the run, and examples to start from. */
export interface CheckResult {
  name: string;
  count: number;
  /** Informational rows (e.g. 5xx seen) never fail the run. */
  fails: boolean;
  examples: string[];
}

interface TaskRow {
  id: string;
  improvement_id: string;
  workflow_id: string;
  step: string;
  assignee: string;
  status: string;
  outcome: string | null;
  decided_by: string | null;
  channel: string | null;
}
interface EventRow {
  task_id: string | null;
  action: string;
  actor: string;
  channel: string;
  comment: string | null;
}
interface ImprovementRow {
  id: string;
  workflow_id: string;
  stage: string;
  status: string;
}

function check(name: string, problems: string[], fails = true): CheckResult {
  return { name, count: problems.length, fails, examples: problems.slice(0, 5) };
}

function decidedTheirWay(task: TaskRow | undefined, attempt: DecisionAttempt): boolean {
  return task?.status === 'decided' && task.outcome === attempt.outcome && task.decided_by === attempt.person;
}

async function readModel(url: string, ids: string[]) {
  const [tasks, events, audits, notifications, improvements] = await Promise.all([
    query<TaskRow>(url, 'SELECT id, improvement_id, workflow_id, step, assignee, status, outcome, decided_by, channel FROM task WHERE improvement_id = ANY($1::uuid[])', [ids]),
    query<EventRow>(url, 'SELECT task_id, action, actor, channel, comment FROM improvement_event WHERE improvement_id = ANY($1::uuid[])', [ids]),
    query<{ target: string; outcome: string }>(url, `SELECT target, outcome FROM audit_entry WHERE action = 'task.decide'`),
    query<{ notification_key: string; status: string }>(url, 'SELECT notification_key, status FROM notification WHERE improvement_id = ANY($1::uuid[])', [ids]),
    query<ImprovementRow>(url, 'SELECT id, workflow_id, stage, status FROM improvement WHERE id = ANY($1::uuid[])', [ids]),
  ]);
  return { tasks: new Map(tasks.map((task) => [task.id, task])), taskList: tasks, events, audits, notifications, improvements };
}

function decisionChecks(attempts: DecisionAttempt[], model: Awaited<ReturnType<typeof readModel>>): CheckResult[] {
  const lost = attempts.filter((a) => a.told === 'success' && !decidedTheirWay(model.tasks.get(a.taskId), a));
  const misled = attempts.filter((a) => a.told !== 'success' && decidedTheirWay(model.tasks.get(a.taskId), a));
  const decisionEvents = new Map<string, number>();
  for (const event of model.events) {
    if (!event.task_id || event.channel === 'system' || event.action === 'decision refused' || event.action.startsWith('reassigned')) continue;
    decisionEvents.set(event.task_id, (decisionEvents.get(event.task_id) ?? 0) + 1);
  }
  const twice = [...decisionEvents].filter(([, count]) => count > 1);
  const audited = new Set(model.audits.filter((entry) => entry.outcome === 'ok' || entry.outcome === 'received').map((entry) => entry.target));
  const decided = model.taskList.filter((task) => task.status === 'decided' && task.channel !== 'system');
  const unaudited = decided.filter((task) => !audited.has(task.id));
  const falseRefusals = model.events.filter((event) => {
    const task = event.task_id ? model.tasks.get(event.task_id) : undefined;
    return event.action === 'decision refused' && task?.status === 'decided' && task.decided_by === event.actor;
  });
  const errors = attempts.flatMap((a) => a.answers.filter((answer) => answer.meaning === 'error').map((answer) => ({ a, answer })));
  const counted = errors.filter(({ a }) => decidedTheirWay(model.tasks.get(a.taskId), a));
  const plain500s = errors.filter(({ answer }) => answer.status !== 'dropped' && answer.status !== 503 && answer.status !== 429);
  const describe = (a: DecisionAttempt) => `${a.step} task ${a.taskId} by ${a.person} (${a.channel}): ${a.answers.map((x) => x.status).join(' → ')}`;
  return [
    check('decisions lost (told success, not decided that way)', lost.map(describe)),
    check('decisions applied twice', twice.map(([task, count]) => `task ${task}: ${count} decision entries`)),
    check('applied decisions missing from the audit trail', unaudited.map((task) => `${task.step} task ${task.id} decided "${task.outcome}" by ${task.decided_by}`)),
    check('false "decision refused" entries in histories', falseRefusals.map((event) => `task ${event.task_id}: ${event.comment ?? ''}`)),
    check('people told error or "already decided" for a decision that counted', misled.map(describe)),
    // Every person decides their own open task with a valid outcome: any refusal is a fault misleading them.
    check('valid decisions refused', attempts.filter((a) => a.told === 'refused').map(describe)),
    check('5xx answers other than 503 (e.g. 500)', plain500s.map(({ a, answer }) => `${answer.status} on ${describe(a)}`)),
    check('5xx answers and dropped connections seen by people', errors.map(({ a, answer }) => `${answer.status} on ${describe(a)}`), false),
    check('  of which for decisions that in fact counted', counted.map(({ a, answer }) => `${answer.status} on ${describe(a)}`), false),
  ];
}

async function emailChecks(mailDir: string, notifications: { notification_key: string; status: string }[]): Promise<CheckResult[]> {
  const caught = new Map<string, Set<string>>();
  const deliveries = new Map<string, number>();
  for (const message of await new MailInbox(mailDir).list()) {
    if (!message.notificationKey) continue;
    deliveries.set(message.notificationKey, (deliveries.get(message.notificationKey) ?? 0) + 1);
    caught.set(message.notificationKey, (caught.get(message.notificationKey) ?? new Set()).add(message.messageId ?? message.id));
  }
  const resent = [...deliveries].filter(([, count]) => count > 1);
  // Two different Message-IDs for one outbox row: a person would see two emails.
  const duplicates = resent.filter(([key]) => (caught.get(key)?.size ?? 0) > 1);
  const sameMessageAgain = resent.filter(([key]) => caught.get(key)?.size === 1);
  const missing = notifications.filter((row) => !caught.has(row.notification_key));
  return [
    check('duplicate emails (one outbox row sent as two messages)', duplicates.map(([key, count]) => `${key} delivered ${count} times`)),
    check('  the same message delivered again (one Message-ID: a mailbox shows it once)', sameMessageAgain.map(([key, count]) => `${key} delivered ${count} times`), false),
    check('missing emails (outbox rows never caught)', missing.map((row) => `${row.notification_key} (${row.status})`)),
    check('emails caught', [...caught.keys()], false),
  ];
}

/** Compares each improvement's read model (stage, status, the tasks its own workflow holds) with the workflow's state. */
async function temporalChecks(address: string, improvements: ImprovementRow[], tasks: TaskRow[]): Promise<CheckResult[]> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const differences: string[] = [];
  const waiting: string[] = [];
  try {
    for (const row of improvements) {
      if (row.status !== 'closed') waiting.push(...(await pendingWork(client, row)));
      const state = await client.workflow.getHandle(row.workflow_id).query(getStatusQuery);
      const openInDb = tasks.filter((task) => task.workflow_id === row.workflow_id && task.status === 'open').map((task) => task.id).sort();
      const openInTemporal = state.openTasks.map((task) => task.id).sort();
      if (state.stage !== row.stage || state.status !== row.status || openInDb.join() !== openInTemporal.join()) {
        differences.push(`${row.id}: read model ${row.stage}/${row.status} [${openInDb.join()}], Temporal ${state.stage}/${state.status} [${openInTemporal.join()}]`);
      }
    }
  } finally {
    await connection.close();
  }
  return [check('read model differing from Temporal', differences), check('activities still pending in improvements not closed', waiting, false)];
}

/** What a workflow that has not closed is still running: its pending activities, with their last failure. */
async function pendingWork(client: Client, row: ImprovementRow): Promise<string[]> {
  const description = await client.workflow.getHandle(row.workflow_id).describe();
  return (description.raw.pendingActivities ?? []).map(
    (activity) => `${row.id}: ${activity.activityType?.name ?? '?'} attempt ${activity.attempt ?? 0}${activity.lastFailure?.message ? `: ${activity.lastFailure.message}` : ''}`,
  );
}

/** Runs every check against what the people saw, the database, the mail received and Temporal. */
export async function runChecks(result: DriveResult): Promise<CheckResult[]> {
  const { components, improvementIds, people, faults } = result;
  const model = await readModel(components.settings.databaseUrl, improvementIds);
  const stuck = model.improvements.filter((row) => row.status !== 'closed');
  const whyStuck = (row: ImprovementRow) => {
    const open = model.taskList.filter((task) => task.improvement_id === row.id && task.status === 'open');
    const tasks = open.map((task) => {
      const tried = people.attempts.filter((a) => a.taskId === task.id).map((a) => `${a.channel}: ${a.answers.map((x) => `${x.status} ${x.meaning}`).join(' → ')}`);
      const emailed = model.notifications.find((n) => n.notification_key === `${task.id}:task-assigned`)?.status ?? 'no email queued';
      return `${task.step} task ${task.id} for ${task.assignee} (email ${emailed}; ${tried.length > 0 ? tried.join('; ') : 'nobody acted'})`;
    });
    return `${row.id} at ${row.stage}/${row.status}: ${tasks.length > 0 ? tasks.join(', ') : 'no open task'}`;
  };
  return [
    ...decisionChecks(people.attempts, model),
    ...(await emailChecks(components.mailDir, model.notifications)),
    check('task emails people could not act on', people.unreadable),
    check('improvements stuck (not closed by the deadline)', stuck.map(whyStuck)),
    ...(await temporalChecks(components.temporalAddress, model.improvements, model.taskList)),
    check('faults planned but not injected', faults.filter((fault) => fault.injectedAtS === undefined || fault.error).map((fault) => `${fault.kind} at ${fault.plannedAtS}s${fault.error ? `: ${fault.error}` : ''}`)),
    check('decisions made by people', people.attempts.map((a) => a.taskId), false),
  ];
}
