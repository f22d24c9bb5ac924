import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../api/app';
import { isLoopbackAddress } from '../../api/routes/inbox';
import { close, createTemporalClient, listen } from '../../api/server';
import { loadConfig } from '../../config';
import { MailInbox } from '../../embedded/inbox';
import { createDatabase } from '../../prisma/database';
import { createMigratedDatabase } from '../support/database';
import { silentLogger } from '../support/logger';
import { people, proposal, registerOrganisation } from '../support/organisation';
import { eventually, startTestService, testAdminToken, type TestService } from '../support/service';

/** This machine's first IPv4 address that is not loopback: how another host on the network reaches it. */
function networkAddress(): string {
  const address = Object.values(os.networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
  if (!address) throw new Error('these tests need a network interface besides loopback (os.networkInterfaces() lists none)');
  return address;
}

/** Resolves with 'connected' or the connection error's code. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Signs `email` in with the code mailed to the service's own inbox; returns the session cookie. */
async function signIn(service: TestService, email: string): Promise<string> {
  const form = (values: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(values).toString(),
    redirect: 'manual' as const,
  });
  expect((await fetch(`${service.url}/sign-in`, form({ email }))).status).toBe(200);
  const embeddedInbox = new MailInbox(path.join(service.dataDir, 'inbox'));
  const [mail] = await embeddedInbox.waitFor((message) => message.to.includes(email) && message.subject === 'Sign in to OPF Pipeline');
  const code = /code on the sign-in page: (\d{6})/.exec(mail!.text)![1]!;
  const signedIn = await fetch(`${service.url}/sign-in/code`, form({ email, code, next: '/dashboard' }));
  expect(signedIn.status).toBe(303);
  return (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
}

// The whole service with its own inbox for mail (no SMTP_URL), as `npm start` runs it on a laptop.
const embeddedMail = { SMTP_URL: '', INBOX_SMTP_PORT: '0' };

describe('on embedded defaults, the service is for the machine it runs on', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ databaseUrl: await createMigratedDatabase(), env: embeddedMail });
  });
  afterAll(() => service?.destroy());

  it('listens on loopback only: another host on the network cannot connect', async () => {
    expect(service.address.address).toBe('127.0.0.1');
    expect(await tryConnect(networkAddress(), service.address.port)).toBe('ECONNREFUSED');
    expect(await tryConnect('127.0.0.1', service.address.port)).toBe('connected');
  });

  it('title search takes % and _ as the characters they are, not as wildcards', async () => {
    const organisation = await registerOrganisation(service);
    for (const title of ['Audit 100% of the claims_backlog', 'Audit 1000 items of the claims-backlog']) {
      expect((await service.call('POST', '/api/improvements', proposal(organisation, { title }))).status).toBe(201);
    }
    const cookie = await signIn(service, people.orpg);
    const search = async (q: string) => {
      const page = await fetch(`${service.url}/dashboard?${new URLSearchParams({ q }).toString()}`, { headers: { cookie } });
      expect(page.status).toBe(200);
      const html = await page.text();
      return ['100%', '1000'].filter((marker) => html.includes(`Audit ${marker}`));
    };
    await eventually(async () => ((await search('Audit')).length === 2 ? true : undefined));
    expect(await search('100%')).toEqual(['100%']);
    expect(await search('claims_backlog')).toEqual(['100%']);
    expect(await search('%')).toEqual(['100%']);
  });

  it('serves the local inbox to a browser on this machine, but not to a request relayed by a proxy', async () => {
    const local = await fetch(`http://127.0.0.1:${service.address.port}/inbox`);
    expect(local.status).toBe(200);
    expect(await local.text()).toContain('<h1>Local inbox</h1>');
    const relayed = await fetch(`http://127.0.0.1:${service.address.port}/inbox`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(relayed.status).toBe(403);
  });
});

describe('with HOST=0.0.0.0, the service answers the network but keeps the inbox local', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ databaseUrl: await createMigratedDatabase(), env: { ...embeddedMail, HOST: '0.0.0.0' } });
  });
  afterAll(() => service?.destroy());

  it('another host reaches the sign-in page, and is refused the inbox and each email in it, saying why', async () => {
    const fromNetwork = `http://${networkAddress()}:${service.address.port}`;
    expect((await fetch(`${fromNetwork}/sign-in`)).status).toBe(200);
    const inbox = await fetch(`${fromNetwork}/inbox`);
    expect(inbox.status).toBe(403);
    expect(await inbox.text()).toContain('the local inbox is served only to a browser on the machine running OPF Pipeline');
    expect((await fetch(`${fromNetwork}/inbox/000001764000000-00000000-0000-4000-8000-000000000000`)).status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${service.address.port}/inbox`)).status).toBe(200);
  });
});

describe('the loopback check', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['192.0.2.2', false],
    ['::ffff:192.0.2.2', false],
    ['fd00::2', false],
    ['1270.0.0.1', false],
    [undefined, false],
  ])('%s is loopback: %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });
});

describe('what the API believes of the network it is on', () => {
  let databaseUrl: string;
  const servers: Server[] = [];
  beforeAll(async () => {
    databaseUrl = await createMigratedDatabase();
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => close(server)));
  });

  /** The API alone (no worker), with these settings, on a free loopback port. */
  async function serve(env: NodeJS.ProcessEnv): Promise<string> {
    const config = loadConfig({ DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), LOG_LEVEL: 'error', ...env }, 'api');
    const db = createDatabase(databaseUrl, 2);
    const temporal = createTemporalClient(config.TEMPORAL_ADDRESS as string, config.TEMPORAL_NAMESPACE);
    const app = createApp({ temporal, db, config, adminToken: testAdminToken, appSecret: 'network-test-app-secret-0123456789-01', logger: silentLogger });
    const { server, port } = await listen(app, 0);
    servers.push(server);
    server.once('close', () => void Promise.all([db.$disconnect(), temporal.connection.close()]));
    return `http://127.0.0.1:${port}`;
  }

  it('over plain http, pages do not tell browsers to upgrade their forms to https', async () => {
    const url = await serve({ PUBLIC_URL: 'http://opf.lan:3000' });
    const policy = (await fetch(`${url}/sign-in`)).headers.get('content-security-policy') ?? '';
    expect(policy).toContain("form-action 'self'");
    expect(policy).not.toContain('upgrade-insecure-requests');
  });

  it('behind an https public URL, pages tell browsers to upgrade insecure requests', async () => {
    const url = await serve({ PUBLIC_URL: 'https://opf.example.org' });
    const policy = (await fetch(`${url}/sign-in`)).headers.get('content-security-policy') ?? '';
    expect(policy).toContain('upgrade-insecure-requests');
  });

  // Unknown decision links: each request counts against the client's budget and answers 404.
  const decisionPage = (url: string, forwardedFor: string) =>
    fetch(`${url}/decide/${randomBytes(32).toString('base64url')}`, { headers: { 'x-forwarded-for': forwardedFor } });

  it('by default believes no X-Forwarded-For: a client rotating it still meets the rate limit', async () => {
    const url = await serve({ DECISION_RATE_LIMIT: '3' });
    for (const client of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) expect((await decisionPage(url, client)).status).toBe(404);
    expect((await decisionPage(url, '198.51.100.4')).status).toBe(429);
  });

  it('with TRUST_PROXY=loopback, a proxy on this machine names the client', async () => {
    const url = await serve({ DECISION_RATE_LIMIT: '3', TRUST_PROXY: 'loopback' });
    for (const client of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']) expect((await decisionPage(url, client)).status).toBe(404);
  });
});
