import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase } from '../support/database';
import { decisionLink, type Organisation, openTask, people, proposal, registerOrganisation, submitDecisionPage } from '../support/organisation';
import { createCaller, startTestService, type TestService } from '../support/service';

/** The service's own logs, at info level, never hold a token, a link secret or a code. */
describe('what the logs keep', () => {
  let service: TestService;
  let organisation: Organisation;
  let logs = '';

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs += chunk.toString();
        done();
      },
    });
    service = await startTestService({
      databaseUrl: await createMigratedDatabase(),
      logger: pino({ level: 'info', redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' } }, sink),
      env: { DECISION_CONFIRMATION: 'email-code' },
    });
    organisation = await registerOrganisation(service);
  });
  afterAll(async () => {
    await service?.destroy();
  });

  it('logs requests, but no admin or API token, decision-link token, sign-in token or one-time code', async () => {
    const issued = await service.call('POST', `/api/people/${people.orpg}/tokens`, { name: 'logs' });
    const apiToken = issued.body.token as string;
    expect((await createCaller(service.url, apiToken)('GET', '/api/improvements')).status).toBe(200);

    const created = await service.call('POST', '/api/improvements', proposal(organisation));
    const task = await openTask(service, created.body.id, 'review');
    const [mail] = await service.inbox.waitFor((message) => message.notificationKey === `${task.id}:task-assigned`);
    const link = decisionLink(mail!);
    await submitDecisionPage(link, 'accept');
    const [codeMail] = await service.inbox.waitFor((message) => message.subject.startsWith('Your OPF Pipeline confirmation code'));
    const code = /(\d{6})/.exec(codeMail!.subject)![1]!;

    await fetch(`${service.url}/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=${encodeURIComponent(people.chief)}` });
    const [signInMail] = await service.inbox.waitFor((message) => message.to.includes(people.chief) && message.subject === 'Sign in to OPF Pipeline');
    const signInLink = /Sign in: (\S+)/.exec(signInMail!.text)![1]!;
    await fetch(signInLink);

    expect(logs).toContain('"url":"/decide/[token]"');
    expect(logs).toContain('"url":"/sign-in/link/[token]"');
    for (const secret of [service.adminToken, apiToken, link.split('/decide/')[1]!, signInLink.split('/sign-in/link/')[1]!]) {
      expect(logs.includes(secret), `a secret appeared in the logs`).toBe(false);
    }
    // Six digits alone also occur inside timestamps: look for the code as a value.
    expect(logs).not.toMatch(new RegExp(`code\\W{1,3}${code}|"${code}"`));
  });
});
