import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MailInbox } from '../embedded/inbox';
import { eventually, startTestService } from './support/service';

describe('the all-in-one service on embedded PostgreSQL', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opf-restart-'));
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
    expect(first.databaseUrl).toMatch(/^postgresql:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres/);

    const created = await first.call('POST', '/api/improvements', {
      title: 'Survive a restart',
      description: 'The embedded database persists under DATA_DIR.',
      proposer: 'restart@example.org',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await eventually(async () => {
      const response = await first.call('GET', `/api/improvements/${id}`);
      return response.body.stage === 'awaiting-review' ? response : undefined;
    });
    await inbox.waitFor((message) => message.subject.includes('Survive a restart'));
    await first.stop();

    const second = await startTestService({ dataDir, inbox, taskQueue: 'opf-restart', env: generatedSecrets });
    try {
      expect(second.generatedAdminToken).toBe(false);
      expect(second.adminToken).toBe(first.adminToken);
      const again = await second.call('GET', `/api/improvements/${id}`);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id, title: 'Survive a restart', stage: 'awaiting-review', status: 'active' });
      expect(again.body.history).toHaveLength(2);
      // Give a replaying worker the chance to (wrongly) resend before counting.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const acknowledgements = (await inbox.list()).filter((message) => message.subject.includes('Survive a restart'));
      expect(acknowledgements).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
