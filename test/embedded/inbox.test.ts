import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailInbox } from '../../embedded/inbox';

describe('the local inbox', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opf-inbox-'));
  const inbox = new MailInbox(path.join(dataDir, 'inbox'));
  beforeAll(() => inbox.start(0));
  afterAll(async () => {
    await inbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps each email, with its sign-in codes and links, readable by the service user only', async () => {
    await nodemailer.createTransport(inbox.smtpUrl).sendMail({ from: 'opf@example.org', to: 'orpg.lead@example.org', subject: 'Sign in to OPF Pipeline', text: 'code 123456' });
    await inbox.waitFor((message) => message.subject === 'Sign in to OPF Pipeline');
    expect(statSync(inbox.dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(inbox.dir).filter((file) => file.endsWith('.eml'));
    expect(files).toHaveLength(1);
    expect(statSync(path.join(inbox.dir, files[0]!)).mode & 0o777).toBe(0o600);
  });
});
