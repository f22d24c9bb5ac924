import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../embedded/free-port';
import { apiProcess, postgresServer, type ServiceSettings, smtpReceiver, stopPostgresQuietly, temporalServer, workerProcess, type Postgres } from './chaos/components';
import { decisionFor, proposal, writeSeedFile } from './chaos/organisation';
import { killEveryChild, outputContains, Supervised, until, runAsCommand } from './chaos/supervisor';
import { floorDecideUpdate } from './floor/definitions';

const usage = 'npm run bench:decisions -- [--decisions N] [--floor-ratio 1.3] [--timeout-s T] [--json out.json]';

interface Sample {
  ms: number;
  status: number | string;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function summary(samples: Sample[]) {
  const ms = samples.map((sample) => sample.ms);
  return { n: samples.length, p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99), statuses: countBy(samples.map((sample) => String(sample.status))) };
}

function countBy(values: string[]): Record<string, number> {
  return values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});
}

async function timed<T>(action: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await action();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

class ProjectApi {
  constructor(private readonly settings: ServiceSettings) {}

  async call<T = unknown>(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`http://127.0.0.1:${this.settings.apiPort}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${this.settings.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async openReview(improvementId: string): Promise<{ id: string; assignee: string }> {
    let task: { id: string; assignee: string; step: string } | undefined;
    await until(async () => {
      const improvement = await this.call<{ openTasks?: { id: string; assignee: string; step: string }[] }>('GET', `/api/improvements/${improvementId}`);
      task = (improvement.body.openTasks ?? []).find((open) => open.step === 'review');
      return task !== undefined;
    }, 60_000, `the review task of ${improvementId}`);
    return task!;
  }
}

/** Starts PostgreSQL, Temporal, SMTP, the API, the worker and the floor worker, each its own process. */
export async function startProject(dir: string): Promise<{ settings: ServiceSettings; postgres: Postgres; temporalAddress: string }> {
  const mailDir = path.join(dir, 'mail');
  mkdirSync(mailDir, { recursive: true });
  const postgres = await postgresServer(dir);
  const [temporal, smtp] = await Promise.all([temporalServer(dir), smtpReceiver(dir, mailDir)]);
  const settings: ServiceSettings = {
    databaseUrl: postgres.url,
    temporalAddress: temporal.address,
    smtpUrl: smtp.url,
    taskQueue: `opf-bench-${randomBytes(4).toString('hex')}`,
    apiPort: await freePort(),
    adminToken: randomBytes(24).toString('hex'),
    appSecret: randomBytes(32).toString('hex'),
    dataDir: dir,
    seedFile: writeSeedFile(dir).file,
  };
  // The service's own decision wait, not the chaos run's shorter one.
  await apiProcess(settings, { DECISION_WAIT_MS: '5000' }).start();
  await workerProcess(settings).start();
  await new Supervised({
    name: 'floor-worker',
    command: process.execPath,
    args: ['--import', 'tsx', path.join(__dirname, 'floor', 'worker.ts')],
    env: { PATH: process.env.PATH, TEMPORAL_ADDRESS: temporal.address, DATABASE_URL: postgres.url, FLOOR_TASK_QUEUE: `${settings.taskQueue}-floor` },
    logFile: path.join(dir, 'floor-worker.log'),
    ready: outputContains('floor worker started', 180_000),
  }).start();
  return { settings, postgres, temporalAddress: temporal.address };
}

/** Decisions through the API against validated updates of the floor workflow, one of each in turn. */
async function measure(settings: ServiceSettings, temporal: Client, count: number, log: (line: string) => void) {
  const api = new ProjectApi(settings);
  const units = await api.call<{ items: { id: string }[] }>('GET', '/api/org-units');
  const unit = units.body.items[0]!.id;
  const project: Sample[] = [];
  const floor: Sample[] = [];
  for (let index = 1; index <= count; index += 1) {
    const created = await api.call<{ id: string }>('POST', '/api/improvements', proposal(index, unit));
    const review = await api.openReview(created.body.id);
    const floorRun = await temporal.workflow.start('floorLifecycle', { taskQueue: `${settings.taskQueue}-floor`, workflowId: `floor-${index}-${randomBytes(3).toString('hex')}`, args: [1] });
    const decision = await timed(() => api.call('POST', `/api/tasks/${review.id}/decision`, { actor: review.assignee, ...decisionFor.review }));
    project.push({ ms: decision.ms, status: decision.value.status });
    const update = await timed(() => floorRun.executeUpdate(floorDecideUpdate, { args: [{ step: 0, outcome: 'accept' }] }).then(() => 200, (error: unknown) => String(error)));
    floor.push({ ms: update.ms, status: update.value });
    if (index % 5 === 0 || index === count) log(`  ${index}/${count} decisions (load ${os.loadavg()[0]!.toFixed(1)})`);
  }
  return { project: summary(project), floor: summary(floor) };
}

export async function main(argv: string[], log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { decisions: { type: 'string', default: '30' }, 'floor-ratio': { type: 'string', default: '1.3' }, 'timeout-s': { type: 'string', default: '600' }, json: { type: 'string' } } });
  const count = Number(values.decisions);
  const allowedRatio = Number(values['floor-ratio']);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--decisions: must be a whole number of at least 1\n${usage}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opf-bench-'));
  let postgres: Postgres | undefined;
  const timeout = setTimeout(() => {
    log(`bench: stopped after --timeout-s ${values['timeout-s']}`);
    cleanUp();
    process.exit(2);
  }, Number(values['timeout-s']) * 1000);
  const cleanUp = () => {
    killEveryChild();
    stopPostgresQuietly(postgres);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    log(`bench: starting PostgreSQL, Temporal, SMTP, the API, the worker and the floor worker in ${dir}`);
    const started = await startProject(dir);
    postgres = started.postgres;
    const connection = await Connection.connect({ address: started.temporalAddress });
    const loadBefore = os.loadavg()[0]!;
    const figures = await measure(started.settings, new Client({ connection }), count, log);
    await connection.close();
    const ratio = figures.project.p50 / figures.floor.p50;
    const result = { decisions: count, load: { before: loadBefore, after: os.loadavg()[0] }, cpus: os.cpus().length, ...figures, ratioP50: ratio, floorRatioAllowed: allowedRatio };
    log('');
    log('| Decision through the API | p50 | p95 | p99 | answers |');
    log('|---|---|---|---|---|');
    for (const [name, figure] of [['project', figures.project], ['floor (bare update)', figures.floor]] as const) {
      log(`| ${name} | ${figure.p50.toFixed(0)} ms | ${figure.p95.toFixed(0)} ms | ${figure.p99.toFixed(0)} ms | ${JSON.stringify(figure.statuses)} |`);
    }
    log(`ratio p50 ${ratio.toFixed(2)}× (goal ≤ ${allowedRatio}×); load ${loadBefore.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
    if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
    return ratio <= allowedRatio ? 0 : 1;
  } finally {
    clearTimeout(timeout);
    cleanUp();
  }
}

if (require.main === module) runAsCommand((argv) => main(argv));
