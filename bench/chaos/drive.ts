import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { freePort } from '../../embedded/free-port';
import {
  apiProcess,
  type Postgres,
  postgresServer,
  type ServiceSettings,
  smtpReceiver,
  stopPostgresQuietly,
  temporalServer,
  workerProcess,
} from './components';
import { proposal, writeSeedFile } from './organisation';
import { People } from './people';
import { killEveryChild, type Supervised, until } from './supervisor';

/** What to run: how many lifecycles, which faults, how often, and for how long at most. */
export interface ChaosOptions {
  lifecycles: number;
  workerKills: number;
  apiKills: number;
  temporalRestarts: number;
  postgresRestarts: number;
  smtpRestarts: number;
  faultEverySeconds: number;
  /** How long Temporal, PostgreSQL and the SMTP receiver stay down in a restart. */
  outageSeconds: number;
  timeoutSeconds: number;
  dir: string;
  log: (line: string) => void;
}

export type FaultKind = 'worker-kill' | 'api-kill' | 'temporal-restart' | 'postgres-restart' | 'smtp-restart';

export interface Fault {
  kind: FaultKind;
  plannedAtS: number;
  injectedAtS?: number;
  /** How long the component took to serve again. */
  recoveredInS?: number;
  error?: string;
}

/** Everything the run started, for the checks to read and for cleanup to stop. */
export interface Components {
  settings: ServiceSettings;
  postgres: Postgres;
  temporal: Supervised;
  temporalAddress: string;
  smtp: Supervised;
  api: Supervised;
  worker: Supervised;
  mailDir: string;
}

export interface DriveResult {
  components: Components;
  improvementIds: string[];
  people: People;
  faults: Fault[];
  closedAtS?: number;
  elapsedS: number;
}

let started: Partial<Components> = {};

/** Stops every process the run started; safe to call more than once and from exit handlers. */
export function cleanUp(): void {
  killEveryChild();
  stopPostgresQuietly(started.postgres);
  started = {};
}

async function startComponents(options: ChaosOptions): Promise<Components> {
  const mailDir = path.join(options.dir, 'mail');
  mkdirSync(mailDir, { recursive: true });
  const postgres = await postgresServer(options.dir);
  started.postgres = postgres;
  const [temporal, smtp] = await Promise.all([temporalServer(options.dir), smtpReceiver(options.dir, mailDir)]);
  const seed = writeSeedFile(options.dir);
  const settings: ServiceSettings = {
    databaseUrl: postgres.url,
    temporalAddress: temporal.address,
    smtpUrl: smtp.url,
    taskQueue: `opf-chaos-${randomBytes(4).toString('hex')}`,
    apiPort: await freePort(),
    adminToken: randomBytes(24).toString('hex'),
    appSecret: randomBytes(32).toString('hex'),
    dataDir: options.dir,
    seedFile: seed.file,
  };
  const api = apiProcess(settings);
  const worker = workerProcess(settings);
  // The API migrates the database first; the worker's own migration then finds nothing to do.
  await api.start();
  await worker.start();
  return { settings, postgres, temporal: temporal.process, temporalAddress: temporal.address, smtp: smtp.process, api, worker, mailDir };
}

/** Calls the API as the admin, retrying while it is down; JSON in and out. */
async function admin<T>(components: Components, method: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }> {
  const url = `http://127.0.0.1:${components.settings.apiPort}${pathname}`;
  let last = '';
  for (let round = 0; round < 30; round += 1) {
    try {
      const response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${components.settings.adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const parsed = (await response.json()) as T;
      if (response.status < 500) return { status: response.status, body: parsed };
      last = `${response.status} ${JSON.stringify(parsed)}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`${method} ${pathname} kept failing: ${last}`);
}

async function issueTokens(components: Components, people: string[]): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const person of people) {
    const issued = await admin<{ token: string }>(components, 'POST', `/api/people/${encodeURIComponent(person)}/tokens`, { name: 'chaos run' });
    if (issued.status !== 201) throw new Error(`could not issue a token to ${person}: ${JSON.stringify(issued.body)}`);
    tokens.set(person, issued.body.token);
  }
  return tokens;
}

async function startLifecycles(components: Components, count: number): Promise<string[]> {
  const units = await admin<{ items: { id: string; name: string }[] }>(components, 'GET', '/api/org-units');
  const claims = units.body.items.find((unit) => unit.name === 'Claims');
  if (!claims) throw new Error('the seed file did not register the Claims unit');
  const ids: string[] = [];
  for (let index = 1; index <= count; index += 1) {
    const created = await admin<{ id: string }>(components, 'POST', '/api/improvements', proposal(index, claims.id));
    if (created.status !== 201) throw new Error(`could not propose improvement ${index}: ${JSON.stringify(created.body)}`);
    ids.push(created.body.id);
  }
  return ids;
}

/** The faults in the order they are injected: kinds interleaved so no two restarts of one kind run back to back. */
export function planFaults(options: ChaosOptions): Fault[] {
  const counts: [FaultKind, number][] = [
    ['worker-kill', options.workerKills],
    ['api-kill', options.apiKills],
    ['temporal-restart', options.temporalRestarts],
    ['postgres-restart', options.postgresRestarts],
    ['smtp-restart', options.smtpRestarts],
  ];
  const kinds: FaultKind[] = [];
  for (let round = 0; kinds.length < counts.reduce((sum, [, n]) => sum + n, 0); round += 1) {
    for (const [kind, count] of counts) if (round < count) kinds.push(kind);
  }
  return kinds.map((kind, index) => ({ kind, plannedAtS: (index + 1) * options.faultEverySeconds }));
}

async function inject(components: Components, fault: Fault, outageMs: number): Promise<void> {
  // Down for a moment, so that requests in flight meet the outage rather than miss it.
  const outage = () => new Promise((resolve) => setTimeout(resolve, outageMs));
  switch (fault.kind) {
    case 'worker-kill':
      return components.worker.restart('SIGKILL');
    case 'api-kill':
      return components.api.restart('SIGKILL');
    case 'temporal-restart':
      await components.temporal.kill('SIGTERM');
      await outage();
      return components.temporal.start();
    case 'postgres-restart':
      components.postgres.stopImmediately();
      await outage();
      return components.postgres.start();
    case 'smtp-restart':
      await components.smtp.kill('SIGKILL');
      await outage();
      return components.smtp.start();
  }
}

async function injectFaults(components: Components, people: People, faults: Fault[], startedAt: number, deadline: number, options: ChaosOptions) {
  for (const fault of faults) {
    const due = startedAt + fault.plannedAtS * 1000;
    while (Date.now() < due && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    // A fault proves most when it lands on a decision being handed over: wait a little for one.
    const latest = Math.min(deadline, Date.now() + options.faultEverySeconds * 500);
    while (people.longestWaitMs() < 200 && Date.now() < latest) await new Promise((resolve) => setTimeout(resolve, 20));
    if (Date.now() >= deadline) return;
    fault.injectedAtS = (Date.now() - startedAt) / 1000;
    options.log(`[${fault.injectedAtS.toFixed(0)}s] ${fault.kind}`);
    try {
      await inject(components, fault, options.outageSeconds * 1000);
      fault.recoveredInS = (Date.now() - startedAt) / 1000 - fault.injectedAtS;
    } catch (error) {
      fault.error = error instanceof Error ? error.message : String(error);
      options.log(`  ${fault.kind} failed: ${fault.error}`);
    }
  }
}

/** Reads the database directly, reconnecting each time (PostgreSQL restarts under us). */
export async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new PgClient({ connectionString: url, connectionTimeoutMillis: 5_000 });
  // A restart may drop the connection mid-query: the query then fails, and the caller polls again.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function allClosed(url: string, ids: string[]): Promise<boolean> {
  const rows = await query<{ closed: string }>(url, `SELECT count(*) AS closed FROM improvement WHERE id = ANY($1::uuid[]) AND status = 'closed'`, [ids]);
  return Number(rows[0]?.closed) === ids.length;
}

/**
 * Starts the components, the lifecycles and the people, injects the planned faults on schedule,
 * and returns once every lifecycle closed and every fault was injected, or at the deadline.
 */
export async function drive(options: ChaosOptions): Promise<DriveResult> {
  const startedAt = Date.now();
  const deadline = startedAt + options.timeoutSeconds * 1000;
  const components = await startComponents(options);
  Object.assign(started, components);
  options.log(`components up in ${((Date.now() - startedAt) / 1000).toFixed(0)}s`);
  const seedPeople = writeSeedFile(options.dir).people;
  const tokens = await issueTokens(components, seedPeople);
  const people = new People(components.mailDir, `http://127.0.0.1:${components.settings.apiPort}`, tokens, deadline);
  const peopleDone = people.run();
  const improvementIds = await startLifecycles(components, options.lifecycles);
  const faultsAt = Date.now();
  const faults = planFaults(options);
  const faultsDone = injectFaults(components, people, faults, faultsAt, deadline, options);
  let closedAtS: number | undefined;
  await until(() => allClosed(components.settings.databaseUrl, improvementIds), Math.max(0, deadline - Date.now()), 'every improvement to close').then(
    () => (closedAtS = (Date.now() - startedAt) / 1000),
    () => options.log('deadline reached before every improvement closed'),
  );
  if (closedAtS !== undefined) options.log(`every improvement closed at ${closedAtS.toFixed(0)}s`);
  await faultsDone;
  people.stop();
  await peopleDone;
  return { components, improvementIds, people, faults, closedAtS, elapsedS: (Date.now() - startedAt) / 1000 };
}
