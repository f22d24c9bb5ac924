import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxMessage } from '../../embedded/inbox';
import { createDatabase, type Database } from '../../prisma/database';
import { createMigratedDatabase } from '../support/database';
import {
  decide,
  decisionLink,
  formProtection,
  improvementAt,
  type Organisation,
  openTask,
  type OpenTaskView,
  people,
  proposal,
  registerOrganisation,
  submitDecisionPage, startServiceWithOrganisation } from '../support/organisation';
import { startTestService, type TestService } from '../support/service';
import { actAs } from '../support/tokens';
import { recordClosedHistory, recordingHistories } from '../support/histories';
import { delegationWorkflowId } from '../../workflows/delegation/definitions';

async function post(link: string, form: Record<string, string>) {
  const response = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, html: await response.text() };
}

describe('attacks on emailed decision links', () => {
  let service: TestService;
  let organisation: Organisation;
  let db: Database;

  beforeAll(async () => {
    const databaseUrl = await createMigratedDatabase();
    service = await startTestService({ databaseUrl });
    db = createDatabase(databaseUrl, 2);
    organisation = await registerOrganisation(service);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await service?.destroy();
  });

  async function reviewTaskWithLink(title: string): Promise<{ id: string; task: OpenTaskView; link: string; email: InboxMessage }> {
    const created = await service.call('POST', '/api/improvements', proposal(organisation, { title }));
    expect(created.status).toBe(201);
    const task = await openTask(service, created.body.id, 'review');
    const [email] = await service.inbox.waitFor((mail) => mail.notificationKey === `${task.id}:task-assigned`);
    return { id: created.body.id as string, task, link: decisionLink(email!), email: email! };
  }

  async function stillOpen(taskId: string) {
    expect((await service.call('GET', `/api/tasks/${taskId}`)).body.status).toBe('open');
  }

  it('the stored copy of the email and the database never hold a usable link', async () => {
    const { id, link } = await reviewTaskWithLink('Links are not stored');
    const token = link.split('/decide/')[1]!;
    const notifications = await db.notification.findMany({ where: { improvementId: id } });
    expect(notifications.some((notification) => notification.body.includes(token))).toBe(false);
    expect(notifications.find((notification) => notification.kind === 'task-assigned')?.body).toContain('[your personal decision link]');
    const links = await db.decisionLink.findMany();
    expect(links.some((row) => row.tokenHash === token)).toBe(false);
  });

  it('a tampered link shows a clear page and changes nothing', async () => {
    const { task, link } = await reviewTaskWithLink('Tampered link');
    const tampered = link.slice(0, -3) + (link.endsWith('AAA') ? 'BBB' : 'AAA');
    const page = await fetch(tampered);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('It is not a valid decision link');
    expect((await post(tampered, { outcome: 'accept' })).status).toBe(404);
    await stillOpen(task.id);
    const audit = await service.call('GET', '/api/audit?action=decision.dead-link');
    expect(audit.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ outcome: 'refused', details: { status: 404 } })]));
  });

  it("a mail scanner's GET and HEAD prefetch neither decide nor burn the link; the person then decides", async () => {
    const { task, link } = await reviewTaskWithLink('Scanned link');
    expect((await fetch(link, { method: 'HEAD' })).status).toBe(200);
    for (let i = 0; i < 3; i += 1) expect((await fetch(link)).status).toBe(200);
    await stillOpen(task.id);
    const decided = await submitDecisionPage(link, 'accept');
    expect(decided.status).toBe(200);
    expect(decided.html).toContain('Your decision &quot;Accept&quot; is recorded');
  });

  it('a POST without the page’s anti-forgery token, or with a forged one, decides nothing', async () => {
    const { task, link } = await reviewTaskWithLink('Forged form');
    const bare = await post(link, { outcome: 'reject', reason: 'forged' });
    expect(bare.status).toBe(403);
    expect(bare.html).toContain('Nothing was decided');
    const forged = await post(link, { outcome: 'reject', reason: 'forged', form_token: 'x'.repeat(43), form_issued: String(Date.now()) });
    expect(forged.status).toBe(403);
    await stillOpen(task.id);
    expect((await submitDecisionPage(link, 'accept')).status).toBe(200);
  });

  it('a replayed decision changes nothing and the page says who decided what and when; the same form sent again says the decision is recorded', async () => {
    const { id, task, link } = await reviewTaskWithLink('Replayed form');
    const html = await (await fetch(link)).text();
    const form = { ...formProtection(html, 'accept'), outcome: 'accept' };
    expect((await post(link, form)).status).toBe(200);
    const resent = await post(link, form);
    expect(resent.status).toBe(200);
    expect(resent.html).toContain('Your decision &quot;Accept&quot; is recorded.');
    const replay = await post(link, { ...formProtection(html, 'reject'), outcome: 'reject', reason: 'replayed' });
    expect(replay.status).toBe(410);
    expect(replay.html).toMatch(new RegExp(`This task was already decided \\(&quot;accept&quot;\\) by ${people.orpg} on \\w{3}, \\d{2} \\w{3} \\d{4}`));
    expect((await service.call('GET', `/api/tasks/${task.id}`)).body.outcome).toBe('accept');
    await improvementAt(service, id, 'prioritisation');
  });

  it('an expired link shows when it expired and decides nothing', async () => {
    const { task, link } = await reviewTaskWithLink('Expired link');
    await db.decisionLink.updateMany({ where: { taskId: task.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const page = await fetch(link);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('It expired on');
    await stillOpen(task.id);
  });

  it('after reassignment the old link dies, the page names the new holder, and their fresh link works', async () => {
    const { id, task, link } = await reviewTaskWithLink('Reassigned task');
    const orpg = await actAs(service, 'second.orpg@example.org', ['orpg']);
    const moved = await orpg.call('POST', `/api/tasks/${task.id}/reassign`, { to: 'second.orpg@example.org', reason: 'Lead is at a conference' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);

    const old = await fetch(link);
    expect(old.status).toBe(410);
    expect(await old.text()).toContain('This task was reassigned');
    expect((await post(link, { outcome: 'accept' })).status).toBe(410);

    const [fresh] = await service.inbox.waitFor((mail) => mail.notificationKey === `${task.id}:task-assigned:1`);
    expect(fresh!.to).toEqual(['second.orpg@example.org']);
    expect((await submitDecisionPage(decisionLink(fresh!), 'accept')).status).toBe(200);
    const improvement = await improvementAt(service, id, 'prioritisation');
    expect(improvement.history.map((entry: { action: string }) => entry.action)).toContain(`reassigned from ${people.orpg} to second.orpg@example.org`);
  });

  it("someone else's token cannot decide a task; the assignee's own token can", async () => {
    const { task } = await reviewTaskWithLink('Only the assignee');
    const other = await actAs(service, 'other.person@example.org', ['orpg']);
    const refused = await other.call('POST', `/api/tasks/${task.id}/decision`, { outcome: 'accept' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(`actor: only ${people.orpg} can decide this task`);
    const lead = await actAs(service, people.orpg, ['orpg'], { manager: people.orpgManager });
    const impersonation = await lead.call('POST', `/api/tasks/${task.id}/decision`, { outcome: 'accept', actor: 'someone@example.org' });
    expect(impersonation.status).toBe(403);
    await stillOpen(task.id);
    expect((await lead.call('POST', `/api/tasks/${task.id}/decision`, { outcome: 'accept' })).status).toBe(200);
  });

  it('a proposer cannot approve their own proposal: the review goes to another ORPG member, and reassigning it to them is refused', async () => {
    const proposer = await actAs(service, 'orpg.proposer@example.org', ['orpg']);
    const created = await proposer.call('POST', '/api/improvements', { ...proposal(organisation, { title: 'My own idea' }), proposer: undefined });
    expect(created.status).toBe(201);
    const review = await openTask(service, created.body.id, 'review');
    expect(review.assignee).not.toBe('orpg.proposer@example.org');
    const moved = await service.call('POST', `/api/tasks/${review.id}/reassign`, { to: 'orpg.proposer@example.org', reason: 'try' });
    expect(moved.status).toBe(403);
    expect(moved.body.error.message).toBe('to: a proposer cannot decide this step of their own proposal');
    await stillOpen(review.id);
  });
});

describe('delegation while a person is away', () => {
  let service: TestService;
  let organisation: Organisation;

  beforeAll(async () => {
    ({ service, organisation } = await startServiceWithOrganisation());
  });
  afterAll(() => service?.destroy());

  it('re-routes pending tasks to the delegate with fresh links, kills the old ones, and records "X for Y"; new tasks go to the delegate too', async () => {
    const created = await service.call('POST', '/api/improvements', proposal(organisation, { title: 'Delegated planning' }));
    const id = created.body.id as string;
    await decide(service, await openTask(service, id, 'review'), 'accept');
    await decide(service, await openTask(service, id, 'score'), 'score', { cost: 1, benefit: 5, risk: 1, barriers: 1 });
    await decide(service, await openTask(service, id, 'steering'), 'approve');
    const plan = await openTask(service, id, 'plan');
    const [ownerMail] = await service.inbox.waitFor((mail) => mail.notificationKey === `${plan.id}:task-assigned`);

    const owner = await actAs(service, people.owner, ['process-owner'], { manager: people.chief });
    const delegation = await owner.call('POST', `/api/people/${people.owner}/delegations`, {
      delegate: people.actionOwner,
      from: new Date(Date.now() - 60_000).toISOString(),
      until: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    expect(delegation.status, JSON.stringify(delegation.body)).toBe(201);
    expect(delegation.body.reroutedTasks).toEqual([plan.id]);

    const [delegateMail] = await service.inbox.waitFor((mail) => mail.notificationKey === `${plan.id}:task-assigned:1`);
    expect((await fetch(decisionLink(ownerMail!))).status).toBe(410);
    expect(delegateMail!.to).toEqual([people.actionOwner]);
    expect(delegateMail!.text).toContain(`You act for ${people.owner}.`);
    const moved = await service.call('GET', `/api/tasks/${plan.id}`);
    expect(moved.body).toMatchObject({ assignee: people.actionOwner, onBehalfOf: people.owner, status: 'open' });

    const submitted = await submitDecisionPage(decisionLink(delegateMail!), 'submit', {
      objectives: 'Delegated objectives',
      actions: `Do it | ${people.actionOwner} | 1m`,
      measures: 'Counted',
    });
    expect(submitted.status, submitted.html).toBe(200);
    await decide(service, await openTask(service, id, 'plan-approval'), 'return', { comment: 'One more pass' });

    const second = await openTask(service, id, 'plan');
    expect(second.assignee).toBe(people.actionOwner);
    const improvement = await improvementAt(service, id, 'planning');
    expect(improvement.history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: `${people.actionOwner} for ${people.owner}`, action: 'Submit plan', channel: 'email-link' }),
        expect.objectContaining({ action: `reassigned from ${people.owner} to ${people.actionOwner} for ${people.owner}` }),
      ]),
    );
    const audit = await service.call('GET', '/api/audit?action=delegation.create');
    expect(audit.body.items).toEqual([expect.objectContaining({ actor: people.owner, target: people.owner, outcome: 'ok' })]);
  });
});

describe('identity confirmation by emailed code', () => {
  let service: TestService;
  let organisation: Organisation;

  beforeAll(async () => {
    ({ service, organisation } = await startServiceWithOrganisation({ env: { DECISION_CONFIRMATION: 'email-code' } }));
  });
  afterAll(() => service?.destroy());

  it('a forwarded link cannot decide without the code sent to the assignee; the assignee decides with it', async () => {
    const created = await service.call('POST', '/api/improvements', proposal(organisation, { title: 'Confirmed decisions' }));
    const task = await openTask(service, created.body.id, 'review');
    const [email] = await service.inbox.waitFor((mail) => mail.notificationKey === `${task.id}:task-assigned`);
    const link = decisionLink(email!);

    const asked = await submitDecisionPage(link, 'accept', { comment: 'Looks right' });
    expect(asked.status).toBe(200);
    expect(asked.html).toContain('We sent a six-digit code to o');
    const [codeMail] = await service.inbox.waitFor((mail) => mail.subject.startsWith('Your OPF Pipeline confirmation code'));
    expect(codeMail!.to).toEqual([people.orpg]);
    const code = /(\d{6})/.exec(codeMail!.subject)![1]!;

    const codeForm = (html: string) => {
      const hidden: Record<string, string> = {};
      for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[name!] = value!.replace(/&amp;/g, '&');
      return hidden;
    };
    const wrong = await post(link, { ...codeForm(asked.html), code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(403);
    expect(wrong.html).toContain('That code is wrong, used or expired');
    expect((await service.call('GET', `/api/tasks/${task.id}`)).body.status).toBe('open');

    const again = await submitDecisionPage(link, 'accept', { comment: 'Looks right' });
    const codes = await service.inbox.waitFor((mail) => mail.subject.startsWith('Your OPF Pipeline confirmation code'), { count: 2 });
    const fresh = /(\d{6})/.exec(codes.at(-1)!.subject)![1]!;
    const confirmed = await post(link, { ...codeForm(again.html), code: fresh });
    expect(confirmed.status, confirmed.html).toBe(200);
    expect(confirmed.html).toContain('is recorded');
    const decided = await service.call('GET', `/api/tasks/${task.id}`);
    expect(decided.body).toMatchObject({ status: 'decided', outcome: 'accept', decidedBy: people.orpg });
  });
});

describe('a delegation that starts later', () => {
  let service: TestService;
  let organisation: Organisation;

  beforeAll(async () => {
    ({ service, organisation } = await startServiceWithOrganisation());
  });
  afterAll(() => service?.destroy());

  it('moves the pending tasks to the delegate when it begins, with fresh links', async () => {
    const created = await service.call('POST', '/api/improvements', proposal(organisation, { title: 'Away next week' }));
    const review = await openTask(service, created.body.id, 'review');
    const [leadMail] = await service.inbox.waitFor((mail) => mail.notificationKey === `${review.id}:task-assigned`);
    await service.call('POST', '/api/people', { email: 'deputy.orpg@example.org', name: 'Deputy', roles: ['orpg'] });
    const delegation = await service.call('POST', `/api/people/${people.orpg}/delegations`, {
      delegate: 'deputy.orpg@example.org',
      from: new Date(Date.now() + 2_000).toISOString(),
      until: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(delegation.status, JSON.stringify(delegation.body)).toBe(201);
    expect(delegation.body.reroutedTasks).toEqual([]);
    expect((await service.call('GET', `/api/tasks/${review.id}`)).body.assignee).toBe(people.orpg);

    const [deputyMail] = await service.inbox.waitFor((mail) => mail.notificationKey === `${review.id}:task-assigned:1`);
    expect(deputyMail!.to).toEqual(['deputy.orpg@example.org']);
    expect((await service.call('GET', `/api/tasks/${review.id}`)).body).toMatchObject({ assignee: 'deputy.orpg@example.org', onBehalfOf: people.orpg });
    expect((await fetch(decisionLink(leadMail!))).status).toBe(410);
    if (recordingHistories()) await recordClosedHistory('delegation-start', delegationWorkflowId(delegation.body.id));
  });
});
