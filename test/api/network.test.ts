import { connect } from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackAddress } from '../../api/routes/inbox';
import { createMigratedDatabase } from '../support/database';
import { startTestService, type TestService } from '../support/service';

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
