import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { smtpMailer } from '../../mail/mailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDbActivities } from '../../activities/db';
import { createNotificationActivities, type NotificationRequest } from '../../activities/notifications';
import { MailInbox } from '../../embedded/inbox';
import { OutboxDispatcher } from '../../mail/outbox-dispatcher';
import { createDatabase, type Database } from '../../prisma/database';
import { createMigratedDatabase } from '../support/database';
import { improvementSnapshot } from '../support/improvement-snapshot';
import { silentLogger } from '../support/logger';

const publicUrl = 'http://localhost:3000';

function ended(improvementId: string, key: string): NotificationRequest {
  return { key, improvementId, kind: 'improvement-closed', to: 'proposer@example.org', template: { name: 'ended', improvementTitle: 'Outbox', status: 'closed', actor: 'orpg@example.org' } };
}

async function keysCaught(inbox: MailInbox): Promise<string[]> {
  return (await inbox.list()).map((message) => message.notificationKey ?? '');
}

describe('the outbox dispatcher sends every queued email once', () => {
  let db: Database;
  let inbox: MailInbox;
  let port: number;
  const improvementId = randomUUID();
  const dispatchers: OutboxDispatcher[] = [];

  function dispatcher(options: { leaseMs?: number; concurrency?: number } = {}): OutboxDispatcher {
    const mailer = smtpMailer(`smtp://127.0.0.1:${port}`, 'opf@example.org', 2_000);
    const created = new OutboxDispatcher({ db, mailer, publicUrl, logger: silentLogger, concurrency: options.concurrency ?? 4, leaseMs: options.leaseMs ?? 30_000, pollMs: 200 });
    dispatchers.push(created);
    created.start();
    return created;
  }

  beforeAll(async () => {
    db = createDatabase(await createMigratedDatabase(), 4);
    await createDbActivities({ db, calendar: { timeZone: 'UTC', holidays: [] } }).recordImprovement({ workflowId: `improvement-${improvementId}`, state: improvementSnapshot(improvementId, 'Outbox', 'review') });
    inbox = new MailInbox(mkdtempSync(path.join(os.tmpdir(), 'opf-outbox-')));
    port = await inbox.start(0);
  });
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((running) => running.stop()));
  });
  afterAll(async () => {
    await inbox?.stop();
    await db?.$disconnect();
  });

  it('queues at once while the SMTP server is down, and sends the email once when it is back', async () => {
    await inbox.stop();
    const key = `${randomUUID()}:ended`;
    const queued = await createNotificationActivities({ db, publicUrl }).sendNotification(ended(improvementId, key));
    expect(queued).toEqual({ status: 'queued' });
    dispatcher();
    await expect.poll(async () => (await db.notification.findUniqueOrThrow({ where: { notificationKey: key } })).lastError, { timeout: 15_000 }).toBeTruthy();
    await inbox.start(port);
    await inbox.waitFor((message) => message.notificationKey === key, { timeoutMs: 30_000 });
    await expect.poll(async () => (await db.notification.findUniqueOrThrow({ where: { notificationKey: key } })).status, { timeout: 10_000 }).toBe('sent');
    const row = await db.notification.findUniqueOrThrow({ where: { notificationKey: key } });
    expect(row.attempts).toBeGreaterThanOrEqual(2);
    expect((await keysCaught(inbox)).filter((caught) => caught === key)).toHaveLength(1);
  }, 60_000);

  it('with two workers dispatching one outbox, each of 30 emails is sent exactly once', async () => {
    const activities = createNotificationActivities({ db, publicUrl });
    const keys = Array.from({ length: 30 }, (_, index) => `${randomUUID()}:ended:${index}`);
    dispatcher({ concurrency: 3 });
    dispatcher({ concurrency: 3 });
    await Promise.all(keys.map((key) => activities.sendNotification(ended(improvementId, key))));
    // The same request again, as a retried activity or a replay sends it: still one email.
    await activities.sendNotification(ended(improvementId, keys[0]!));
    await expect.poll(async () => db.notification.count({ where: { notificationKey: { in: keys }, status: 'sent' } }), { timeout: 30_000 }).toBe(30);
    const caught = await keysCaught(inbox);
    for (const key of keys) expect(caught.filter((other) => other === key)).toHaveLength(1);
  }, 60_000);

  it('an email claimed by a worker that then crashed is sent by another once the lease runs out, not before', async () => {
    const key = `${randomUUID()}:ended`;
    await createNotificationActivities({ db, publicUrl }).sendNotification(ended(improvementId, key));
    // What a crashed worker leaves behind: the row claimed, its lease running, nothing marked sent.
    await db.$executeRaw`UPDATE notification SET lease_until = now() + interval '10 seconds', attempts = 1 WHERE notification_key = ${key}`;
    const { leaseUntil } = await db.notification.findUniqueOrThrow({ where: { notificationKey: key } });
    dispatcher();
    const [sent] = await inbox.waitFor((message) => message.notificationKey === key, { timeoutMs: 30_000 });
    expect(sent!.receivedAt.getTime()).toBeGreaterThanOrEqual(leaseUntil!.getTime());
    await expect.poll(async () => (await db.notification.findUniqueOrThrow({ where: { notificationKey: key } })).status, { timeout: 10_000 }).toBe('sent');
    expect((await keysCaught(inbox)).filter((caught) => caught === key)).toHaveLength(1);
  }, 60_000);
});
