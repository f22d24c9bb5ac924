import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../prisma/database';
import { seedOrganisation } from '../../prisma/seed';
import { createMigratedDatabase } from '../support/database';
import { people, registerOrganisation } from '../support/organisation';
import { type ApiClient, createCaller, startTestService, type TestService } from '../support/service';

/** A decision-link-shaped token that matches no link. */
const unknownLinkToken = () => randomBytes(32).toString('base64url');

/** Issues an API token for a registered person (as the admin) and returns it with a client that uses it. */
async function tokenFor(service: TestService, email: string, name = 'laptop'): Promise<{ id: string; token: string; as: ApiClient }> {
  const issued = await service.call('POST', `/api/people/${email}/tokens`, { name });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  return { id: issued.body.id as string, token: issued.body.token as string, as: { call: createCaller(service.url, issued.body.token as string) } };
}

function expectSecurityHeaders(headers: Headers) {
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('content-security-policy')).toContain("form-action 'self'");
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-powered-by')).toBeNull();
}

describe('a hardened service', () => {
  let service: TestService;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createMigratedDatabase();
    service = await startTestService({ databaseUrl });
    await registerOrganisation(service);
  });
  afterAll(async () => {
    await service?.destroy();
  });

  describe('security headers', () => {
    it('are sent on API responses, successful or not, and nothing names the framework', async () => {
      const ok = await service.call('GET', '/api/org-units');
      expect(ok.status).toBe(200);
      expectSecurityHeaders(ok.headers);
      const refused = await service.call('GET', '/api/org-units', undefined, { authorization: 'Bearer not-a-token' });
      expect(refused.status).toBe(401);
      expectSecurityHeaders(refused.headers);
    });

    it('are sent on decision pages, so a page cannot post its form elsewhere or leak its link as a referrer', async () => {
      const response = await fetch(`${service.url}/decide/${unknownLinkToken()}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('text/html');
      expectSecurityHeaders(response.headers);
    });
  });

  describe('deeply nested JSON', () => {
    it('is refused with a 400 naming the nesting, not a 500, whether objects or arrays, on any route', async () => {
      const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
      const deepArray = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
      for (const [pathname, body] of [
        [`/api/tasks/${randomUUID()}/decision`, `{"actor":"${people.orpg}","outcome":"accept","fields":{"comment":${deepObject}}}`],
        [`/api/tasks/${randomUUID()}/decision`, `{"actor":"${people.orpg}","outcome":"accept","fields":{"comment":${deepArray}}}`],
        ['/api/improvements', `{"title":${deepArray}}`],
      ]) {
        const response = await service.call('POST', pathname!, body);
        expect(response.status, JSON.stringify(response.body)).toBe(400);
        expect(response.body.error.code).toBe('too_deep');
        expect(response.body.error.message).toMatch(/^body: nested deeper than \d+ levels/);
      }
      const shallow = await service.call('POST', `/api/tasks/${randomUUID()}/decision`, { actor: people.orpg, outcome: 'accept', fields: { comment: 'Shallow enough', tags: ['a', 'b'] } });
      expect(shallow.status).toBe(404);
    });
  });

  describe('the audit trail', () => {
    let staff: ApiClient;
    let auditor: ApiClient;

    beforeAll(async () => {
      staff = (await tokenFor(service, people.proposer)).as;
      auditor = (await tokenFor(service, people.auditor)).as;
      const refused = await staff.call('POST', '/api/org-units', { name: 'Shadow IT', manager: people.proposer });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
    });

    it('records what was done and what was refused, for auditors to read', async () => {
      const response = await auditor.call('GET', '/api/audit');
      expect(response.status).toBe(200);
      const items = response.body.items as { actor: string; action: string; target: string; outcome: string; details: any; requestId: string | null }[];
      expect(items).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'admin', action: 'org-unit.create', outcome: 'ok' })]));
      const created = items.find((item) => item.action === 'org-unit.create');
      expect(created?.details).toMatchObject({ name: 'Claims', manager: people.claimsManager });
      const refusal = items.find((item) => item.outcome === 'refused' && item.actor === people.proposer && item.target === '/api/org-units');
      expect(refusal, JSON.stringify(items.filter((item) => item.outcome === 'refused'))).toBeDefined();
      expect(refusal!.action).toContain('POST');
      expect(refusal!.details).toMatchObject({ status: 403, code: 'forbidden' });
      expect(refusal!.requestId).toEqual(expect.any(String));
    });

    it('narrows by actor and action', async () => {
      const byActor = await auditor.call('GET', `/api/audit?actor=${encodeURIComponent(people.proposer)}`);
      expect(byActor.status).toBe(200);
      expect(byActor.body.items.length).toBeGreaterThan(0);
      expect(byActor.body.items.every((item: { actor: string }) => item.actor === people.proposer)).toBe(true);
      const byAction = await auditor.call('GET', '/api/audit?action=org-unit.create');
      expect(byAction.body.items.map((item: { action: string }) => item.action)).toEqual(['org-unit.create', 'org-unit.create']);
    });

    it('exports as CSV with a header row', async () => {
      const response = await fetch(`${service.url}/api/audit?format=csv`, { headers: { authorization: `Bearer ${(await tokenFor(service, people.auditor, 'export')).token}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/csv');
      expect(response.headers.get('content-disposition')).toContain('attachment');
      const text = await response.text();
      const [header, ...rows] = text.split('\r\n').filter(Boolean);
      expect(header).toBe('at,actor,action,target,outcome,details,requestId');
      expect(rows.some((row) => row.includes('org-unit.create'))).toBe(true);
      expect(rows.some((row) => row.includes(',refused,'))).toBe(true);
    });

    it('is closed to staff', async () => {
      const response = await staff.call('GET', '/api/audit');
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
    });

    it('cannot be changed or deleted, even directly in the database', async () => {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const before = await client.query<{ count: string }>('SELECT count(*) FROM audit_entry');
        expect(Number(before.rows[0]!.count)).toBeGreaterThan(0);
        await expect(client.query("UPDATE audit_entry SET actor = 'x'")).rejects.toThrow(/append-only/);
        await expect(client.query('DELETE FROM audit_entry')).rejects.toThrow(/append-only/);
        await expect(client.query('TRUNCATE audit_entry')).rejects.toThrow(/append-only/);
        const after = await client.query<{ count: string; rewritten: string }>("SELECT count(*), count(*) FILTER (WHERE actor = 'x') AS rewritten FROM audit_entry");
        expect(after.rows[0]!.count).toBe(before.rows[0]!.count);
        expect(after.rows[0]!.rewritten).toBe('0');
      } finally {
        await client.end();
      }
    });
  });

  describe('API tokens', () => {
    it('work as a bearer token until revoked, and are never shown again after issue', async () => {
      const issued = await service.call('POST', `/api/people/${people.actionOwner}/tokens`, { name: 'cli', expiresInDays: 7 });
      expect(issued.status).toBe(201);
      expect(issued.body).toEqual({ id: expect.any(String), name: 'cli', token: expect.stringMatching(/^opf_[\w-]{43}$/), expiresAt: expect.any(String) });
      const days = (Date.parse(issued.body.expiresAt as string) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(6.9);
      expect(days).toBeLessThanOrEqual(7);
      const token = issued.body.token as string;
      const owner = { call: createCaller(service.url, token) };

      const me = await owner.call('GET', `/api/people/${people.actionOwner}`);
      expect(me.status).toBe(200);
      expect(me.body.email).toBe(people.actionOwner);

      const listed = await owner.call('GET', `/api/people/${people.actionOwner}/tokens`);
      expect(listed.status).toBe(200);
      expect(listed.body.items).toContainEqual(expect.objectContaining({ id: issued.body.id, name: 'cli', revokedAt: null, lastUsedAt: expect.any(String) }));
      expect(JSON.stringify(listed.body)).not.toContain(token);
      expect(JSON.stringify(listed.body)).not.toContain(token.slice(4));
      for (const item of listed.body.items) expect(Object.keys(item).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'revokedAt']);

      const revoked = await service.call('DELETE', `/api/people/${people.actionOwner}/tokens/${issued.body.id}`);
      expect(revoked.status).toBe(204);
      const after = await owner.call('GET', `/api/people/${people.actionOwner}`);
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('unauthenticated');
      const again = await service.call('DELETE', `/api/people/${people.actionOwner}/tokens/${issued.body.id}`);
      expect(again.status).toBe(404);
    });

    it('refuses a negative or zero lifetime, naming body.expiresInDays', async () => {
      for (const expiresInDays of [-1, 0, 366, 1.5]) {
        const response = await service.call('POST', `/api/people/${people.actionOwner}/tokens`, { name: 'bad', expiresInDays });
        expect(response.status, String(expiresInDays)).toBe(400);
        expect(response.body.error.code).toBe('invalid_input');
        expect(response.body.error.message).toContain('body.expiresInDays');
      }
    });

    it('cannot be issued by one person for another', async () => {
      const { as: staff } = await tokenFor(service, people.claimsManager);
      const response = await staff.call('POST', `/api/people/${people.auditor}/tokens`, { name: 'stolen' });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
      const listedForOther = await staff.call('GET', `/api/people/${people.auditor}/tokens`);
      expect(listedForOther.status).toBe(403);
      const auditorTokens = await service.call('GET', `/api/people/${people.auditor}/tokens`);
      expect(auditorTokens.body.items.map((item: { name: string }) => item.name)).not.toContain('stolen');
      const own = await staff.call('POST', `/api/people/${people.claimsManager}/tokens`, { name: 'second device' });
      expect(own.status).toBe(201);
    });

    it('cannot be revoked by another person', async () => {
      const victim = await tokenFor(service, people.paymentsManager, 'victim');
      const { as: attacker } = await tokenFor(service, people.owner, 'attacker');
      const response = await attacker.call('DELETE', `/api/people/${people.paymentsManager}/tokens/${victim.id}`);
      expect(response.status).toBe(403);
      expect((await victim.as.call('GET', '/api/org-units')).status).toBe(200);
    });
  });
});

describe('rate limiting of decisions', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ databaseUrl: await createMigratedDatabase(), env: { DECISION_RATE_LIMIT: '5', TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => {
    await service?.destroy();
  });

  // The limit is per client address. With TRUST_PROXY=loopback the API believes X-Forwarded-For
  // from a proxy on loopback, so each test is a different client and has the whole budget to itself.

  it('answers 429 on the sixth decision page request within a minute, to that client only', async () => {
    const client = { 'x-forwarded-for': '198.51.100.7' };
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await fetch(`${service.url}/decide/${unknownLinkToken()}`, { headers: client });
      expect(response.status, `attempt ${attempt}`).toBe(404);
    }
    const limited = await fetch(`${service.url}/decide/anything-at-all`, { headers: client });
    expect(limited.status).toBe(429);
    const body = (await limited.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toEqual(expect.any(String));
    const posted = await fetch(`${service.url}/decide/${unknownLinkToken()}`, {
      method: 'POST',
      headers: { ...client, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=accept',
    });
    expect(posted.status).toBe(429);

    const someoneElse = await fetch(`${service.url}/decide/${unknownLinkToken()}`, { headers: { 'x-forwarded-for': '198.51.100.8' } });
    expect(someoneElse.status).toBe(404);
  });

  it('answers 429 on the sixth API decision within a minute', async () => {
    const client = { 'x-forwarded-for': '198.51.100.9' };
    const decision = { actor: people.orpg, outcome: 'accept' };
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await service.call('POST', `/api/tasks/${randomUUID()}/decision`, decision, client);
      expect(response.status, `attempt ${attempt}: ${JSON.stringify(response.body)}`).toBe(404);
    }
    const limited = await service.call('POST', `/api/tasks/${randomUUID()}/decision`, decision, client);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    // Reading is not rate limited.
    expect((await service.call('GET', '/api/org-units', undefined, client)).status).toBe(200);
  });
});

describe('seeding the organisation from a file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'opf-seed-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers the units and people of SEED_FILE on first start', async () => {
    const file = path.join(dir, 'organisation.json');
    writeFileSync(
      file,
      JSON.stringify({
        orgUnits: [{ name: 'Claims', manager: 'm@example.org' }],
        people: [{ email: 'orpg@example.org', name: 'O', roles: ['orpg'], orgUnit: 'Claims' }],
      }),
    );
    const service = await startTestService({ databaseUrl: await createMigratedDatabase(), env: { SEED_FILE: file } });
    try {
      const units = await service.call('GET', '/api/org-units');
      expect(units.body.items).toEqual([{ id: expect.any(String), name: 'Claims', manager: 'm@example.org', processes: [] }]);
      const person = await service.call('GET', '/api/people/orpg@example.org');
      expect(person.status).toBe(200);
      expect(person.body).toEqual({ email: 'orpg@example.org', name: 'O', roles: ['orpg'], manager: null, orgUnit: units.body.items[0].id });
    } finally {
      await service.destroy();
    }
  });

  it('refuses a seed file with a person without roles, naming SEED_FILE and the field', async () => {
    const file = path.join(dir, 'no-roles.json');
    writeFileSync(file, JSON.stringify({ orgUnits: [], people: [{ email: 'someone@example.org', name: 'Someone' }] }));
    const db = createDatabase(await createMigratedDatabase(), 2);
    try {
      const seeding = seedOrganisation(db, file);
      await expect(seeding).rejects.toThrow(/SEED_FILE/);
      await expect(seeding).rejects.toThrow(/people\.0\.roles/);
      expect(await db.person.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });
});
