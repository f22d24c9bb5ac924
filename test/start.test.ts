import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MailInbox } from '../embedded/inbox';
import { decide, openTask, proposal, registerOrganisation } from './support/organisation';
import { freePort } from '../embedded/free-port';
import { createEmptyDatabase } from './support/database';
import { eventually, startTestService } from './support/service';

describe('the all-in-one service on embedded PostgreSQL', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opf-restart-'));
  chmodSync(dataDir, 0o711); // as root the database server runs as `postgres`, which must pass through
  const inbox = new MailInbox(path.join(dataDir, 'received-mail'));
  afterAll(async () => {
    await inbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps improvements, secrets and sent mail across a restart, and sends nothing twice', async () => {
    await inbox.start(0);
    const generatedSecrets = { ADMIN_TOKEN: '', APP_SECRET: '' };
    const first = await startTestService({ dataDir, inbox, taskQueue: 'opf-restart', env: generatedSecrets });
    expect(first.generatedAdminToken).toBe(true);
    expect(statSync(path.join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(first.databaseUrl).toMatch(/^postgresql:\/\/postgres:[\w-]{32}@127\.0\.0\.1:\d+\/postgres$/);

    const organisation = await registerOrganisation(first);
    const created = await first.call('POST', '/api/improvements', proposal(organisation, { title: 'Survive a restart' }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const review = await openTask(first, id, 'review');
    await inbox.waitFor((message) => message.subject === 'Improvement proposal received: Survive a restart');
    await first.stop();

    const second = await startTestService({ dataDir, inbox, taskQueue: 'opf-restart', env: generatedSecrets });
    try {
      expect(second.generatedAdminToken).toBe(false);
      expect(second.adminToken).toBe(first.adminToken);
      const again = await second.call('GET', `/api/improvements/${id}`);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id, title: 'Survive a restart', stage: 'review', status: 'active' });
      expect(again.body.openTasks.map((task: { id: string }) => task.id)).toEqual([review.id]);
      await decide(second, review, 'accept');
      const score = await openTask(second, id, 'score');
      // The score task's email is sent after the restarted worker replayed the earlier steps, so a
      // wrongful resend of their emails would already have arrived.
      await inbox.waitFor((message) => message.notificationKey === `${score.id}:task-assigned`);
      const keys = (await inbox.list()).map((message) => message.notificationKey);
      expect(keys).toContain(`${id}:proposal:acknowledgement`);
      expect(keys).toContain(`${review.id}:task-assigned`);
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      await second.stop();
    }
  }, 180_000);
});

describe('npm start as a process', () => {
  it('prints where everything is and the generated admin token once, and drains cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opf-process-'));
    chmodSync(dataDir, 0o711);
    const inbox = new MailInbox(path.join(dataDir, 'received-mail'));
    await inbox.start(0);
    try {
      const first = await runUntilReadyThenTerminate(dataDir, inbox.smtpUrl);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/OPF Pipeline is ready \(\d+\.\d s\)/);
      expect(first.stdout).toMatch(/App: +http:\/\/localhost:\d+/);
      expect(first.stdout).toMatch(/Database: +embedded PostgreSQL in \S+postgres\n/);
      const token = /Admin token: +(\S+)/.exec(first.stdout)?.[1];
      expect(token).toMatch(/^[\w-]{30,}$/);
      expect(first.stdout).toContain('shutting down');

      const second = await runUntilReadyThenTerminate(dataDir, inbox.smtpUrl);
      expect(second.code).toBe(0);
      expect(second.stdout).not.toContain(token);
      expect(second.stdout).toMatch(/Admin token: +in .*secrets\.json/);
    } finally {
      await inbox.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});

async function runUntilReadyThenTerminate(dataDir: string, smtpUrl: string): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'start.ts'], {
    cwd: path.join(__dirname, '..'),
    env: {
      PATH: process.env.PATH,
      DATA_DIR: dataDir,
      PORT: '0',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `opf-process-${Date.now()}`,
      SMTP_URL: smtpUrl,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await eventually(() => Promise.resolve(stdout.includes('OPF Pipeline is ready') ? true : undefined), 60_000);
  child.kill('SIGTERM');
  const code = await Promise.race([exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000))]);
  if (code === 'hung') child.kill('SIGKILL');
  return { code: code === 'hung' ? -1 : code, stdout };
}

describe('a port already in use', () => {
  it('stops npm start within seconds, before anything starts, naming the setting', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opf-port-'));
    try {
      const startedAt = Date.now();
      const child = spawn(process.execPath, ['--import', 'tsx', 'start.ts'], {
        cwd: path.join(__dirname, '..'),
        env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(output).toContain(`PORT: port ${port} on 127.0.0.1 is already in use`);
      // Nothing was started: no database, no Temporal server.
      expect(output).not.toMatch(/postgres|temporal server/i);
      expect(Date.now() - startedAt).toBeLessThan(30_000);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('npm run api as its own process', () => {
  it('migrates, serves /readyz against real PostgreSQL and Temporal, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
      cwd: path.join(__dirname, '..'),
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        DATABASE_URL: await createEmptyDatabase(),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        ADMIN_TOKEN: 'separate-api-admin-token-0123',
        APP_SECRET: 'separate-api-app-secret-0123456789-0123456789',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually(() => Promise.resolve(output.includes('"api listening"') ? true : undefined), 60_000);
      expect(output).toContain('"migration applied"');
      // A probe answers within 2 s or counts as down; on a busy machine the first may not.
      const ready = await eventually(async () => {
        const response = await fetch(`http://localhost:${port}/readyz`);
        return response.status === 200 ? response : undefined;
      }, 30_000);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      const anonymous = await fetch(`http://localhost:${port}/api/improvements`);
      expect(anonymous.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('"api stopped"');
  });
});
