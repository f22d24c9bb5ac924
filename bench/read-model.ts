// Seeds a real PostgreSQL with N improvements (default 100,000) and their history and tasks, then
// times what the dashboard and the measures page read. Prints figures; asserts nothing.
//   npm run bench:read-model            (starts its own PostgreSQL from the installed binaries)
//   BENCH_DATABASE_URL=postgresql://... N=100000 npm run bench:read-model
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { applyMigrations } from '../prisma/migrate';
import { createDatabase } from '../prisma/database';
import { computeMeasures } from '../reports/read-model';
import { createLogger } from '../log';
import { startPostgresServer } from '../test/support/postgres-server';

const total = Number(process.env.N ?? 100_000);
const eventsPerImprovement = Number(process.env.EVENTS ?? 20);
const stages = ['review', 'prioritisation', 'planning', 'implementation', 'deployment', 'audit', 'lessons', 'closed', 'rejected'];
const sources = ['appraisal', 'lessons-learned', 'incident', 'measurement', 'audit', 'staff-proposal'];
const processes = ['Incident Management', 'Change Management', 'Access Control', 'Continuity Planning'];

async function seed(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const batch = 1_000;
  const started = Date.now();
  for (let offset = 0; offset < total; offset += batch) {
    const improvements: unknown[][] = [];
    const events: unknown[][] = [];
    const tasks: unknown[][] = [];
    for (let i = offset; i < Math.min(total, offset + batch); i += 1) {
      const id = randomUUID();
      const stage = stages[i % stages.length]!;
      const status = stage === 'closed' ? 'closed' : stage === 'rejected' ? 'rejected' : 'active';
      const created = new Date(Date.now() - (i % 365) * 86_400_000);
      const details = {
        plan: i % 3 === 0 ? { objectives: 'x', measures: 'y', actions: [{ title: 'a', owner: 'o@example.org', due: '2026-12-31', completedAt: i % 2 ? created.toISOString() : undefined }] } : undefined,
        units: stage === 'deployment' || stage === 'closed' ? [{ unitId: `u${i % 40}`, unitName: 'Unit', manager: 'm@example.org', status: i % 5 ? 'adopted' : 'waived', waiverRefusals: i % 7 === 0 ? 1 : 0, tailoring: i % 4 === 0 ? 't' : undefined }] : [],
      };
      improvements.push([id, `improvement-${id}`, `Improvement ${i} ${processes[i % 4]}`, 'Problem', 'p@example.org', `owner${i % 50}@example.org`, processes[i % 4], sources[i % 6], stage, status, i % 17, JSON.stringify(details), created, created]);
      events.push([randomUUID(), id, 'submitted', created, 'proposal', 'p@example.org', 'submitted']);
      events.push([randomUUID(), id, `1:review->${stage}`, new Date(created.getTime() + 3_600_000 * (1 + (i % 48))), 'review', 'orpg@example.org', 'moved']);
      // A real lifecycle records about twenty more entries (tasks asked, decided, reminders).
      for (let extra = 0; extra < eventsPerImprovement; extra += 1) {
        events.push([randomUUID(), id, `task-${extra}:decided`, new Date(created.getTime() + 60_000 * extra), 'review', 'orpg@example.org', 'asked']);
      }
      if (status === 'active') tasks.push([randomUUID(), id, `improvement-${id}`, stage, `assignee${i % 200}@example.org`, new Date(Date.now() + ((i % 20) - 10) * 86_400_000)]);
    }
    await insert(client, 'improvement', ['id', 'workflow_id', 'title', 'description', 'proposer_email', 'process_owner_email', 'process', 'source', 'stage', 'status', 'priority', 'details', 'created_at', 'updated_at'], improvements);
    await insert(client, 'improvement_event', ['id', 'improvement_id', 'event_key', 'at', 'step', 'actor', 'action'], events);
    if (tasks.length) {
      await insert(client, 'task', ['id', 'improvement_id', 'workflow_id', 'step', 'assignee', 'due_at'], tasks.map((row) => [...row, row[5], row[5]]), ['remind_at', 'escalate_at']);
    }
  }
  await client.query('ANALYZE');
  await client.end();
  console.log(`seeded ${total} improvements in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function insert(client: Client, table: string, columns: string[], rows: unknown[][], extra: string[] = []): Promise<void> {
  const all = [...columns, ...extra];
  const perStatement = Math.floor(60_000 / all.length); // PostgreSQL allows 65,535 parameters
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const values = chunk.map((row, r) => `(${row.map((_, c) => `$${r * row.length + c + 1}`).join(',')})`).join(',');
    await client.query(`INSERT INTO "${table}" (${all.map((column) => `"${column}"`).join(',')}) VALUES ${values}`, chunk.flat());
  }
}

async function time<T>(label: string, runs: number, fn: () => Promise<T>): Promise<void> {
  const durations: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await fn();
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  console.log(`${label.padEnd(52)} median ${durations[Math.floor(runs / 2)]!.toFixed(1)} ms  (min ${durations[0]!.toFixed(1)}, max ${durations.at(-1)!.toFixed(1)})`);
}

async function main(): Promise<void> {
  const server = process.env.BENCH_DATABASE_URL ? undefined : await startPostgresServer();
  const url = process.env.BENCH_DATABASE_URL ?? server!.url;
  try {
    await applyMigrations(url, createLogger('warn'));
    await seed(url);
    const db = createDatabase(url, 4);
    const now = new Date();
    await time('dashboard: counts by stage', 5, () => db.improvement.groupBy({ by: ['stage'], _count: { _all: true }, where: { status: 'active' } }));
    await time('dashboard: first page, newest first', 5, () => db.improvement.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take: 25, include: { tasks: { where: { status: 'open' } } } }));
    await time('dashboard: page 2000, by priority', 5, () => db.improvement.findMany({ orderBy: [{ priority: 'desc' }, { id: 'asc' }], take: 25, skip: 25 * 1999 }));
    await time('dashboard: overdue filter + count', 5, () => db.improvement.count({ where: { tasks: { some: { status: 'open', dueAt: { lt: now } } } } }));
    await time('dashboard: title search "Change" (ILIKE)', 5, () => db.improvement.findMany({ where: { title: { contains: 'improvement 4242', mode: 'insensitive' } }, take: 25 }));
    await time('my tasks: one assignee', 5, () => db.task.findMany({ where: { assignee: 'assignee7@example.org', status: 'open' }, orderBy: { dueAt: 'asc' } }));
    await time('escalations: open escalated tasks', 5, () => db.task.findMany({ where: { status: 'open', escalationLevel: { gte: 1 } }, orderBy: { dueAt: 'asc' } }));
    await time('measures: raw facts query only', 3, () => db.$queryRaw`SELECT id::text, stage, status, source, process, created_at, updated_at, details->'plan' AS plan, details->'units' AS units FROM improvement`);
    await time('measures: every GG2.GP8 measure', 3, () => computeMeasures(db));
    const memory = process.memoryUsage();
    console.log(`process memory after measures: rss ${(memory.rss / 1e6).toFixed(0)} MB, heap used ${(memory.heapUsed / 1e6).toFixed(0)} MB`);
    await db.$disconnect();
  } finally {
    server?.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
