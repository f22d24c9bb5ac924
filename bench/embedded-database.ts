import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../embedded/free-port';
import { smtpReceiver, temporalServer } from './chaos/components';
import { decisionFor, proposal, writeSeedFile } from './chaos/organisation';
import { killEveryChild, outputContains, Supervised, until, runAsCommand } from './chaos/supervisor';

const usage = 'npm run bench:embedded-database -- [--decisions 20] [--lifecycles 5] [--engines pglite,postgres] [--timeout-s 1200] [--json out.json]';
const root = path.join(__dirname, '..');
const engines = ['pglite', 'postgres'] as const;
type Engine = (typeof engines)[number];

interface OpenTask {
  id: string;
  step: string;
  assignee: string;
}

class Service {
  constructor(private readonly port: number, private readonly token: string) {}

  async call<T = unknown>(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`http://127.0.0.1:${this.port}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async openTasks(improvementId: string): Promise<{ status: string; openTasks: OpenTask[] }> {
    return (await this.call<{ status: string; openTasks: OpenTask[] }>('GET', `/api/improvements/${improvementId}`)).body;
  }

  async decide(task: OpenTask): Promise<number> {
    const decision = decisionFor[task.step]!;
    const response = await this.call('POST', `/api/tasks/${task.id}/decision`, { actor: task.assignee, ...decision });
    return response.status;
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** `npm start` (API and worker in one process) on one embedded engine, against shared Temporal and SMTP. */
async function startAllInOne(dir: string, engine: Engine, temporalAddress: string, smtpUrl: string): Promise<{ service: Service; process: Supervised }> {
  const port = await freePort();
  const token = randomBytes(24).toString('hex');
  const dataDir = path.join(dir, engine);
  const allInOne = new Supervised({
    name: `all-in-one-${engine}`,
    command: process.execPath,
    args: ['--import', 'tsx', 'start.ts'],
    cwd: root,
    env: {
      PATH: process.env.PATH,
      DATA_DIR: dataDir,
      EMBEDDED_DATABASE: engine,
      PORT: String(port),
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: `opf-bench-${engine}-${randomBytes(3).toString('hex')}`,
      SMTP_URL: smtpUrl,
      ADMIN_TOKEN: token,
      APP_SECRET: randomBytes(32).toString('hex'),
      SEED_FILE: writeSeedFile(dir).file,
      DECISION_RATE_LIMIT: '100000',
      LOG_LEVEL: 'info',
    },
    logFile: path.join(dir, `${engine}.log`),
    ready: outputContains('OPF Pipeline is ready', 300_000),
  });
  await allInOne.start();
  return { service: new Service(port, token), process: allInOne };
}

async function submit(service: Service, index: number, unit: string): Promise<string> {
  const created = await service.call<{ id: string }>('POST', '/api/improvements', proposal(index, unit));
  if (created.status !== 201) throw new Error(`submitting an improvement answered ${created.status}`);
  return created.body.id;
}

async function nextTask(service: Service, id: string): Promise<OpenTask | undefined> {
  let task: OpenTask | undefined;
  let closed = false;
  await until(async () => {
    const improvement = await service.openTasks(id);
    closed = improvement.status === 'closed';
    task = improvement.openTasks[0];
    return closed || task !== undefined;
  }, 120_000, `the next task of ${id}`);
  return closed ? undefined : task;
}

/** One review decision after another: the time from POST to answer. */
async function decisionLatency(service: Service, unit: string, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 1; index <= count; index += 1) {
    const task = await nextTask(service, await submit(service, index, unit));
    const started = performance.now();
    await service.decide(task!);
    samples.push(performance.now() - started);
  }
  return samples;
}

async function driveToClosure(service: Service, id: string): Promise<void> {
  for (let task = await nextTask(service, id); task; task = await nextTask(service, id)) await service.decide(task);
}

/** Lifecycles in parallel, each from submission to closure; lifecycles per minute. */
async function lifecycleThroughput(service: Service, unit: string, count: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: count }, async (_, index) => driveToClosure(service, await submit(service, 1000 + index, unit))));
  return count / ((performance.now() - started) / 60_000);
}

async function measure(dir: string, engine: Engine, options: { decisions: number; lifecycles: number }, temporal: string, smtp: string, log: (line: string) => void) {
  log(`bench: npm start on ${engine}`);
  const { service, process: allInOne } = await startAllInOne(dir, engine, temporal, smtp);
  try {
    return await measureOn(service, engine, options, log);
  } catch (error) {
    log(`bench: ${engine} failed; the end of its log:\n${readFileSync(path.join(dir, `${engine}.log`), 'utf8').slice(-4_000)}`);
    throw error;
  } finally {
    // SIGTERM, so that the service stops its embedded database server too.
    await allInOne.kill('SIGTERM');
    killEveryChild();
  }
}

async function measureOn(service: Service, engine: Engine, options: { decisions: number; lifecycles: number }, log: (line: string) => void) {
  const units = await service.call<{ items: { id: string }[] }>('GET', '/api/org-units');
  const unit = units.body.items[0]!.id;
  const latency = await decisionLatency(service, unit, options.decisions);
  const perMinute = await lifecycleThroughput(service, unit, options.lifecycles);
  const figures = { engine, p50: percentile(latency, 50), p95: percentile(latency, 95), lifecyclesPerMinute: perMinute, load: os.loadavg()[0] };
  log(`  ${engine}: decision p50 ${figures.p50.toFixed(0)} ms, p95 ${figures.p95.toFixed(0)} ms; ${perMinute.toFixed(1)} lifecycles/min (load ${figures.load!.toFixed(1)})`);
  return figures;
}

export async function main(argv: string[], log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { decisions: { type: 'string', default: '20' }, lifecycles: { type: 'string', default: '5' }, engines: { type: 'string', default: engines.join(',') }, 'timeout-s': { type: 'string', default: '1200' }, json: { type: 'string' } } });
  const options = { decisions: Number(values.decisions), lifecycles: Number(values.lifecycles) };
  if (!Number.isInteger(options.decisions) || !Number.isInteger(options.lifecycles)) throw new Error(`--decisions, --lifecycles: whole numbers\n${usage}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opf-bench-db-'));
  chmodSync(dir, 0o711); // as root the database server runs as `postgres`, which must pass through
  const timeout = setTimeout(() => (log(`bench: stopped after --timeout-s ${values['timeout-s']}`), killEveryChild(), process.exit(2)), Number(values['timeout-s']) * 1000);
  try {
    mkdirSync(path.join(dir, 'mail'));
    const results = [];
    for (const engine of values.engines.split(',') as Engine[]) {
      const [temporal, smtp] = await Promise.all([temporalServer(path.join(dir)), smtpReceiver(dir, path.join(dir, 'mail'))]);
      results.push(await measure(dir, engine, options, temporal.address, smtp.url, log));
    }
    log('');
    log('| Embedded database | decision p50 | decision p95 | lifecycles/min |');
    log('|---|---|---|---|');
    for (const figure of results) log(`| ${figure.engine} | ${figure.p50.toFixed(0)} ms | ${figure.p95.toFixed(0)} ms | ${figure.lifecyclesPerMinute.toFixed(1)} |`);
    log(`${options.decisions} sequential review decisions, then ${options.lifecycles} lifecycles in parallel, on ${os.cpus().length} CPUs`);
    if (values.json) writeFileSync(values.json, JSON.stringify({ options, cpus: os.cpus().length, results }, null, 2));
    return 0;
  } finally {
    clearTimeout(timeout);
    killEveryChild();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runAsCommand((argv) => main(argv));
