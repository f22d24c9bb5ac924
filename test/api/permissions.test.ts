import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase } from '../support/database';
import { type Organisation, proposal, registerOrganisation } from '../support/organisation';
import { type ApiClient, createCaller, startTestService, type TestService } from '../support/service';
import { actAs } from '../support/tokens';

const roles = ['staff', 'process-owner', 'orpg', 'management', 'auditor'] as const;
type Role = (typeof roles)[number];
const everyone = roles;

interface Case {
  route: string;
  allowed: readonly Role[];
  /** The request, made as `email` holding `role`. */
  request: (client: ApiClient, email: string) => Promise<{ status: number; body: any }>;
}

describe('the permission matrix, enforced on every route', () => {
  let service: TestService;
  let organisation: Organisation;
  const clients = new Map<Role, { client: ApiClient; email: string }>();

  beforeAll(async () => {
    service = await startTestService({ databaseUrl: await createMigratedDatabase() });
    organisation = await registerOrganisation(service);
    for (const role of roles) {
      const email = `${role}.member@example.org`;
      clients.set(role, { client: await actAs(service, email, [role]), email });
    }
  });
  afterAll(async () => {
    await service?.destroy();
  });

  const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

  // The matrix the README documents: each route, the roles that may use it.
  const cases: Case[] = [
    { route: 'POST /api/improvements (as themself)', allowed: everyone, request: (c) => c.call('POST', '/api/improvements', { ...proposal(organisation), proposer: undefined }) },
    { route: 'GET /api/improvements', allowed: everyone, request: (c) => c.call('GET', '/api/improvements') },
    { route: 'GET /api/improvements/:id', allowed: everyone, request: (c) => c.call('GET', `/api/improvements/${randomUUID()}`) },
    { route: 'POST /api/improvements/:id/withdraw', allowed: everyone, request: (c) => c.call('POST', `/api/improvements/${randomUUID()}/withdraw`, { reason: 'x' }) },
    { route: 'GET /api/tasks/:id', allowed: everyone, request: (c) => c.call('GET', `/api/tasks/${randomUUID()}`) },
    { route: 'POST /api/tasks/:id/decision', allowed: everyone, request: (c) => c.call('POST', `/api/tasks/${randomUUID()}/decision`, { outcome: 'accept' }) },
    { route: 'POST /api/tasks/:id/reassign', allowed: ['orpg'], request: (c) => c.call('POST', `/api/tasks/${randomUUID()}/reassign`, { to: 'orpg.lead@example.org', reason: 'x' }) },
    { route: 'GET /api/org-units', allowed: everyone, request: (c) => c.call('GET', '/api/org-units') },
    { route: 'POST /api/org-units', allowed: ['orpg'], request: (c) => c.call('POST', '/api/org-units', { name: `Unit ${randomUUID()}`, manager: 'm@example.org' }) },
    { route: 'PUT /api/org-units/:id/processes', allowed: ['orpg'], request: (c) => c.call('PUT', `/api/org-units/${organisation.paymentsUnit}/processes`, { processes: [] }) },
    { route: 'GET /api/processes', allowed: everyone, request: (c) => c.call('GET', '/api/processes') },
    { route: 'GET /api/processes/:id', allowed: everyone, request: (c) => c.call('GET', `/api/processes/${randomUUID()}`) },
    { route: 'POST /api/processes', allowed: ['orpg'], request: (c) => c.call('POST', '/api/processes', { name: `Process ${randomUUID()}`, owner: 'process.owner@example.org' }) },
    { route: 'POST /api/processes/:id/versions', allowed: ['orpg', 'process-owner'], request: (c) => c.call('POST', `/api/processes/${randomUUID()}/versions`, { summary: 'Next' }) },
    { route: 'GET /api/adoption', allowed: everyone, request: (c) => c.call('GET', '/api/adoption') },
    { route: 'GET /api/people', allowed: everyone, request: (c) => c.call('GET', '/api/people') },
    { route: 'POST /api/people', allowed: ['orpg'], request: (c) => c.call('POST', '/api/people', { email: `${randomUUID()}@example.org`, name: 'New', roles: ['staff'] }) },
    { route: 'POST /api/people/:email/tokens (own)', allowed: everyone, request: (c, email) => c.call('POST', `/api/people/${email}/tokens`, { name: 'second' }) },
    { route: "POST /api/people/:email/tokens (someone else's)", allowed: [], request: (c) => c.call('POST', '/api/people/chief@example.org/tokens', { name: 'stolen' }) },
    { route: 'POST /api/people/:email/delegations (own)', allowed: everyone, request: (c, email) => c.call('POST', `/api/people/${email}/delegations`, { delegate: 'chief@example.org', from: future(10), until: future(11) }) },
    { route: "POST /api/people/:email/delegations (someone else's)", allowed: ['orpg'], request: (c) => c.call('POST', '/api/people/auditor@example.org/delegations', { delegate: 'chief@example.org', from: future(10), until: future(11) }) },
    { route: 'GET /api/audit', allowed: ['orpg', 'auditor'], request: (c) => c.call('GET', '/api/audit') },
  ];

  const table = cases.flatMap((testCase) => roles.map((role) => ({ ...testCase, role, expected: testCase.allowed.includes(role) ? 'allowed' : 'forbidden' })));

  it.each(table)('$route as $role: $expected', async ({ request, role, allowed }) => {
    const { client, email } = clients.get(role)!;
    const response = await request(client, email);
    if (allowed.includes(role)) {
      expect([401, 403], JSON.stringify(response.body)).not.toContain(response.status);
      expect(response.status).toBeLessThan(500);
    } else {
      expect(response.status, JSON.stringify(response.body)).toBe(403);
      expect(response.body.error.message).toMatch(/^(authorization|email|body\.proposer): /);
    }
  });

  it.each(cases)('$route without a token: 401', async ({ request }) => {
    const anonymous: ApiClient = { call: (method, path, body) => createCaller(service.url, '')(method, path, body, { authorization: '' }) };
    const response = await request(anonymous, 'nobody@example.org');
    expect(response.status).toBe(401);
  });

  it('a person may only submit proposals as themself; the ORPG may submit for someone', async () => {
    const staff = clients.get('staff')!.client;
    const forOther = await staff.call('POST', '/api/improvements', proposal(organisation, { proposer: 'someone.else@example.org' }));
    expect(forOther.status).toBe(403);
    const own = await staff.call('POST', '/api/improvements', { ...proposal(organisation), proposer: undefined });
    expect(own.status).toBe(201);
    expect(own.body.proposer).toBe('staff.member@example.org');
    const orpg = clients.get('orpg')!.client;
    const onBehalf = await orpg.call('POST', '/api/improvements', proposal(organisation, { proposer: 'someone.else@example.org' }));
    expect(onBehalf.status).toBe(201);
  });

  it('a revoked or unknown token is refused with 401', async () => {
    const unknown = await createCaller(service.url, `opf_${'x'.repeat(43)}`)('GET', '/api/improvements');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe('authorization: the token is not valid (unknown, expired or revoked)');
  });
});
