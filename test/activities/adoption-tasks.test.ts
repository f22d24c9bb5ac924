import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdoptionTaskStore } from '../../activities/adoption-tasks';
import { createDbActivities } from '../../activities/db';
import type { AdoptionTaskStore } from '../../activities/process-deployment';
import { createDatabase, type Database } from '../../prisma/database';
import { createStandardProcess, draftVersion } from '../../repositories/process-library';
import { createMigratedDatabase } from '../support/database';

/** The adoption tasks' store over the real read model: what the managers' emails and the pages see. */
describe('adoption tasks in the read model', () => {
  let db: Database;
  let store: AdoptionTaskStore;
  let processId: string;
  let versionId: string;
  const unitId = randomUUID();
  const manager = 'claims.manager@example.org';

  beforeAll(async () => {
    db = createDatabase(await createMigratedDatabase(), 2);
    const taskRows = createDbActivities({ db, calendar: { timeZone: 'UTC', holidays: [] } });
    store = createAdoptionTaskStore({ db, publicUrl: 'http://opf.test', taskRows });
    await db.person.create({ data: { email: 'orpg.lead@example.org', name: 'ORPG Lead', roles: ['orpg'] } });
    await db.orgUnit.create({ data: { id: unitId, name: 'Claims', managerEmail: manager } });
    processId = (await createStandardProcess(db, { name: 'Incident Handling', ownerEmail: 'process.owner@example.org' })).id;
    versionId = (await draftVersion(db, { processId, summary: 'First', createdBy: 'orpg.lead@example.org' })).id;
  });
  afterAll(() => db?.$disconnect());

  const hour = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
  const open = (id: string, assignee: { email: string } | { role: 'orpg' }, step: 'version-adoption' | 'version-waiver' = 'version-adoption') =>
    store.openTask({
      id,
      workflowId: `process-${processId}-v1-unit-${unitId}`,
      processId,
      versionId,
      unitId,
      step,
      assignee,
      remindAt: hour(1),
      dueAt: hour(2),
      escalateAt: hour(3),
      email: { subject: 'Adopt Incident Handling version 1 in Claims', context: ['Adopt by: 2099-01-31'] },
    });
  const emails = (taskId: string) => db.notification.findMany({ where: { taskId }, orderBy: { createdAt: 'asc' } });

  it('opens a task without an improvement once, and queues one email with the decision link placeholder', async () => {
    const id = randomUUID();
    expect(await open(id, { email: manager })).toEqual({ assignee: manager });
    expect(await open(id, { email: manager })).toEqual({ assignee: manager });
    const task = await db.task.findUniqueOrThrow({ where: { id } });
    expect(task).toMatchObject({ improvementId: null, processId, versionId, unitId, step: 'version-adoption', assignee: manager, status: 'open' });
    const [email, ...more] = await emails(id);
    expect(more).toEqual([]);
    expect(email).toMatchObject({ improvementId: null, processId, versionId, recipient: manager, kind: 'task-assigned' });
    expect(email!.subject).toBe('Action needed: Adopt the new version of a standard process in your unit — Adopt Incident Handling version 1 in Claims');
    expect(email!.body).toContain('Adopt by: 2099-01-31');
    expect(email!.body).toContain('Decide here: ');
  });

  it('gives a waiver to the ORPG holder, reminds once, escalates once per level, and closes with an audit entry', async () => {
    const id = randomUUID();
    expect(await open(id, { role: 'orpg' }, 'version-waiver')).toEqual({ assignee: 'orpg.lead@example.org' });
    await store.remindTask({ taskId: id, to: 'orpg.lead@example.org', context: [] });
    await store.remindTask({ taskId: id, to: 'orpg.lead@example.org', context: [] });
    await store.escalateTask({ taskId: id, level: 1, to: 'head.of.resilience@example.org' });
    await store.escalateTask({ taskId: id, level: 1, to: 'head.of.resilience@example.org' });
    expect((await emails(id)).map((email) => [email.kind, email.recipient])).toEqual([
      ['task-assigned', 'orpg.lead@example.org'],
      ['reminder', 'orpg.lead@example.org'],
      ['escalation-1', 'head.of.resilience@example.org'],
    ]);
    const [, reminder, escalation] = await emails(id);
    expect(reminder!.subject).toBe('Reminder: Grant or refuse a waiver from a standard process — Adopt Incident Handling version 1 in Claims');
    expect(escalation!.body).toContain(`http://opf.test/processes/${processId}`);

    await store.closeTask({ taskId: id, status: 'decided', outcome: 'grant', decision: {}, decidedBy: 'orpg.lead@example.org', channel: 'api', decisionId: 'd-1' });
    expect(await db.task.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'decided', outcome: 'grant', escalationLevel: 1 });
    expect(await db.auditEntry.count({ where: { target: id, action: 'task.decide' } })).toBe(1);
  });

  it("records each deployment event once by its key", async () => {
    const event = { processId, versionId, unitId, key: 'asked-claims', action: 'asked', actor: 'system', at: new Date().toISOString() };
    await store.recordEvent(event);
    await store.recordEvent(event);
    expect(await db.deploymentEvent.count({ where: { versionId, eventKey: 'asked-claims' } })).toBe(1);
  });
});
