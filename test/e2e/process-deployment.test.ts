import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxMessage } from '../../embedded/inbox';
import { decisionLink, type Organisation, people, startServiceWithOrganisation, submitDecisionPage } from '../support/organisation';
import { eventually, type TestService } from '../support/service';

const adoptionTitle = 'Adopt the new version of a standard process in your unit';

/**
 * Publishing versions of a standard process deploys them to every unit on it, driven as people
 * would: HTTP calls by the ORPG, and the decision links in the emails managers receive over SMTP.
 */
describe('deploying published process versions to units, from emailed links', () => {
  let service: TestService;
  let organisation: Organisation;
  let processId: string;
  const used = new Set<string>();

  beforeAll(async () => {
    ({ service, organisation } = await startServiceWithOrganisation());
    const created = await service.call('POST', '/api/processes', { name: 'Incident Handling', owner: people.owner, purpose: 'Incidents are handled the same way everywhere' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    processId = created.body.id as string;
    for (const unit of [organisation.claimsUnit, organisation.paymentsUnit]) {
      const applied = await service.call('PUT', `/api/org-units/${unit}/processes`, { processes: [processId] });
      expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    }
  });
  afterAll(() => service?.destroy());

  function adoptionEmail(to: string, version: number, unitName: string) {
    return taskEmail(to, `${adoptionTitle} — Adopt Incident Handling version ${version} in ${unitName}`);
  }

  function taskEmail(to: string, subject: string) {
    return service.inbox
      .waitFor(
        (message: InboxMessage) => message.to.includes(to) && message.subject === `Action needed: ${subject}` && !used.has(message.id),
        { timeoutMs: 30_000 },
      )
      .then(([email]) => {
        used.add(email!.id);
        return email!;
      });
  }

  /** Opens the emailed link, checks the page shows the process, version and unit, and decides. */
  async function decideFromEmail(email: InboxMessage, expected: { version: number; unitName: string; title?: string }, outcome: string, fields: Record<string, string> = {}) {
    const link = decisionLink(email);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<h1>${expected.title ?? adoptionTitle}`);
    expect(html).toContain('<dt>Standard process</dt><dd>Incident Handling</dd>');
    expect(html).toContain(`<dt>Version</dt><dd>${expected.version} (published)</dd>`);
    expect(html).toContain(`<dt>Organisational unit</dt><dd>${expected.unitName}</dd>`);
    const submitted = await submitDecisionPage(link, outcome, fields);
    expect(submitted.status, submitted.html).toBe(200);
    expect(submitted.html).toContain('The unit&#39;s adoption of the process is updated');
  }

  async function signIn(email: string): Promise<string> {
    const form = (values: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(values).toString(), redirect: 'manual' as const });
    await fetch(`${service.url}/sign-in`, form({ email, next: '/my-tasks' }));
    const [mail] = await service.inbox.waitFor((message) => message.to.includes(email) && message.subject === 'Sign in to OPF Pipeline');
    const signedIn = await fetch(/Sign in: (\S+)/.exec(mail!.text)![1]!, form({}));
    expect(signedIn.status).toBe(303);
    return (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  }

  async function draftAndPublish(number: number, summary: string) {
    const draft = await service.call('POST', `/api/processes/${processId}/versions`, { summary, url: `https://wiki.example.org/incident-v${number}` });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    expect(draft.body.number).toBe(number);
    const published = await service.call('POST', `/api/processes/${processId}/versions/${number}/publish`, {
      plan: { adoptBy: '2099-01-31', material: ['https://training.example.org/incident'], contact: people.owner },
    });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body.version).toMatchObject({ number, status: 'published' });
    expect(published.body.deploymentWorkflowId).toBe(`process-${processId}-v${number}`);
  }

  function cellsOnVersion(version: number, unitIds: string[]) {
    return eventually(async () => {
      const matrix = await service.call('GET', '/api/adoption');
      const cells = unitIds.map((unitId) => (matrix.body.units as { id: string; cells: { processId: string; version: number | null; lag: number | null; tailored: boolean }[] }[])
        .find((unit) => unit.id === unitId)
        ?.cells.find((cell) => cell.processId === processId));
      return cells.every((cell) => cell?.version === version) ? cells : undefined;
    }, 30_000);
  }

  it('asks both units to adopt version 1 and then version 2, and a unit added later to adopt version 2', async () => {
    await draftAndPublish(1, 'The first library version');
    const claims = await adoptionEmail(people.claimsManager, 1, 'Claims');
    const payments = await adoptionEmail(people.paymentsManager, 1, 'Payments');
    expect(claims.text).toContain('https://training.example.org/incident');
    await decideFromEmail(claims, { version: 1, unitName: 'Claims' }, 'adopt');
    await decideFromEmail(payments, { version: 1, unitName: 'Payments' }, 'tailor', { tailoring: 'One on-call rota for both teams' });

    const [claimsCell, paymentsCell] = await cellsOnVersion(1, [organisation.claimsUnit, organisation.paymentsUnit]);
    expect(claimsCell).toMatchObject({ version: 1, lag: 0, tailored: false });
    expect(paymentsCell).toMatchObject({ version: 1, lag: 0, tailored: true });

    await draftAndPublish(2, 'Severity levels from the lessons of version 1');
    const claimsAgain = await adoptionEmail(people.claimsManager, 2, 'Claims');
    const paymentsAgain = await adoptionEmail(people.paymentsManager, 2, 'Payments');
    const lagging = await service.call('GET', '/api/adoption');
    const lags = (lagging.body.units as { id: string; cells: { processId: string; lag: number | null }[] }[])
      .filter((unit) => [organisation.claimsUnit, organisation.paymentsUnit].includes(unit.id))
      .map((unit) => unit.cells.find((cell) => cell.processId === processId)?.lag);
    expect(lags).toEqual([1, 1]);

    const added = await service.call('POST', '/api/org-units', { name: 'Treasury', manager: 'treasury.manager@example.org', processes: [processId] });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const treasury = await adoptionEmail('treasury.manager@example.org', 2, 'Treasury');

    // The manager's own task list shows the adoption beside any improvement task, with its context.
    const cookie = await signIn(people.claimsManager);
    const list = await (await fetch(`${service.url}/my-tasks`, { headers: { cookie } })).text();
    expect(list).toContain(`<a href="/processes/${processId}">Incident Handling version 2 — Claims</a>`);
    const taskId = /<a href="\/my-tasks\/([0-9a-f-]{36})">Adopt the new version/.exec(list)?.[1];
    const taskPage = await (await fetch(`${service.url}/my-tasks/${taskId}`, { headers: { cookie } })).text();
    expect(taskPage).toContain('<dt>Change summary</dt><dd>Severity levels from the lessons of version 1</dd>');
    expect(taskPage).toContain('name="outcome" value="tailor"');
    const moved = await service.call('POST', `/api/tasks/${taskId}/reassign`, { to: people.orpg, reason: 'Manager away' });
    expect(moved.status).toBe(409);
    await decideFromEmail(claimsAgain, { version: 2, unitName: 'Claims' }, 'adopt');
    await decideFromEmail(treasury, { version: 2, unitName: 'Treasury' }, 'adopt');
    await decideFromEmail(paymentsAgain, { version: 2, unitName: 'Payments' }, 'waiver', { reason: 'Payments moves to the group process next year', expiresAt: '2099-12-31' });
    const waiverTitle = 'Grant or refuse a waiver from a standard process';
    const waiver = await taskEmail(people.orpg, `${waiverTitle} — Waiver from Incident Handling version 2 for Payments`);
    await decideFromEmail(waiver, { version: 2, unitName: 'Payments', title: waiverTitle }, 'grant');

    const onTwo = await cellsOnVersion(2, [organisation.claimsUnit, added.body.id as string]);
    expect(onTwo.map((cell) => cell?.lag)).toEqual([0, 0]);
    const [waived] = await eventually(async () => {
      const matrix = await service.call('GET', '/api/adoption');
      const cell = (matrix.body.units as { id: string; cells: { processId: string; version: number | null; lag: number | null; waived: boolean }[] }[])
        .find((unit) => unit.id === organisation.paymentsUnit)
        ?.cells.find((candidate) => candidate.processId === processId);
      return cell?.waived ? [cell] : undefined;
    }, 30_000);
    expect(waived).toMatchObject({ version: 1, lag: 1, waived: true });

    // Every unit has settled, so version 2's deployment has ended: a unit given the process later starts it again, for that unit only.
    const connection = await Connection.connect({ address: service.temporalAddress });
    try {
      const deployment = new Client({ connection }).workflow.getHandle(`process-${processId}-v2`);
      await eventually(async () => ((await deployment.describe()).status.name === 'COMPLETED' ? true : undefined), 30_000);
    } finally {
      await connection.close();
    }
    const audit = await service.call('POST', '/api/org-units', { name: 'Internal Audit', manager: 'audit.manager@example.org' });
    expect(audit.status).toBe(201);
    const applied = await service.call('PUT', `/api/org-units/${audit.body.id as string}/processes`, { processes: [processId] });
    expect(applied.body.added).toEqual([processId]);
    const auditAsked = await adoptionEmail('audit.manager@example.org', 2, 'Internal Audit');
    await decideFromEmail(auditAsked, { version: 2, unitName: 'Internal Audit' }, 'adopt');
    await cellsOnVersion(2, [audit.body.id as string]);

    // Publishing version 2 again answers the same and asks nobody again; version 1 can no longer be published.
    const again = await service.call('POST', `/api/processes/${processId}/versions/2/publish`, {});
    expect(again.status).toBe(200);
    expect(again.body.version).toMatchObject({ number: 2, status: 'published' });
    const older = await service.call('POST', `/api/processes/${processId}/versions/1/publish`, {});
    expect(older.status).toBe(409);
    expect(older.body.error.message).toMatch(/superseded/);
    const history = await service.call('GET', `/api/processes/${processId}/deployments`);
    expect(history.status).toBe(200);
    const [two, one] = history.body.items as { version: number; status: string; openTasks: number; events: { unitId: string | null; action: string }[] }[];
    expect([two?.version, two?.status, two?.openTasks, one?.version, one?.status]).toEqual([2, 'published', 0, 1, 'superseded']);
    expect(two!.events).toEqual(expect.arrayContaining([
      expect.objectContaining({ unitId: organisation.claimsUnit, action: 'adopted' }),
      expect.objectContaining({ unitId: organisation.paymentsUnit, action: 'waived' }),
    ]));
    expect(one!.events).toEqual(expect.arrayContaining([expect.objectContaining({ unitId: organisation.paymentsUnit, action: 'tailored' })]));

    const askedForTwo = (await service.inbox.list()).filter((message) => message.subject.startsWith('Action needed') && message.subject.includes('Adopt Incident Handling version 2'));
    expect(askedForTwo.map((message) => message.to).flat().sort()).toEqual(['audit.manager@example.org', people.claimsManager, people.paymentsManager, 'treasury.manager@example.org'].sort());
  });
});
