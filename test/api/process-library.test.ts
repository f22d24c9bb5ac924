import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../prisma/database';
import { draftVersion, publishVersion, recordAdoption, recordWaiver } from '../../repositories/process-library';
import { createMigratedDatabase } from '../support/database';
import { type Organisation, people, proposal, registerOrganisation } from '../support/organisation';
import { eventually, startTestService, type TestService } from '../support/service';
import { actAs } from '../support/tokens';

describe('the process asset library over HTTP', () => {
  let service: TestService;
  let db: Database;
  let organisation: Organisation;

  beforeAll(async () => {
    const url = await createMigratedDatabase();
    service = await startTestService({ databaseUrl: url });
    db = createDatabase(url, 2);
    organisation = await registerOrganisation(service);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await service?.destroy();
  });

  const addProcess = async (name: string, extra: Record<string, unknown> = {}) => {
    const response = await service.call('POST', '/api/processes', { name, owner: people.owner, ...extra });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as { id: string; name: string };
  };

  it('the ORPG adds a standard process; everyone reads it in the library, with no version yet', async () => {
    const created = await service.call('POST', '/api/processes', {
      name: '  Change Management ',
      owner: 'Process.Owner@example.org',
      purpose: 'Changes reach production safely',
      url: 'https://wiki.example.org/change',
      tailoringGuidelines: 'Small units may merge the approval steps.',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/processes/${created.body.id}`);
    expect(created.body).toMatchObject({ name: 'Change Management', owner: people.owner, purpose: 'Changes reach production safely', currentVersion: null, versions: [], units: [] });

    const staff = await actAs(service, 'reader@example.org', ['staff']);
    const list = await staff.call('GET', '/api/processes');
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(expect.objectContaining({ id: created.body.id, name: 'Change Management', currentVersion: null, units: 0 }));
    const read = await staff.call('GET', `/api/processes/${created.body.id}`);
    expect(read.body).toEqual(created.body);
  });

  it('refuses a duplicate name (409), an owner who is not a process owner (422) and a bad link (400), naming the field', async () => {
    await addProcess('Problem Management');
    const duplicate = await service.call('POST', '/api/processes', { name: 'Problem Management', owner: people.owner });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.message).toMatch(/^name: /);
    const notOwner = await service.call('POST', '/api/processes', { name: 'Capacity Management', owner: people.proposer });
    expect(notOwner.status).toBe(422);
    expect(notOwner.body.error.message).toMatch(/^owner: /);
    const badLink = await service.call('POST', '/api/processes', { name: 'Capacity Management', owner: people.owner, url: 'javascript:alert(1)' });
    expect(badLink.status).toBe(400);
    expect(badLink.body.error.message).toMatch(/^body\.url: /);
    const missing = await service.call('POST', '/api/processes', { owner: people.owner });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^body\.name: /);
  });

  it('drafts numbered versions; only the ORPG or the process owner may draft', async () => {
    const process = await addProcess('Release Management');
    const first = await service.call('POST', `/api/processes/${process.id}/versions`, { summary: 'First edition', url: 'https://wiki.example.org/release/1', effectiveFrom: '2027-01-04T00:00:00Z' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ number: 1, status: 'draft', summary: 'First edition', effectiveFrom: '2027-01-04T00:00:00.000Z', publishedAt: null });

    const owner = await actAs(service, people.owner, ['process-owner']);
    const second = await owner.call('POST', `/api/processes/${process.id}/versions`, { summary: 'Adds a rollback plan' });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ number: 2, status: 'draft', createdBy: people.owner });

    const otherOwner = await actAs(service, 'other.owner@example.org', ['process-owner']);
    const refused = await otherOwner.call('POST', `/api/processes/${process.id}/versions`, { summary: 'Not mine' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/^authorization: /);
    const unknown = await service.call('POST', `/api/processes/${randomUUID()}/versions`, { summary: 'Nowhere' });
    expect(unknown.status).toBe(404);
    const empty = await service.call('POST', `/api/processes/${process.id}/versions`, { summary: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/^body\.summary: /);

    const read = await service.call('GET', `/api/processes/${process.id}`);
    expect(read.body.versions.map((version: { number: number }) => version.number)).toEqual([2, 1]);
    expect(read.body.currentVersion).toBeNull();
  });

  it('a new unit names the processes that apply to it; PUT replaces them; unknown processes are refused naming the field', async () => {
    const incident = await addProcess('Incident Review');
    const access = await addProcess('Access Review');
    const unit = await service.call('POST', '/api/org-units', { name: 'Acquired Brokerage', manager: 'broker.boss@example.org', processes: [incident.id] });
    expect(unit.status, JSON.stringify(unit.body)).toBe(201);
    expect(unit.body.processes).toEqual([incident.id]);

    const replaced = await service.call('PUT', `/api/org-units/${unit.body.id}/processes`, { processes: [access.id] });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ processes: [access.id], added: [access.id], removed: [incident.id] });
    expect((await service.call('GET', `/api/org-units/${unit.body.id}`)).body.processes).toEqual([access.id]);

    const unknown = randomUUID();
    const refused = await service.call('PUT', `/api/org-units/${unit.body.id}/processes`, { processes: [unknown] });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toBe(`processes: no standard process ${unknown}`);
    const refusedUnit = await service.call('POST', '/api/org-units', { name: 'Never Registered', manager: 'x@example.org', processes: [unknown] });
    expect(refusedUnit.status).toBe(422);
    expect((await service.call('GET', '/api/org-units')).body.items.map((item: { name: string }) => item.name)).not.toContain('Never Registered');
    const noUnit = await service.call('PUT', `/api/org-units/${randomUUID()}/processes`, { processes: [] });
    expect(noUnit.status).toBe(404);
    const notAList = await service.call('PUT', `/api/org-units/${unit.body.id}/processes`, { processes: 'all' });
    expect(notAList.status).toBe(400);
    expect(notAList.body.error.message).toMatch(/^body\.processes: /);
  });

  it('the process page and the matrix show each unit’s version, lag, tailoring and waiver', async () => {
    const process = await addProcess('Vendor Onboarding');
    const lagging = (await service.call('POST', '/api/org-units', { name: 'Lagging Unit', manager: 'lag@example.org', processes: [process.id] })).body.id as string;
    const tailoring = (await service.call('POST', '/api/org-units', { name: 'Tailoring Unit', manager: 'tail@example.org', processes: [process.id] })).body.id as string;
    const waived = (await service.call('POST', '/api/org-units', { name: 'Waived Unit', manager: 'waive@example.org', processes: [process.id] })).body.id as string;
    const v1 = await draftVersion(db, { processId: process.id, summary: 'First', createdBy: people.orpg });
    await publishVersion(db, { versionId: v1.id, at: '2027-01-01T00:00:00Z' });
    await recordAdoption(db, { unitId: lagging, processId: process.id, versionId: v1.id, at: '2027-01-05T00:00:00Z' });
    const v2 = await draftVersion(db, { processId: process.id, summary: 'Second', createdBy: people.orpg });
    await publishVersion(db, { versionId: v2.id, at: '2027-03-01T00:00:00Z' });
    await recordAdoption(db, { unitId: tailoring, processId: process.id, versionId: v2.id, tailoring: 'One approver instead of two', at: '2027-03-03T00:00:00Z' });
    await recordWaiver(db, { unitId: waived, processId: process.id, reason: 'Closing in June', expiresAt: '2027-07-01T00:00:00Z', grantedBy: people.orpg });

    const view = await service.call('GET', `/api/processes/${process.id}`);
    expect(view.status).toBe(200);
    expect(view.body.currentVersion).toBe(2);
    expect(view.body.versions.map((version: { number: number; status: string }) => [version.number, version.status])).toEqual([[2, 'published'], [1, 'superseded']]);
    expect(view.body.units).toEqual([
      { unitId: lagging, unitName: 'Lagging Unit', version: 1, tailored: false, since: '2027-01-05T00:00:00.000Z', lag: 1 },
      { unitId: tailoring, unitName: 'Tailoring Unit', version: 2, tailored: true, tailoring: 'One approver instead of two', since: '2027-03-03T00:00:00.000Z', lag: 0 },
      { unitId: waived, unitName: 'Waived Unit', version: null, tailored: false, waiver: { reason: 'Closing in June', expiresAt: '2027-07-01T00:00:00.000Z', grantedBy: people.orpg }, since: null, lag: 2 },
    ]);

    const matrix = await service.call('GET', '/api/adoption');
    expect(matrix.status).toBe(200);
    expect(matrix.body.processes).toContainEqual({ id: process.id, name: 'Vendor Onboarding', currentVersion: 2 });
    const cell = (unitId: string) => matrix.body.units.find((unit: { id: string }) => unit.id === unitId).cells.find((entry: { processId: string }) => entry.processId === process.id);
    expect(cell(lagging)).toMatchObject({ version: 1, lag: 1, tailored: false, waived: false });
    expect(cell(tailoring)).toMatchObject({ version: 2, lag: 0, tailored: true });
    expect(cell(waived)).toMatchObject({ version: null, lag: 2, waived: true });
    const claims = matrix.body.units.find((unit: { id: string }) => unit.id === organisation.claimsUnit);
    expect(claims.cells).toEqual([]);
  });

  it('an improvement names its process from the library: the name and owner come from it; an unknown one is refused naming processId', async () => {
    const process = await addProcess('Supplier Review');
    const { process: _name, processOwner: _owner, ...rest } = proposal(organisation);
    const submitted = await service.call('POST', '/api/improvements', { ...rest, processId: process.id });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    expect(submitted.body.processOwner).toBe(people.owner);
    const recorded = await eventually(async () => {
      const response = await service.call('GET', `/api/improvements/${submitted.body.id}`);
      return response.body.processId ? response.body : undefined;
    });
    expect(recorded).toMatchObject({ process: 'Supplier Review', processId: process.id });
    expect((await service.call('GET', `/api/processes/${process.id}`)).body.improvements).toEqual([
      expect.objectContaining({ id: submitted.body.id, title: rest.title, producedVersion: null }),
    ]);

    const unknown = await service.call('POST', '/api/improvements', { ...rest, processId: randomUUID() });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toMatch(/^processId: no standard process /);
    const neither = await service.call('POST', '/api/improvements', rest);
    expect(neither.status).toBe(400);
    expect(neither.body.error.message).toMatch(/body\.processId: required/);
    const byName = await service.call('POST', '/api/improvements', proposal(organisation, { process: 'Supplier Review' }));
    expect(byName.status).toBe(201);
  });
});
