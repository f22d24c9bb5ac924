import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../prisma/database';
import { createMigratedDatabase } from '../support/database';
import { decisionLink, formProtection, openTask, type Organisation, people, proposal, registerOrganisation } from '../support/organisation';
import { eventually, startTestService, type TestService } from '../support/service';

function form(service: TestService, values: Record<string, string>) {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: service.url }, body: new URLSearchParams(values).toString(), redirect: 'manual' as const };
}

const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

/**
 * Six-digit codes can be guessed: the number of wrong guesses is limited per person, across every
 * link and code they were sent, with a lockout that grows each time.
 */
describe('limits on guessing sign-in and confirmation codes', () => {
  let service: TestService;
  let organisation: Organisation;
  let db: Database;
  const used = new Set<string>();

  beforeAll(async () => {
    const databaseUrl = await createMigratedDatabase();
    service = await startTestService({ databaseUrl, env: { CODE_FAILURES_PER_PERSON: '5', CODE_LOCKOUT: '2s', DECISION_CONFIRMATION: 'email-code' } });
    organisation = await registerOrganisation(service);
    db = createDatabase(databaseUrl, 1);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await service?.destroy();
  });

  async function askForSignIn(email: string): Promise<string> {
    expect((await fetch(`${service.url}/sign-in`, form(service, { email }))).status).toBe(200);
    const [mail] = await service.inbox.waitFor((message) => message.to.includes(email) && message.subject === 'Sign in to OPF Pipeline' && !used.has(message.id));
    used.add(mail!.id);
    return /code on the sign-in page: (\d{6})/.exec(mail!.text)![1]!;
  }

  const tryCode = (email: string, code: string) => fetch(`${service.url}/sign-in/code`, form(service, { email, code }));

  it('asking for a new sign-in email does not buy more guesses: five wrong codes across links lock the person out, for a while', async () => {
    const first = await askForSignIn(people.orpg);
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await tryCode(people.orpg, wrong(first))).status).toBe(403);
    const second = await askForSignIn(people.orpg);
    for (let attempt = 0; attempt < 2; attempt += 1) expect((await tryCode(people.orpg, wrong(second))).status).toBe(403);

    const refused = await tryCode(people.orpg, second);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toMatch(/Too many wrong codes for this address\. Try again in \d+ seconds?/);
    // Once the lockout ends, the right code of the unexpired link works.
    const signedIn = await eventually(async () => {
      const response = await tryCode(people.orpg, second);
      return response.status === 429 ? undefined : response;
    });
    expect(signedIn.status).toBe(303);
  });

  it('each lockout lasts longer than the one before, and an unregistered address is treated the same', async () => {
    const stranger = 'stranger@example.org';
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await tryCode(stranger, '123456')).status).toBe(403);
    const firstLockout = await tryCode(stranger, '123456');
    expect(firstLockout.status).toBe(429);
    const firstSeconds = Number(/Try again in (\d+) second/.exec(await firstLockout.text())![1]);
    expect(firstSeconds).toBeLessThanOrEqual(2);

    await eventually(async () => ((await tryCode(stranger, '123456')).status === 403 ? true : undefined));
    for (let attempt = 0; attempt < 4; attempt += 1) expect((await tryCode(stranger, '123456')).status).toBe(403);
    const secondLockout = await tryCode(stranger, '123456');
    expect(secondLockout.status).toBe(429);
    const secondSeconds = Number(/Try again in (\d+) second/.exec(await secondLockout.text())![1]);
    expect(secondSeconds).toBeGreaterThan(2);
  });

  it('stores a sign-in code as a keyed hash, not the SHA-256 of six digits', async () => {
    const code = await askForSignIn(people.auditor);
    const link = await db.signInLink.findFirst({ where: { personEmail: people.auditor }, orderBy: { createdAt: 'desc' } });
    expect(link!.codeHash).not.toBe(createHash('sha256').update(code).digest('hex'));
    expect(link!.codeHash).not.toContain(code);
    expect(link!.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('asking for a fresh confirmation code does not buy more guesses either', async () => {
    const created = await service.call('POST', '/api/improvements', proposal(organisation));
    const task = await openTask(service, created.body.id as string, 'review');
    const [mail] = await service.inbox.waitFor((message) => message.notificationKey === `${task.id}:task-assigned`);
    const link = decisionLink(mail!);
    const askForCode = async (): Promise<{ code: string; hidden: Record<string, string> }> => {
      const html = await (await fetch(link)).text();
      const asked = await fetch(link, form(service, { ...formProtection(html, 'accept'), outcome: 'accept' }));
      const page = await asked.text();
      expect(asked.status, page).toBe(200);
      const [codeMail] = await service.inbox.waitFor((message) => message.to.includes(people.orpg) && message.subject.startsWith('Your OPF Pipeline confirmation code') && !used.has(message.id));
      used.add(codeMail!.id);
      const hidden = Object.fromEntries([...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(([, name, value]) => [name!, value!]));
      return { code: /(\d{6})/.exec(codeMail!.subject)![1]!, hidden };
    };
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const { code, hidden } = await askForCode();
      expect((await fetch(link, form(service, { ...hidden, code: wrong(code) }))).status).toBe(403);
    }
    const html = await (await fetch(link)).text();
    const refused = await fetch(link, form(service, { ...formProtection(html, 'accept'), outcome: 'accept' }));
    expect(refused.status).toBe(429);
    expect(await refused.text()).toMatch(/Too many wrong codes/);
    expect((await service.call('GET', `/api/tasks/${task.id}`)).body.status).toBe('open');
  });
});
