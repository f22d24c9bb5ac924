import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase } from '../support/database';
import { type Organisation, people, proposal as fullProposal, registerOrganisation } from '../support/organisation';
import { eventually, startTestService, type TestService } from '../support/service';

describe('submitting an improvement over HTTP', () => {
  let service: TestService;
  let organisation: Organisation;
  beforeAll(async () => {
    service = await startTestService({ databaseUrl: await createMigratedDatabase() });
    organisation = await registerOrganisation(service);
  });
  afterAll(async () => {
    await service.destroy();
  });

  const proposal = () => fullProposal(organisation, { proposer: 'Ann.Proposer@example.org' });

  it('records the improvement, emails the proposer over SMTP and reports its stage', async () => {
    const created = await service.call('POST', '/api/improvements', proposal());
    expect(created.status).toBe(201);
    const { title } = proposal();
    expect(created.body).toMatchObject({ title, processOwner: people.owner, stage: 'review', status: 'active' });
    expect(created.headers.get('location')).toBe(`/api/improvements/${created.body.id}`);
    const id = created.body.id as string;

    const [email] = await service.inbox.waitFor((message) => message.subject === `Improvement proposal received: ${title}`);
    expect(email!.to).toEqual(['ann.proposer@example.org']);
    expect(email!.from).toContain('OPF Pipeline');
    expect(email!.text).toContain(`Follow it here: ${service.url}/improvements/${id}`);

    const improvement = await eventually(async () => {
      const response = await service.call('GET', `/api/improvements/${id}`);
      return response.body.history?.length === 2 ? response : undefined;
    });
    expect(improvement.status).toBe(200);
    expect(improvement.body).toMatchObject({
      id,
      title,
      proposer: 'ann.proposer@example.org',
      process: 'Incident Management',
      source: 'incident',
      stage: 'review',
      status: 'active',
      openTasks: [{ step: 'review', assignee: people.orpg, escalationLevel: 0 }],
    });
    expect(improvement.body.history.map((entry: { action: string }) => entry.action)).toEqual(['submitted', `asked ${people.orpg}`]);
    expect(improvement.body.notifications).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'acknowledgement', recipient: 'ann.proposer@example.org', status: 'sent' })]),
    );
  });

  it('refuses a proposal with missing or malformed fields, naming each one, and starts nothing', async () => {
    const response = await service.call('POST', '/api/improvements', { title: 'x', proposer: 'not-an-email', colour: 'red' });
    const before = await service.call('GET', '/api/improvements');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_input');
    const fields = response.body.error.details.fields.map((field: { field: string }) => field.field);
    expect(fields).toEqual(expect.arrayContaining(['body.title', 'body.description', 'body.proposer', 'body']));
    expect(response.body.error.message).toContain('body.proposer');
    expect(response.body.error.message).toContain('colour');
    expect(fields).toEqual(expect.arrayContaining(['body.processOwner', 'body.processId', 'body.orgUnits', 'body.source', 'body.pilot']));
    const after = await service.call('GET', '/api/improvements');
    expect(after.body.total).toBe(before.body.total);
  });

  it('refuses a body that is not JSON with a 400 that says so', async () => {
    const response = await service.call('POST', '/api/improvements', '{"title":');
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe('body: not valid JSON');
  });

  it('refuses a body over the size limit with a 413', async () => {
    const response = await service.call('POST', '/api/improvements', { ...proposal(), description: 'x'.repeat(200_000) });
    expect(response.status).toBe(413);
  });

  it('requires the admin token to submit or read', async () => {
    const anonymous = await service.call('POST', '/api/improvements', proposal(), { authorization: '' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.message).toMatch(/^authorization: /);
    const wrong = await service.call('GET', '/api/improvements/00000000-0000-4000-8000-000000000000', undefined, {
      authorization: 'Bearer not-the-token',
    });
    expect(wrong.status).toBe(401);
  });

  it('answers 404 for an unknown improvement and 400 for an id that is not one', async () => {
    const unknown = await service.call('GET', '/api/improvements/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    const malformed = await service.call('GET', '/api/improvements/42');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/^params\.id: /);
  });

  it('tags every response with a request id, echoing a caller-supplied one', async () => {
    const response = await service.call('GET', '/healthz', undefined, { 'x-request-id': 'trace-abc-123' });
    expect(response.headers.get('x-request-id')).toBe('trace-abc-123');
    const generated = await service.call('GET', '/healthz');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
