import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Organisation, openTask, proposal, registerOrganisation } from '../support/organisation';
import { createMigratedDatabase } from '../support/database';
import { createCaller, startTestService, type TestService } from '../support/service';
import { actAs } from '../support/tokens';

// Sorts before every other ORPG member, so the review of their own proposal comes to them when allowed.
const proposer = 'aaa.proposer@example.org';

describe('self-approval rules are those frozen when the improvement was submitted', () => {
  let before: TestService;
  let after: TestService;
  let organisation: Organisation;

  beforeAll(async () => {
    const databaseUrl = await createMigratedDatabase();
    before = await startTestService({ databaseUrl, env: { SELF_APPROVAL_BLOCKED_STEPS: '' } });
    // The same organisation after an operator blocked self-approval of reviews: a second instance on the same database and task queue.
    after = await startTestService({ databaseUrl, taskQueue: before.taskQueue });
    organisation = await registerOrganisation(before);
  });
  afterAll(async () => {
    await after?.destroy();
    await before?.destroy();
  });

  it('a proposer allowed to review their own proposal when it was submitted still may after the setting changed, through the API too', async () => {
    const asProposer = await actAs(before, proposer, ['orpg']);
    const created = await asProposer.call('POST', '/api/improvements', { ...proposal(organisation, { title: 'Reviewed by its proposer' }), proposer: undefined });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const review = await openTask(before, created.body.id, 'review');
    expect(review.assignee).toBe(proposer);

    const decided = await createCaller(after.url, asProposer.token)('POST', `/api/tasks/${review.id}/decision`, { outcome: 'accept', fields: { comment: 'Fine by the rules of the day' } });

    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect((await after.call('GET', `/api/tasks/${review.id}`)).body).toMatchObject({ status: 'decided', outcome: 'accept', decidedBy: proposer });
  });
});
