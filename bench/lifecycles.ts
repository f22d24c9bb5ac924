import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { Pool } from 'pg';
import { stopPostgresQuietly, type Postgres, type ServiceSettings } from './chaos/components';
import { decisionFor, proposal } from './chaos/organisation';
import { killEveryChild, runAsCommand } from './chaos/supervisor';
import { startProject } from './decisions';
import { floorDecideUpdate } from './floor/definitions';

const usage = 'npm run bench:lifecycles -- [--parallel N] [--timeout-s T] [--json out.json]';
const EventType = proto.api.enums.v1.EventType;

/** What one workflow's history holds: events, bytes, workflow tasks, activities by type, search-attribute upserts. */
export interface HistoryCounts {
  events: number;
  bytes: number;
  workflowTasks: number;
  activities: number;
  activitiesByType: Record<string, number>;
  searchAttributeUpserts: number;
}

async function historyCounts(client: Client, workflowId: string): Promise<HistoryCounts> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const activitiesByType: Record<string, number> = {};
  for (const event of events) {
    const type = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) activitiesByType[type] = (activitiesByType[type] ?? 0) + 1;
  }
  return {
    events: events.length,
    bytes: proto.api.history.v1.History.encode(history).finish().length,
    workflowTasks: events.filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length,
    activities: Object.values(activitiesByType).reduce((sum, count) => sum + count, 0),
    activitiesByType,
    searchAttributeUpserts: events.filter((event) => event.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES).length,
  };
}

function add(total: HistoryCounts, more: HistoryCounts): HistoryCounts {
  const activitiesByType = { ...total.activitiesByType };
  for (const [type, count] of Object.entries(more.activitiesByType)) activitiesByType[type] = (activitiesByType[type] ?? 0) + count;
  return {
    events: total.events + more.events,
    bytes: total.bytes + more.bytes,
    workflowTasks: total.workflowTasks + more.workflowTasks,
    activities: total.activities + more.activities,
    activitiesByType,
    searchAttributeUpserts: total.searchAttributeUpserts + more.searchAttributeUpserts,
  };
}

async function call(settings: ServiceSettings, method: string, pathname: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${settings.apiPort}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${settings.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface OpenTaskRow {
  id: string;
  step: string;
  assignee: string;
}

/** The bench's own reads, each a transaction of its own, to leave out of the project's count. */
let ownQueries = 0;

/** Drives one improvement from proposal to closed through the API, deciding each task as soon as it opens. */
async function runLifecycle(settings: ServiceSettings, pool: Pool, index: number, unit: string, statuses: Record<string, number>): Promise<{ id: string; workflowId: string }> {
  const created = await call(settings, 'POST', '/api/improvements', proposal(index, unit));
  if (created.status !== 201) throw new Error(`could not propose: ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const decided = new Set<string>();
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    ownQueries += 2;
    const { rows } = await pool.query<{ status: string; workflow_id: string }>('SELECT status, workflow_id FROM improvement WHERE id = $1', [id]);
    if (rows[0]?.status === 'closed') return { id, workflowId: rows[0].workflow_id };
    const open = await pool.query<OpenTaskRow>(`SELECT id, step, assignee FROM task WHERE improvement_id = $1 AND status = 'open'`, [id]);
    const task = open.rows.find((row) => !decided.has(row.id));
    if (!task) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    const decision = decisionFor[task.step];
    if (!decision) throw new Error(`no decision for step ${task.step}`);
    const answer = await call(settings, 'POST', `/api/tasks/${task.id}/decision`, { actor: task.assignee, ...decision });
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    if (answer.status !== 200 && answer.status !== 202) throw new Error(`decision on ${task.step} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    decided.add(task.id);
  }
  throw new Error(`improvement ${id} did not close in 10 minutes`);
}

/** The floor's lifecycle: ten validated updates, one after another. */
async function runFloorLifecycle(client: Client, settings: ServiceSettings, index: number): Promise<string> {
  const workflowId = `floor-lifecycle-${index}-${Date.now()}`;
  const handle = await client.workflow.start('floorLifecycle', { taskQueue: `${settings.taskQueue}-floor`, workflowId, args: [10] });
  for (let step = 0; step < 10; step += 1) await handle.executeUpdate(floorDecideUpdate, { args: [{ step, outcome: 'done' }] });
  await handle.result();
  return workflowId;
}

async function committedTransactions(pool: Pool): Promise<number> {
  ownQueries += 1;
  const { rows } = await pool.query<{ xact_commit: string }>('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0]?.xact_commit);
}

async function perMinute(count: number, run: (index: number) => Promise<unknown>): Promise<number> {
  const start = Date.now();
  await Promise.all(Array.from({ length: count }, (_, index) => run(index)));
  return (count * 60_000) / (Date.now() - start);
}

export async function main(argv: string[], log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { parallel: { type: 'string', default: '10' }, 'timeout-s': { type: 'string', default: '900' }, json: { type: 'string' } } });
  const parallel = Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`--parallel: must be a whole number of at least 1\n${usage}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opf-bench-'));
  let postgres: Postgres | undefined;
  const cleanUp = () => {
    killEveryChild();
    stopPostgresQuietly(postgres);
    rmSync(dir, { recursive: true, force: true });
  };
  const timeout = setTimeout(() => {
    log(`bench: stopped after --timeout-s ${values['timeout-s']}`);
    cleanUp();
    process.exit(2);
  }, Number(values['timeout-s']) * 1000);
  try {
    log(`bench: starting PostgreSQL, Temporal, SMTP, the API, the worker and the floor worker in ${dir}`);
    const started = await startProject(dir);
    postgres = started.postgres;
    const { settings } = started;
    const pool = new Pool({ connectionString: settings.databaseUrl, max: 4 });
    const connection = await Connection.connect({ address: started.temporalAddress });
    const client = new Client({ connection });
    const units = await call(settings, 'GET', '/api/org-units');
    const unit = (units.body.items as { id: string }[])[0]!.id;
    const loadBefore = os.loadavg();

    log('bench: one lifecycle alone, counting its histories and database transactions');
    const statuses: Record<string, number> = {};
    const transactionsBefore = await committedTransactions(pool);
    const queriesBefore = ownQueries;
    const single = await runLifecycle(settings, pool, 0, unit, statuses);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const transactions = (await committedTransactions(pool)) - transactionsBefore - (ownQueries - queriesBefore);
    const children = await pool.query<{ workflow_id: string }>(`SELECT DISTINCT workflow_id FROM task WHERE improvement_id = $1 AND workflow_id <> $2`, [single.id, single.workflowId]);
    let project = await historyCounts(client, single.workflowId);
    for (const child of children.rows) project = add(project, await historyCounts(client, child.workflow_id));
    const floor = await historyCounts(client, await runFloorLifecycle(client, settings, 0));

    log(`bench: ${parallel} lifecycles in parallel, then ${parallel} floor lifecycles in parallel`);
    const parallelStatuses: Record<string, number> = {};
    const projectPerMinute = await perMinute(parallel, (index) => runLifecycle(settings, pool, index + 1, unit, parallelStatuses));
    const floorPerMinute = await perMinute(parallel, (index) => runFloorLifecycle(client, settings, index + 1));
    await connection.close();
    await pool.end();

    const result = {
      cpus: os.cpus().length,
      load: { before: loadBefore, after: os.loadavg() },
      oneLifecycle: { project, floor, databaseTransactions: transactions, decisions: Object.values(statuses).reduce((a, b) => a + b, 0), statuses },
      parallel: { lifecycles: parallel, projectPerMinute, floorPerMinute, ratio: projectPerMinute / floorPerMinute, statuses: parallelStatuses },
    };
    log('');
    log('| One lifecycle | project | floor |');
    log('|---|---|---|');
    log(`| history events | ${project.events} | ${floor.events} |`);
    log(`| history bytes | ${project.bytes} | ${floor.bytes} |`);
    log(`| workflow tasks | ${project.workflowTasks} | ${floor.workflowTasks} |`);
    log(`| activities | ${project.activities} | ${floor.activities} |`);
    log(`| search-attribute upserts | ${project.searchAttributeUpserts} | ${floor.searchAttributeUpserts} |`);
    log(`| database transactions (API, worker and the dispatcher's polls; the bench's own reads left out) | ${transactions} | |`);
    log(`activities by type: ${JSON.stringify(project.activitiesByType)}`);
    log(`decision answers, one lifecycle: ${JSON.stringify(statuses)}; ${parallel} in parallel: ${JSON.stringify(parallelStatuses)}`);
    log(`lifecycles per minute, ${parallel} in parallel: project ${projectPerMinute.toFixed(1)}, floor ${floorPerMinute.toFixed(1)}, ratio ${result.parallel.ratio.toFixed(2)}`);
    log(`load average ${loadBefore.map((value) => value.toFixed(1)).join(' ')} → ${os.loadavg().map((value) => value.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
    if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
    return 0;
  } finally {
    clearTimeout(timeout);
    cleanUp();
  }
}

if (require.main === module) runAsCommand((argv) => main(argv));
