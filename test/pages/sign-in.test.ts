import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailInbox } from '../../embedded/inbox';
import { type Organisation, openTask, people, proposal, startServiceWithOrganisation } from '../support/organisation';
import { eventually, type TestService } from '../support/service';

function form(values: Record<string, string>) {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(values).toString(), redirect: 'manual' as const };
}

function cookieOf(response: Response): string {
  const header = response.headers.get('set-cookie') ?? '';
  expect(header).toMatch(/^opf_session=[\w-]+;.*HttpOnly.*SameSite=Lax/i);
  return header.split(';')[0]!;
}

describe('signing in to the pages, and the operators’ metrics', () => {
  let service: TestService;
  let organisation: Organisation;
  beforeAll(async () => {
    ({ service, organisation } = await startServiceWithOrganisation());
  });
  afterAll(() => service?.destroy());

  it('pages send a person who is not signed in to sign in, and back afterwards', async () => {
    const response = await fetch(`${service.url}/escalations`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/sign-in?next=%2Fescalations');
  });

  it('the emailed link asks before it signs in (a scanner opening it does nothing), then signs in once', async () => {
    const asked = await fetch(`${service.url}/sign-in`, form({ email: people.chief, next: '/escalations' }));
    expect(asked.status).toBe(200);
    const [mail] = await service.inbox.waitFor((message) => message.to.includes(people.chief) && message.subject === 'Sign in to OPF Pipeline');
    const link = /Sign in: (\S+)/.exec(mail!.text)![1]!;
    const opened = await fetch(link);
    expect(await opened.text()).toContain('Continue');
    const signedIn = await fetch(link, form({}));
    expect(signedIn.status).toBe(303);
    const cookie = cookieOf(signedIn);
    const page = await fetch(`${service.url}/escalations`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Escalations</h1>');
    expect((await fetch(link, form({}))).status).toBe(410);
  });

  it('the emailed code signs in too; a wrong code does not; only same-site paths follow', async () => {
    await fetch(`${service.url}/sign-in`, form({ email: people.orpg, next: 'https://evil.example/' }));
    const [mail] = await service.inbox.waitFor((message) => message.to.includes(people.orpg) && message.subject === 'Sign in to OPF Pipeline');
    const code = /code on the sign-in page: (\d{6})/.exec(mail!.text)![1]!;
    const wrong = await fetch(`${service.url}/sign-in/code`, form({ email: people.orpg, code: code === '000000' ? '111111' : '000000', next: '/dashboard' }));
    expect(wrong.status).toBe(403);
    const right = await fetch(`${service.url}/sign-in/code`, form({ email: people.orpg, code, next: 'https://evil.example/' }));
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/dashboard');
    cookieOf(right);
  });

  it('an unknown address gets the same answer and no email', async () => {
    const response = await fetch(`${service.url}/sign-in`, form({ email: 'stranger@example.org' }));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('If stranger@example.org is registered');
    // A registered person asking next gets their email after the stranger's request was handled.
    await fetch(`${service.url}/sign-in`, form({ email: people.auditor }));
    await service.inbox.waitFor((message) => message.to.includes(people.auditor) && message.subject === 'Sign in to OPF Pipeline');
    expect((await service.inbox.list()).some((message) => message.to.includes('stranger@example.org'))).toBe(false);
  });

  it('/metrics reports improvements by stage, overdue tasks, the outbox and decisions for Prometheus', async () => {
    const created = await service.call('POST', '/api/improvements', proposal(organisation, { durations: { default: { due: '1s', remindBefore: '1s', escalateAfter: '1h' } } }));
    const review = await openTask(service, created.body.id, 'review');
    // Due one second after it opened: the metrics count it overdue once that second has passed.
    const metrics = await eventually(async () => {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      return /^opf_overdue_tasks [1-9]\d*$/m.test(text) ? text : undefined;
    });
    expect(metrics).toMatch(/^opf_improvements\{stage="review",status="active"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^opf_overdue_tasks [1-9]\d*$/m);
    expect(metrics).toMatch(/^opf_outbox_depth \d+$/m);
    expect(metrics).toMatch(/^opf_outbox_send_failures 0$/m);
    await service.call('POST', `/api/tasks/${review.id}/decision`, { actor: people.orpg, outcome: 'accept' });
    const after = await (await fetch(`${service.url}/metrics`)).text();
    expect(after).toMatch(/^opf_decision_latency_seconds_count\{step="review"\} 1$/m);
    expect(after).toMatch(/^opf_decisions_total\{result="applied"\} 1$/m);
  });
});

describe('sign-in forms sent from another site (login CSRF)', () => {
  let service: TestService;
  beforeAll(async () => {
    ({ service } = await startServiceWithOrganisation());
  });
  afterAll(() => service?.destroy());

  it('a form on another site cannot sign the browser in, by token, code or link; the same form from the service can', async () => {
    const issued = await service.call('POST', `/api/people/${people.orpg}/tokens`, { name: 'attacker' });
    const token = issued.body.token as string;
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of crossSite) {
      for (const [path, values] of [['/sign-in/token', { token }], ['/sign-in/code', { email: people.orpg, code: '123456' }], ['/sign-in', { email: people.orpg }], ['/sign-in/link/abcdefghijklmnopqrstuvwxyz', {}]] as const) {
        const sent = form(values);
        const response = await fetch(`${service.url}${path}`, { ...sent, headers: { ...sent.headers, ...headers } });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(response.headers.get('set-cookie')).toBeNull();
        expect(await response.text()).toContain('sent from another site');
      }
    }
    const sent = form({ token });
    const sameOrigin = await fetch(`${service.url}/sign-in/token`, { ...sent, headers: { ...sent.headers, origin: service.url, 'sec-fetch-site': 'same-origin' } });
    expect(sameOrigin.status).toBe(303);
    cookieOf(sameOrigin);
  });
});

/** Relays SMTP to `target` after holding each connection for `delayMs`: a slow mail server. */
async function slowSmtpRelay(target: URL, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    const timer = setTimeout(() => {
      const upstream = net.connect(Number(target.port), target.hostname);
      sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      upstream.on('error', () => client.destroy());
    }, delayMs);
    client.on('error', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('asking for a sign-in email while the mail server is slow', () => {
  const smtpDelayMs = 5_000;
  let service: TestService;
  let inbox: MailInbox;
  let relay: Awaited<ReturnType<typeof slowSmtpRelay>>;
  beforeAll(async () => {
    inbox = new MailInbox(mkdtempSync(path.join(os.tmpdir(), 'opf-slow-mail-')));
    await inbox.start(0);
    relay = await slowSmtpRelay(new URL(inbox.smtpUrl), smtpDelayMs);
    ({ service } = await startServiceWithOrganisation({ inbox, env: { SMTP_URL: relay.url } }));
  });
  afterAll(async () => {
    await service?.destroy();
    await relay?.close();
    await inbox?.stop();
    rmSync(inbox.dir, { recursive: true, force: true });
  });

  it('a registered address is answered without waiting for the mail server, exactly as an unknown one (no timing tells them apart)', async () => {
    const ask = async (email: string) => {
      const started = Date.now();
      const response = await fetch(`${service.url}/sign-in`, form({ email }));
      const body = (await response.text()).replaceAll(email, 'EMAIL');
      return { status: response.status, body, ms: Date.now() - started };
    };
    const unknown = await ask('stranger@example.org');
    const registered = await ask(people.auditor);
    expect(registered.status).toBe(unknown.status);
    expect(registered.body).toBe(unknown.body);
    // The mail server holds every connection for smtpDelayMs: an answer that waited for it would take longer.
    expect(registered.ms, `answered in ${registered.ms} ms with SMTP delayed ${smtpDelayMs} ms`).toBeLessThan(smtpDelayMs);
    const [mail] = await inbox.waitFor((message) => message.to.includes(people.auditor) && message.subject === 'Sign in to OPF Pipeline', { timeoutMs: 30_000 });
    expect(mail!.text).toMatch(/code on the sign-in page: \d{6}/);
  });
});

describe('revoking an API token', () => {
  let service: TestService;
  beforeAll(async () => {
    ({ service } = await startServiceWithOrganisation());
  });
  afterAll(() => service?.destroy());

  it('ends the page sessions started with it, and no other', async () => {
    const issued = await service.call('POST', `/api/people/${people.orpg}/tokens`, { name: 'revoked' });
    const cookie = cookieOf(await fetch(`${service.url}/sign-in/token`, form({ token: issued.body.token as string })));
    const other = await service.call('POST', `/api/people/${people.orpg}/tokens`, { name: 'kept' });
    const otherCookie = cookieOf(await fetch(`${service.url}/sign-in/token`, form({ token: other.body.token as string })));
    expect((await fetch(`${service.url}/dashboard`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);

    expect((await service.call('DELETE', `/api/people/${people.orpg}/tokens/${issued.body.id as string}`)).status).toBe(204);
    const after = await fetch(`${service.url}/dashboard`, { headers: { cookie }, redirect: 'manual' });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/sign-in?next=%2Fdashboard');
    expect((await fetch(`${service.url}/dashboard`, { headers: { cookie: otherCookie }, redirect: 'manual' })).status).toBe(200);
  });

  it('a session started with a token ends when the token expires, even if the session would last longer', async () => {
    const issued = await service.call('POST', `/api/people/${people.owner}/tokens`, { name: 'short', expiresInDays: 1 });
    const signedIn = await fetch(`${service.url}/sign-in/token`, form({ token: issued.body.token as string }));
    const expires = /Expires=([^;]+)/i.exec(signedIn.headers.get('set-cookie') ?? '')![1]!;
    expect(new Date(expires).getTime()).toBeLessThanOrEqual(new Date(issued.body.expiresAt as string).getTime());
  });
});

describe('signing out', () => {
  let service: TestService;
  beforeAll(async () => {
    ({ service } = await startServiceWithOrganisation());
  });
  afterAll(() => service?.destroy());

  it('ends the session: the cookie no longer opens pages', async () => {
    const issued = await service.call('POST', `/api/people/${people.orpg}/tokens`, { name: 'sign-out' });
    const signedIn = await fetch(`${service.url}/sign-in/token`, form({ token: issued.body.token as string }));
    const cookie = cookieOf(signedIn);
    expect((await fetch(`${service.url}/dashboard`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
    const out = await fetch(`${service.url}/sign-out`, { ...form({}), headers: { ...form({}).headers, cookie } });
    expect(out.status).toBe(303);
    expect((await fetch(`${service.url}/dashboard`, { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
  });
});
