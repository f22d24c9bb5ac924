import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxMessage } from '../../embedded/inbox';
import { createLogger } from '../../log';
import { createMigratedDatabase } from '../support/database';
import { formProtection, improvementAt, type Organisation, people, proposal, registerOrganisation } from '../support/organisation';
import { createCaller, startTestService, type TestService } from '../support/service';

const appSecret = 'logs-test-app-secret-0123456789-0123456789';

function form(values: Record<string, string>, headers: Record<string, string> = {}) {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(values).toString(), redirect: 'manual' as const };
}

/** Every secret the service issued or was sent during the test, to look for in the logs. */
class Secrets {
  readonly values = new Set<string>();
  readonly codes = new Set<string>();

  add(kind: 'value' | 'code', secret: string | undefined): string {
    if (!secret) throw new Error('expected a secret');
    (kind === 'code' ? this.codes : this.values).add(secret);
    return secret;
  }

  /** The session cookie a response set, as a Cookie header. */
  cookieOf(response: Response): string {
    const match = /^opf_session=([\w-]+)/.exec(response.headers.get('set-cookie') ?? '');
    return `opf_session=${this.add('value', match?.[1])}`;
  }
}

/**
 * The service's logs, at trace level over a whole improvement lifecycle, hold no secret: no session
 * cookie, API or admin token, decision or sign-in link token, sign-in or confirmation code.
 */
describe('what the logs keep', () => {
  let service: TestService;
  let organisation: Organisation;
  let logs = '';
  const secrets = new Secrets();
  const used = new Set<string>();

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs += chunk.toString();
        done();
      },
    });
    service = await startTestService({
      databaseUrl: await createMigratedDatabase(),
      logger: createLogger('trace', { process: 'test' }, sink),
      env: { DECISION_CONFIRMATION: 'email-code', APP_SECRET: appSecret },
    });
    organisation = await registerOrganisation(service);
  });
  afterAll(async () => {
    await service?.destroy();
  });

  /** Decides the next task emailed to `to` from its link, confirming with the emailed code; the path's case as given. */
  async function decideFromEmail(to: string, stepTitle: string, outcome: string, fields: Record<string, string> = {}, upperCasePath = false) {
    const [email] = await service.inbox.waitFor((message: InboxMessage) => message.to.includes(to) && message.subject.startsWith(`Action needed: ${stepTitle}`) && !used.has(message.id), { timeoutMs: 30_000 });
    used.add(email!.id);
    const token = secrets.add('value', /Decide here: \S+\/decide\/([\w-]+)/.exec(email!.text)?.[1]);
    const link = `${service.url}/${upperCasePath ? 'DECIDE' : 'decide'}/${token}`;
    const html = await (await fetch(link)).text();
    const protection = formProtection(html, outcome);
    secrets.add('value', protection.form_token);
    const asked = await fetch(link, form({ ...protection, outcome, ...fields }));
    const askedHtml = await asked.text();
    expect(askedHtml, askedHtml).toContain('Confirm your decision');
    const [codeMail] = await service.inbox.waitFor((message) => message.to.includes(to) && message.subject.startsWith('Your OPF Pipeline confirmation code') && !used.has(message.id));
    used.add(codeMail!.id);
    const code = secrets.add('code', /(\d{6})/.exec(codeMail!.subject)?.[1]);
    const hidden = Object.fromEntries([...askedHtml.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(([, name, value]) => [name!, value!]));
    const confirmed = await fetch(link, form({ ...hidden, code }));
    expect(confirmed.status, await confirmed.clone().text()).toBe(200);
  }

  async function signInMail(email: string): Promise<{ token: string; code: string }> {
    await fetch(`${service.url}/sign-in`, form({ email }, { origin: service.url }));
    const [mail] = await service.inbox.waitFor((message) => message.to.includes(email) && message.subject === 'Sign in to OPF Pipeline' && !used.has(message.id));
    used.add(mail!.id);
    return {
      token: secrets.add('value', /\/sign-in\/link\/([\w-]+)/.exec(mail!.text)?.[1]),
      code: secrets.add('code', /code on the sign-in page: (\d{6})/.exec(mail!.text)?.[1]),
    };
  }

  it('over a whole lifecycle at trace level, logs one line per request and no secret of any kind', async () => {
    secrets.add('value', service.adminToken);
    secrets.add('value', appSecret);
    const issued = await service.call('POST', `/api/people/${people.orpg}/tokens`, { name: 'logs' });
    const apiToken = secrets.add('value', issued.body.token as string);
    const asOrpg = createCaller(service.url, apiToken);
    expect((await asOrpg('GET', '/api/improvements')).status).toBe(200);
    // A token in a query string (a misconfigured client) is not logged either.
    await fetch(`${service.url}/api/improvements?access_token=${apiToken}&limit=5`);

    // Sign-in by link, by code and by API token: each sets a session cookie, then used on pages.
    const byLink = await signInMail(people.chief);
    await fetch(`${service.url}/SIGN-IN/LINK/${byLink.token}`);
    const chiefCookie = secrets.cookieOf(await fetch(`${service.url}/sign-in/link/${byLink.token}`, form({}, { origin: service.url })));
    const byCode = await signInMail(people.owner);
    const ownerCookie = secrets.cookieOf(await fetch(`${service.url}/sign-in/code`, form({ email: people.owner, code: byCode.code }, { origin: service.url })));
    const orpgCookie = secrets.cookieOf(await fetch(`${service.url}/sign-in/token`, form({ token: apiToken }, { origin: service.url })));
    for (const cookie of [chiefCookie, ownerCookie, orpgCookie]) expect((await fetch(`${service.url}/dashboard`, { headers: { cookie } })).status).toBe(200);

    const created = await service.call('POST', '/api/improvements', proposal(organisation, { title: 'Logs lifecycle' }));
    expect(created.status).toBe(201);
    await decideFromEmail(people.orpg, 'Review the improvement proposal', 'accept', { comment: 'Clear' }, true);
    await decideFromEmail(people.orpg, 'Score the improvement', 'score', { cost: '2', benefit: '5', risk: '2', barriers: '1', comment: '' });
    await decideFromEmail(people.chief, 'Approve the improvement for planning', 'approve');
    await decideFromEmail(people.owner, 'Submit the process action plan', 'submit', {
      objectives: 'Every review names a root cause',
      actions: `Write the RCA template | ${people.actionOwner} | 30s`,
      pilotStrategy: '',
      measures: 'Repeat incidents per quarter',
      risks: '',
    });
    await decideFromEmail(people.chief, 'Approve the process action plan', 'approve');
    await decideFromEmail(people.actionOwner, 'Report completion of a planned action', 'complete', { comment: 'Done' });
    await decideFromEmail(people.claimsManager, 'Adopt the improved process in your unit', 'adopt');
    await decideFromEmail(people.auditor, 'Record the compliance audit result', 'compliant');
    await decideFromEmail(people.owner, 'Record lessons learned', 'submit', { lessons: 'Pilot first', measuredEffect: 'Fewer repeats' });
    await decideFromEmail(people.orpg, 'Confirm the lessons learned and close', 'confirm');
    await improvementAt(service, created.body.id as string, 'closed');
    for (const cookie of [chiefCookie, ownerCookie]) await fetch(`${service.url}/measures/acceptance.csv`, { headers: { cookie } });
    await fetch(`${service.url}/sign-out`, form({}, { cookie: orpgCookie, origin: service.url }));

    const lines = logs.trim().split('\n');
    if (process.env.LOG_SCAN_FILE) writeFileSync(process.env.LOG_SCAN_FILE, logs);
    console.log(`log scan: ${lines.length} lines, ${logs.length} bytes, ${secrets.values.size} secrets and ${secrets.codes.size} codes looked for`);
    expect(lines.length).toBeGreaterThan(50);
    const requestLines = lines.map((line) => JSON.parse(line) as Record<string, any>).filter((entry) => entry.req);
    expect(requestLines.some((entry) => entry.req.url === '/DECIDE/[token]')).toBe(true);
    expect(requestLines.some((entry) => entry.req.url === '/SIGN-IN/LINK/[token]')).toBe(true);
    expect(requestLines.some((entry) => entry.req.url === '/api/improvements?access_token=[redacted]&limit=5')).toBe(true);
    for (const entry of requestLines) {
      expect(Object.keys(entry.req).sort()).toEqual(['id', 'method', 'url']);
      expect(Object.keys(entry.res)).toEqual(['statusCode']);
    }
    const hits = [...secrets.values].filter((secret) => logs.includes(secret));
    // Six digits also occur inside longer numbers (timestamps): look for a code standing alone.
    const codeHits = [...secrets.codes].filter((code) => new RegExp(`(?<![\\w.-])${code}(?![\\w.-])`).test(logs));
    expect(hits.length + codeHits.length, 'secrets found in the logs').toBe(0);
    expect(logs.toLowerCase()).not.toMatch(/set-cookie|"cookie"|authorization|bearer /);
  });
});
