import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase } from '../support/database';
import { startTestService, type TestService } from '../support/service';

describe('registering organisational units and people over HTTP', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ databaseUrl: await createMigratedDatabase() });
  });
  afterAll(async () => {
    await service.destroy();
  });

  /** Registers a unit and returns its id. */
  async function createUnit(name: string, manager = 'Mia.Manager@example.org'): Promise<string> {
    const response = await service.call('POST', '/api/org-units', { name, manager });
    expect(response.status).toBe(201);
    return response.body.id as string;
  }

  it('creates a unit and reads it back, alone and in the list', async () => {
    const created = await service.call('POST', '/api/org-units', { name: '  Quality Assurance ', manager: 'Quinn.Lead@Example.org' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Quality Assurance', manager: 'quinn.lead@example.org', processes: [] });

    const read = await service.call('GET', `/api/org-units/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const list = await service.call('GET', '/api/org-units');
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(created.body);
  });

  it('answers 404 for an unknown unit and 400 for an id that is not one', async () => {
    const unknown = await service.call('GET', '/api/org-units/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/^id: /);
    const malformed = await service.call('GET', '/api/org-units/42');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/^params\.id: /);
  });

  it('refuses a second unit with the same name with a 409 naming the name', async () => {
    await createUnit('Procurement');
    const duplicate = await service.call('POST', '/api/org-units', { name: 'Procurement', manager: 'other@example.org' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('conflict');
    expect(duplicate.body.error.message).toMatch(/^name: /);
  });

  it('refuses a unit without a manager email, naming body.manager', async () => {
    const missing = await service.call('POST', '/api/org-units', { name: 'Legal' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('body.manager');
    const malformed = await service.call('POST', '/api/org-units', { name: 'Legal', manager: 'not-an-email' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toContain('body.manager');
  });

  it('registers a person with roles and a unit, and lists them by role', async () => {
    const unit = await createUnit('Operations');
    const registered = await service.call('POST', '/api/people', {
      email: 'Rita.Reviewer@Example.org',
      name: 'Rita Reviewer',
      roles: ['orpg', 'staff', 'orpg'],
      manager: 'Mia.Manager@example.org',
      orgUnit: unit,
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({
      email: 'rita.reviewer@example.org',
      name: 'Rita Reviewer',
      roles: ['orpg', 'staff'],
      manager: 'mia.manager@example.org',
      orgUnit: unit,
    });
    const plain = await service.call('POST', '/api/people', { email: 'sam.staff@example.org', name: 'Sam Staff', roles: ['staff'] });
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({ manager: null, orgUnit: null });

    const reviewers = await service.call('GET', '/api/people?role=orpg');
    expect(reviewers.status).toBe(200);
    expect(reviewers.body.items).toEqual([registered.body]);

    const everyone = await service.call('GET', '/api/people');
    expect(everyone.body.items.map((person: { email: string }) => person.email)).toEqual([
      'rita.reviewer@example.org',
      'sam.staff@example.org',
    ]);

    const one = await service.call('GET', '/api/people/RITA.REVIEWER@example.org');
    expect(one.status).toBe(200);
    expect(one.body).toEqual(registered.body);
  });

  it('updates a person who registers again (200) instead of duplicating them', async () => {
    const first = await service.call('POST', '/api/people', {
      email: 'olga.owner@example.org',
      name: 'Olga Owner',
      roles: ['staff'],
      manager: 'mia.manager@example.org',
    });
    expect(first.status).toBe(201);
    const again = await service.call('POST', '/api/people', {
      email: 'Olga.Owner@example.org',
      name: 'Olga Owner-Smith',
      roles: ['process-owner'],
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({
      email: 'olga.owner@example.org',
      name: 'Olga Owner-Smith',
      roles: ['process-owner'],
      manager: null,
      orgUnit: null,
    });
    const everyone = await service.call('GET', '/api/people');
    const olgas = everyone.body.items.filter((person: { email: string }) => person.email === 'olga.owner@example.org');
    expect(olgas).toEqual([again.body]);
  });

  it('answers 404 for a person nobody registered', async () => {
    const unknown = await service.call('GET', '/api/people/nobody@example.org');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('email: no person nobody@example.org');
  });

  it('refuses an unknown role, naming the offending entry, in a registration or a filter', async () => {
    const registration = await service.call('POST', '/api/people', { email: 'x@example.org', name: 'X', roles: ['wizard'] });
    expect(registration.status).toBe(400);
    expect(registration.body.error.message).toContain('body.roles.0');
    const none = await service.call('POST', '/api/people', { email: 'x@example.org', name: 'X', roles: [] });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toContain('body.roles');
    const filter = await service.call('GET', '/api/people?role=wizard');
    expect(filter.status).toBe(400);
    expect(filter.body.error.message).toContain('query.role');
  });

  it('refuses a person in an organisational unit that does not exist with a 422 naming orgUnit', async () => {
    const response = await service.call('POST', '/api/people', {
      email: 'lost@example.org',
      name: 'Lost',
      roles: ['staff'],
      orgUnit: '00000000-0000-4000-8000-000000000000',
    });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('unprocessable');
    expect(response.body.error.message).toMatch(/^orgUnit: /);
    const absent = await service.call('GET', '/api/people/lost@example.org');
    expect(absent.status).toBe(404);
  });

  it('refuses unknown fields in a unit or a person', async () => {
    const unit = await service.call('POST', '/api/org-units', { name: 'Finance', manager: 'f@example.org', budget: 10 });
    expect(unit.status).toBe(400);
    expect(unit.body.error.message).toContain('budget');
    const person = await service.call('POST', '/api/people', { email: 'p@example.org', name: 'P', roles: ['staff'], admin: true });
    expect(person.status).toBe(400);
    expect(person.body.error.message).toContain('admin');
  });

  it('requires the admin token to register or read units and people', async () => {
    const anonymous = { authorization: '' };
    const calls = await Promise.all([
      service.call('POST', '/api/org-units', { name: 'Security', manager: 's@example.org' }, anonymous),
      service.call('GET', '/api/org-units', undefined, anonymous),
      service.call('POST', '/api/people', { email: 's@example.org', name: 'S', roles: ['staff'] }, anonymous),
      service.call('GET', '/api/people', undefined, { authorization: 'Bearer not-the-token' }),
      service.call('GET', '/api/people/s@example.org', undefined, anonymous),
    ]);
    expect(calls.map((response) => response.status)).toEqual([401, 401, 401, 401, 401]);
  });
});
