import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../api/app';
import { close, createTemporalClient, listen } from '../api/server';
import { loadConfig } from '../config';
import { MailInbox } from '../embedded/inbox';
import { createDatabase, type Database } from '../prisma/database';
import { createMigratedDatabase } from './support/database';
import { silentLogger } from './support/logger';
import { decide, improvementAt, type Organisation, openTask, people, proposal, registerOrganisation } from './support/organisation';
import { type ApiClient, createCaller, eventually } from './support/service';

const root = path.join(__dirname, '..');
const adminToken = 'durability-admin-token-0123456789';
const appSecret = 'durability-app-secret-0123456789-0123456789';

/**
 * The API in this process and the worker as a separate process that the test kills with SIGKILL,
 * as a crash would: no decision may be lost and no email sent twice.
 */
describe('durability across worker crashes', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opf-durability-'));
  const inbox = new MailInbox(path.join(dataDir, 'mail'));
  const taskQueue = `opf-durability-${Date.now()}`;
  let env: NodeJS.ProcessEnv;
  let server: Server;
  let db: Database;
  let api: ApiClient;
  let organisation: Organisation;
  let worker: ChildProcess | undefined;
  /** Every worker process this file starts, killed in afterAll whatever failed. */
  const started = new Set<ChildProcess>();
  const temporal = createTemporalClient(inject('temporalAddress'), 'default');

  beforeAll(async () => {
    await inbox.start(0);
    env = {
      PATH: process.env.PATH,
      DATABASE_URL: await createMigratedDatabase(),
      DATABASE_POOL_MAX: '4',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      SMTP_URL: inbox.smtpUrl,
      ADMIN_TOKEN: adminToken,
      APP_SECRET: appSecret,
      DATA_DIR: dataDir,
      DECISION_WAIT_MS: '1500',
      DECISION_RATE_LIMIT: '100000',
      LOG_LEVEL: 'warn',
    };
    const config = loadConfig(env, 'api');
    db = createDatabase(env.DATABASE_URL as string, 4);
    const app = createApp({ temporal, db, config, adminToken, appSecret, logger: silentLogger });
    const listening = await listen(app, 0);
    server = listening.server;
    api = { call: createCaller(`http://localhost:${listening.port}`, adminToken) };
  });
  afterAll(async () => {
    await Promise.all([...started].map((child) => crash(child)));
    await close(server);
    await temporal.connection.close();
    await db.$disconnect();
    await inbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'worker.ts'], {
      cwd: root,
      env: { ...env, PUBLIC_URL: 'http://localhost:3000', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.add(child);
    child.once('exit', () => started.delete(child));
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(() => Promise.resolve(output.includes('"worker started"') ? true : undefined), 60_000).catch(async () => {
      await crash(child);
      throw new Error(`worker did not start:\n${output}`);
    });
    return child;
  }

  async function crash(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  const AFTER_CRASH_MS = 120_000;

  it('a decision made while no worker runs is received at once and applied when a worker returns; a killed worker loses nothing and sends nothing twice', async () => {
    worker = await startWorker();
    organisation = await registerOrganisation(api);
    const created = await api.call('POST', '/api/improvements', proposal(organisation, { title: 'Durable improvement' }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await decide(api, await openTask(api, id, 'review'), 'accept');
    await decide(api, await openTask(api, id, 'score'), 'score', { cost: 1, benefit: 4, risk: 1, barriers: 1 });
    const steering = await openTask(api, id, 'steering');
    await inbox.waitFor((mail) => mail.notificationKey === `${steering.id}:task-assigned`);

    await crash(worker);
    const startedAt = Date.now();
    const received = await api.call('POST', `/api/tasks/${steering.id}/decision`, { actor: people.chief, outcome: 'approve', fields: { comment: 'Go ahead' } });
    expect(received.status).toBe(202);
    expect(received.body).toEqual({ status: 'received', taskId: steering.id, outcome: 'approve' });
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect((await improvementAt(api, id, 'prioritisation')).openTasks).toHaveLength(1);

    worker = await startWorker();
    const planning = await improvementAt(api, id, 'planning');
    expect(planning.history.filter((entry: { action: string }) => entry.action === 'Approve for planning')).toEqual([
      expect.objectContaining({ actor: people.chief, channel: 'api', comment: 'Go ahead' }),
    ]);

    const plan = await openTask(api, id, 'plan');
    await decide(api, plan, 'submit', {
      objectives: 'Fewer repeat incidents',
      actions: `Write the template | ${people.actionOwner} | 1m`,
      measures: 'Repeat incidents per quarter',
    });
    // Killed right after the decision: the workflow is mid-way through opening the next task.
    await crash(worker);
    worker = await startWorker();

    // The killed worker's activity must reach its 30 s start-to-close timeout before the new
    // worker retries it, so this wait is longer than the others.
    await decide(api, await openTask(api, id, 'plan-approval', undefined, AFTER_CRASH_MS), 'approve');
    await decide(api, await openTask(api, id, 'action'), 'complete');
    await decide(api, await openTask(api, id, 'adoption'), 'adopt');
    await decide(api, await openTask(api, id, 'audit'), 'compliant');
    await decide(api, await openTask(api, id, 'lessons'), 'submit', { lessons: 'Crash-proof', measuredEffect: 'As planned' });
    await decide(api, await openTask(api, id, 'lessons-confirm'), 'confirm');
    expect((await improvementAt(api, id, 'closed')).status).toBe('closed');
    await inbox.waitFor((mail) => mail.subject === 'Improvement closed: Durable improvement');

    // The last email is marked sent just after the receiver has it.
    await expect.poll(async () => (await db.notification.findMany({ where: { improvementId: id, status: { not: 'sent' } } })).length, { timeout: 30_000 }).toBe(0);
    const notifications = await db.notification.findMany({ where: { improvementId: id } });
    // A worker killed between the SMTP server's acceptance and the outbox marking the row sent
    // sends that message again with the same Message-ID, which a mailbox shows once (SMTP cannot
    // tell whether the first copy arrived). A second Message-ID for one email is a duplicate.
    const messageIdsByKey = new Map<string, Set<string>>();
    for (const mail of await inbox.list()) {
      if (!mail.notificationKey) continue;
      messageIdsByKey.set(mail.notificationKey, (messageIdsByKey.get(mail.notificationKey) ?? new Set()).add(mail.messageId ?? mail.id));
    }
    const sentTwice = [...messageIdsByKey].filter(([, messageIds]) => messageIds.size > 1).map(([key]) => key);
    expect(sentTwice).toEqual([]);
    expect([...messageIdsByKey.keys()].sort()).toEqual(notifications.map((notification) => notification.notificationKey).sort());
    // Each crash leaves an activity to time out before a new worker retries it; that takes a while.
  }, 360_000);
});
