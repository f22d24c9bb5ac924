import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../api/app';
import { close, createTemporalClient, listen } from '../api/server';
import { loadConfig } from '../config';
import { freePort } from '../embedded/free-port';
import { MailInbox } from '../embedded/inbox';
import { createDatabase, type Database } from '../prisma/database';
import { improvementWorkflowId } from '../workflows/improvement/definitions';
import { createWorker, stopWorker } from '../worker';
import { createMigratedDatabase } from './support/database';
import { recordHistory, recordingHistories } from './support/histories';
import { silentLogger } from './support/logger';
import { improvementAt, type Organisation, openTask, people, proposal, registerOrganisation } from './support/organisation';
import { type PostgresServer, startPostgresServer } from './support/postgres-server';
import { type ApiClient, createCaller, eventually } from './support/service';

const adminToken = 'faults-admin-token-0123456789';
const appSecret = 'faults-app-secret-0123456789-0123456789';
const decisionWaitMs = 3_000;

/**
 * The two faults an outside fault-injection run found, against a PostgreSQL of its own that the
 * test stops and starts, the run's Temporal dev server and a worker in this process.
 */
describe('faults during a decision never mislead the decider or the auditor', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opf-faults-'));
  const inbox = new MailInbox(path.join(dataDir, 'mail'));
  const taskQueue = `opf-faults-${Date.now()}`;
  const temporal = createTemporalClient(inject('temporalAddress'), 'default');
  let postgres: PostgresServer;
  let env: NodeJS.ProcessEnv;
  let server: Server;
  let db: Database;
  let api: ApiClient;
  let organisation: Organisation;
  let connection: NativeConnection;
  let worker: { worker: Worker; running: Promise<void> } | undefined;

  async function startWorker(): Promise<void> {
    const config = { ...loadConfig(env, 'worker'), publicUrl: 'http://localhost:3000' };
    const created = await createWorker({ config, connection, db, smtpUrl: inbox.smtpUrl, workflowBundle: { codePath: inject('workflowBundlePath') } });
    worker = { worker: created, running: created.run() };
  }

  async function pauseWorker(): Promise<void> {
    const current = worker;
    worker = undefined;
    if (current) await stopWorker(current.worker, current.running);
  }

  beforeAll(async () => {
    postgres = await startPostgresServer();
    await inbox.start(0);
    env = {
      DATABASE_URL: await createMigratedDatabase(postgres.url),
      DATABASE_POOL_MAX: '4',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      SMTP_URL: inbox.smtpUrl,
      ADMIN_TOKEN: adminToken,
      APP_SECRET: appSecret,
      DATA_DIR: dataDir,
      DECISION_WAIT_MS: String(decisionWaitMs),
      DECISION_RATE_LIMIT: '100000',
      LOG_LEVEL: 'error',
    };
    db = createDatabase(env.DATABASE_URL as string, 4);
    const app = createApp({ temporal, db, config: loadConfig(env, 'api'), adminToken, appSecret, logger: silentLogger });
    const listening = await listen(app, 0);
    server = listening.server;
    api = { call: createCaller(`http://localhost:${listening.port}`, adminToken) };
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    await startWorker();
    organisation = await registerOrganisation(api);
  }, 120_000);

  afterAll(async () => {
    // Each step runs even when an earlier one fails, so no server or worker outlives the file.
    const steps = [
      () => pauseWorker(),
      () => connection?.close(),
      () => (server ? close(server) : undefined),
      () => temporal.connection.close(),
      () => db?.$disconnect(),
      () => inbox.stop(),
      () => postgres?.destroy(),
      () => rmSync(dataDir, { recursive: true, force: true }),
    ];
    for (const step of steps) await Promise.resolve().then(step).catch(() => undefined);
  }, 60_000);

  async function reviewTask(title: string) {
    const created = await api.call('POST', '/api/improvements', proposal(organisation, { title }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    return { id, task: await openTask(api, id, 'review') };
  }

  function decisionAudits(taskId: string) {
    return db.auditEntry.findMany({ where: { action: 'task.decide', target: taskId } });
  }

  it('when PostgreSQL stops while a decision waits for a paused worker, the decider is not told an error, reads say to retry, and the decision is audited once after recovery', async () => {
    const { id, task } = await reviewTask('Decided while the database restarts');
    await pauseWorker();
    let stopped = false;
    // The reproduction's schedule: the database goes two seconds into the wait for a worker.
    const stopping = new Promise<void>((resolve) =>
      setTimeout(() => {
        postgres.stop();
        stopped = true;
        resolve();
      }, 2_000),
    );
    try {
      const decision = await api.call('POST', `/api/tasks/${task.id}/decision`, { actor: task.assignee, outcome: 'accept' }, { 'idempotency-key': `faults-a-${task.id}` });
      await stopping;
      expect(stopped).toBe(true);
      expect(decision.status, JSON.stringify(decision.body)).toBeLessThan(500);
      expect(decision.body).toMatchObject({ status: 'received', taskId: task.id, outcome: 'accept' });

      const read = await api.call('GET', `/api/tasks/${task.id}`);
      expect(read.status).toBe(503);
      expect(Number(read.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(read.body.error.message).toMatch(/database .*unavailable.*try again/i);
    } finally {
      await stopping;
      postgres.start();
    }
    await startWorker();
    await improvementAt(api, id, 'prioritisation');
    const audits = await eventually(async () => {
      const found = await decisionAudits(task.id);
      return found.length > 0 ? found : undefined;
    }, 60_000);
    expect(audits).toEqual([expect.objectContaining({ actor: people.orpg, outcome: 'ok', details: expect.objectContaining({ outcome: 'accept', via: 'api' }) })]);

    const retried = await api.call('POST', `/api/tasks/${task.id}/decision`, { actor: task.assignee, outcome: 'accept' }, { 'idempotency-key': `faults-a-${task.id}` });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body).toMatchObject({ status: 'applied', taskId: task.id, outcome: 'accept' });
    expect(await decisionAudits(task.id)).toHaveLength(1);
  }, 180_000);

  it('when the task row stays locked past the wait, the history has no refusal of the decision being applied', async () => {
    const { id, task } = await reviewTask('Decided while the task row is locked');
    const locker = new PgClient({ connectionString: env.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM task WHERE id = $1 FOR UPDATE', [task.id]);
      const decision = await api.call('POST', `/api/tasks/${task.id}/decision`, { actor: task.assignee, outcome: 'accept' });
      expect(decision.status, JSON.stringify(decision.body)).toBe(202);
      await locker.query('COMMIT');
    } finally {
      await locker.end();
    }
    const improvement = await improvementAt(api, id, 'prioritisation');
    if (recordingHistories()) recordHistory('improvement-lifecycle-fallback-signal', improvementWorkflowId(id));
    const actions = (improvement.history as { action: string; taskId?: string }[]).filter((entry) => entry.taskId === task.id).map((entry) => entry.action);
    expect(actions).toContain('Accept');
    expect(actions, JSON.stringify(improvement.history)).not.toContain('decision refused');
    expect(await decisionAudits(task.id)).toHaveLength(1);
  }, 120_000);

  it('a decision the read model shows applied while its workflow lost it (worker and API died together) is applied when the decider submits it again', async () => {
    const { id, task } = await reviewTask('Closed in the read model, lost by the workflow');
    // What a worker that closed the task and died before its workflow task was recorded leaves behind.
    const decisionId = `lost-${task.id}`;
    const pg = new PgClient({ connectionString: env.DATABASE_URL });
    await pg.connect();
    try {
      await pg.query(`UPDATE task SET status = 'decided', outcome = 'accept', decided_by = $2, channel = 'api', decision_id = $3, decision = '{}'::jsonb, closed_at = now() WHERE id = $1`, [task.id, task.assignee, decisionId]);
    } finally {
      await pg.end();
    }
    const again = await api.call('POST', `/api/tasks/${task.id}/decision`, { actor: task.assignee, outcome: 'accept' }, { 'idempotency-key': decisionId });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const improvement = await improvementAt(api, id, 'prioritisation');
    expect((improvement.history as { action: string; taskId?: string }[]).filter((entry) => entry.taskId === task.id).map((entry) => entry.action)).toContain('Accept');
  }, 120_000);

  it('when Temporal cannot be reached, submitting an improvement answers 503 with Retry-After and starts nothing', async () => {
    const unreachable = createTemporalClient(`127.0.0.1:${await freePort()}`, 'default');
    const app = createApp({ temporal: unreachable, db, config: loadConfig(env, 'api'), adminToken, appSecret, logger: silentLogger });
    const listening = await listen(app, 0);
    try {
      const caller = createCaller(`http://localhost:${listening.port}`, adminToken);
      const before = await db.improvement.count();
      const response = await caller('POST', '/api/improvements', proposal(organisation, { title: 'Submitted while Temporal is down' }));
      expect(response.status, JSON.stringify(response.body)).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(response.body.error.message).toMatch(/Temporal.*unavailable.*try again/i);
      expect(await db.improvement.count()).toBe(before);
    } finally {
      await close(listening.server);
      await unreachable.connection.close().catch(() => undefined);
    }
  }, 120_000);
});
