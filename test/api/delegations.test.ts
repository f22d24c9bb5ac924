import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionLink, type Organisation, openTask, people, proposal, startServiceWithOrganisation } from '../support/organisation';
import { eventually, type TestService } from '../support/service';
import { actAs } from '../support/tokens';

// Sorts after the ORPG lead, so new reviews still go to the lead.
const deputy = 'stand-in.orpg@example.org';
const day = 86_400_000;

describe('out-of-office delegation, from its start to its end', () => {
  let service: TestService;
  let organisation: Organisation;

  beforeAll(async () => {
    ({ service, organisation } = await startServiceWithOrganisation());
  });
  afterAll(() => service?.destroy());

  const taskOf = async (id: string) => (await service.call('GET', `/api/tasks/${id}`)).body;
  const heldBy = (id: string, assignee: string) => eventually(async () => ((await taskOf(id)).assignee === assignee ? taskOf(id) : undefined), 30_000);
  const delegate = (until: number) =>
    service.call('POST', `/api/people/${people.orpg}/delegations`, { delegate: deputy, from: new Date(Date.now() - 60_000).toISOString(), until: new Date(until).toISOString() });

  it('moves what the delegate may decide, keeps with the person what they may not, and audits both', async () => {
    const ordinary = await service.call('POST', '/api/improvements', proposal(organisation, { title: 'Ordinary proposal' }));
    const ordinaryReview = await openTask(service, ordinary.body.id, 'review');
    await service.call('POST', '/api/people', { email: deputy, name: 'Deputy', roles: ['orpg'] });
    const deputys = await service.call('POST', '/api/improvements', proposal(organisation, { title: "The deputy's own proposal", proposer: deputy }));
    const ownReview = await openTask(service, deputys.body.id, 'review');
    expect([ordinaryReview.assignee, ownReview.assignee]).toEqual([people.orpg, people.orpg]);

    const delegation = await delegate(Date.now() + 7 * day);

    expect(delegation.status, JSON.stringify(delegation.body)).toBe(201);
    expect(delegation.body.reroutedTasks).toEqual([ordinaryReview.id]);
    expect(delegation.body.keptTasks).toEqual([{ taskId: ownReview.id, reason: 'the delegate proposed this improvement and may not decide this step' }]);
    expect((await heldBy(ordinaryReview.id, deputy)).onBehalfOf).toBe(people.orpg);
    expect((await taskOf(ownReview.id)).assignee).toBe(people.orpg);
    const audited = await service.call('GET', '/api/audit?action=delegation.create');
    expect(audited.body.items[0].details).toMatchObject({ delegationId: delegation.body.id, rerouted: [ordinaryReview.id], kept: [{ taskId: ownReview.id }] });

    await service.call('DELETE', `/api/people/${people.orpg}/delegations/${delegation.body.id}`);
    await heldBy(ordinaryReview.id, people.orpg);
  });

  it('when cancelled, gives the delegate\'s open tasks back to the person: the delegate\'s link dies and they can no longer decide', async () => {
    const created = await service.call('POST', '/api/improvements', proposal(organisation, { title: 'Back from holiday early' }));
    const review = await openTask(service, created.body.id, 'review');
    const delegation = await delegate(Date.now() + 7 * day);
    await heldBy(review.id, deputy);
    const [deputyMail] = await service.inbox.waitFor((mail) => mail.notificationKey === `${review.id}:task-assigned:1`);

    const cancelled = await service.call('DELETE', `/api/people/${people.orpg}/delegations/${delegation.body.id}`);

    expect(cancelled.status).toBe(204);
    expect((await heldBy(review.id, people.orpg)).onBehalfOf).toBeNull();
    const [backMail] = await service.inbox.waitFor((mail) => mail.notificationKey === `${review.id}:task-assigned:2`);
    expect(backMail!.to).toEqual([people.orpg]);
    expect((await fetch(decisionLink(deputyMail!))).status).toBe(410);
    const asDeputy = await actAs(service, deputy, ['orpg']);
    const refused = await asDeputy.call('POST', `/api/tasks/${review.id}/decision`, { outcome: 'accept', fields: { comment: 'too late' } });
    expect(refused.status).toBe(403);
    const ended = await eventually(async () => {
      const audit = await service.call('GET', '/api/audit?action=delegation.end');
      return audit.body.items.find((item: any) => item.details.delegationId === delegation.body.id);
    }, 30_000);
    expect(ended.details.cancelled).toBe(true);
    expect(ended.details.returned).toContain(review.id);
  });

  it('when its last moment passes, the tasks go back to the person by themselves', async () => {
    const created = await service.call('POST', '/api/improvements', proposal(organisation, { title: 'A short absence' }));
    const review = await openTask(service, created.body.id, 'review');
    // Long enough for the move to happen first even on a busy machine; the return is what is checked.
    const delegation = await delegate(Date.now() + 10_000);
    expect(delegation.status, JSON.stringify(delegation.body)).toBe(201);

    const history = await eventually(async () => {
      const entries = (await service.call('GET', `/api/improvements/${created.body.id}`)).body.history as { action: string; comment?: string }[];
      return entries.some((entry) => entry.action === `reassigned from ${deputy} to ${people.orpg}`) ? entries : undefined;
    }, 60_000);

    expect(history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: `reassigned from ${people.orpg} to ${deputy} for ${people.orpg}` }),
        expect.objectContaining({ action: `reassigned from ${deputy} to ${people.orpg}`, comment: `${deputy}'s delegation for ${people.orpg} ended` }),
      ]),
    );
    expect(await taskOf(review.id)).toMatchObject({ assignee: people.orpg, onBehalfOf: null, status: 'open' });
  });
});
