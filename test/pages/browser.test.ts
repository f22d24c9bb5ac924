import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase } from '../support/database';
import { decide, improvementAt, type Organisation, openTask, people, proposal, registerOrganisation } from '../support/organisation';
import { startTestService, type TestService } from '../support/service';

const screenshots = path.join(__dirname, '..', '..', 'test-artifacts', 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** People's pages, driven in a real headless Chromium against the real service. */
describe('the pages people use, in a browser', () => {
  let service: TestService;
  let organisation: Organisation;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    service = await startTestService({ databaseUrl: await createMigratedDatabase() });
    organisation = await registerOrganisation(service);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await service?.destroy();
  });

  /** A fresh browser context signed in as `email` by pasting their API token on the sign-in page. */
  async function signedIn(email: string, width = 1280): Promise<Page> {
    const issued = await service.call('POST', `/api/people/${email}/tokens`, { name: 'browser' });
    expect(issued.status).toBe(201);
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${service.url}/dashboard`);
    expect(page.url()).toContain('/sign-in?next=%2Fdashboard');
    await page.getByLabel('API token').fill(issued.body.token as string);
    await page.getByRole('button', { name: 'Sign in with token' }).click();
    await page.waitForURL(`${service.url}/dashboard`);
    return page;
  }

  async function submit(title: string, extra: Record<string, unknown> = {}): Promise<string> {
    const created = await service.call('POST', '/api/improvements', proposal(organisation, { title, ...extra }));
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  it('a submitted improvement appears on the dashboard, and an overdue one gets its badge', async () => {
    const onTime = await submit('Clarify the change advisory board charter', { source: 'appraisal' });
    const late = await submit('Shorten the backup restore test cycle', { durations: { default: { due: '1s', remindBefore: '1s', escalateAfter: '1h' } } });
    await openTask(service, onTime, 'review');
    await openTask(service, late, 'review');

    const page = await signedIn(people.orpg);
    const onTimeRow = page.getByRole('row', { name: /Clarify the change advisory board charter/ });
    const lateRow = page.getByRole('row', { name: /Shorten the backup restore test cycle/ });
    // The late review is due a second after it opened: reload until the dashboard shows it overdue.
    await expect
      .poll(async () => {
        await page.reload();
        return lateRow.getByText('Overdue').count();
      }, { timeout: 30_000 })
      .toBe(1);
    expect(await onTimeRow.count()).toBe(1);
    expect(await onTimeRow.getByText('Overdue').count()).toBe(0);
    expect(await page.getByRole('list', { name: 'Active improvements by stage' }).textContent()).toMatch(/\d+review/);

    await page.getByLabel('Title').fill('backup restore');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.getByRole('row').count()).toBe(2);
    await page.screenshot({ path: path.join(screenshots, 'dashboard.png'), fullPage: true });

    await page.getByRole('link', { name: 'Shorten the backup restore test cycle' }).click();
    expect(await page.locator('svg[aria-label^="Stage timeline"]').count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Open tasks' }).count()).toBe(1);
    await page.screenshot({ path: path.join(screenshots, 'improvement.png'), fullPage: true });

    const phone = await signedIn(people.orpg, 390);
    await phone.screenshot({ path: path.join(screenshots, 'dashboard-phone.png'), fullPage: true });
  });

  /** The audit trail's decision entries for a task, as an auditor reads them. */
  async function decisionAudits(taskId: string): Promise<{ actor: string; outcome: string; details: Record<string, unknown> }[]> {
    const response = await service.call('GET', '/api/audit?action=task.decide');
    return (response.body.items as { target: string; actor: string; outcome: string; details: Record<string, unknown> }[]).filter((item) => item.target === taskId);
  }

  it('a decision made in the browser moves the improvement and is in the audit trail once', async () => {
    const id = await submit('Add supplier contacts to the continuity plan');
    const task = await openTask(service, id, 'review');
    const page = await signedIn(people.orpg);
    await page.getByRole('link', { name: 'My tasks' }).click();
    await page.getByRole('row', { name: /Add supplier contacts/ }).getByRole('link', { name: 'Review the improvement proposal' }).click();
    await page.screenshot({ path: path.join(screenshots, 'task.png'), fullPage: true });
    await page.getByRole('group', { name: 'Reject' }).getByRole('button', { name: 'Reject' }).click();
    expect(page.url()).toContain('/my-tasks/');
    await page.getByRole('group', { name: 'Accept' }).getByLabel('Comment').fill('Clear and well argued');
    await page.getByRole('group', { name: 'Accept' }).getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(/\/improvements\//);
    const improvement = await improvementAt(service, id, 'prioritisation');
    expect(improvement.history).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'Accept', channel: 'web', comment: 'Clear and well argued' })]));
    expect(await decisionAudits(task.id)).toEqual([expect.objectContaining({ actor: people.orpg, outcome: 'ok', details: expect.objectContaining({ outcome: 'accept', via: 'page' }) })]);
  });

  it('my tasks takes a bulk decision on several tasks at once, each in the audit trail', async () => {
    const first = await submit('Bulk one: label critical assets');
    const second = await submit('Bulk two: rehearse the call tree');
    const firstTask = await openTask(service, first, 'review');
    const secondTask = await openTask(service, second, 'review');
    const page = await signedIn(people.orpg);
    await page.goto(`${service.url}/my-tasks`);
    await page.getByRole('checkbox', { name: /Bulk one/ }).check();
    await page.getByRole('checkbox', { name: /Bulk two/ }).check();
    await page.screenshot({ path: path.join(screenshots, 'my-tasks.png'), fullPage: true });
    await page.getByLabel('Decide the selected tasks:').selectOption('accept');
    await page.getByRole('button', { name: 'Apply to selected' }).click();
    expect(await page.getByRole('status').textContent()).toMatch(/decided.*decided/s);
    await improvementAt(service, first, 'prioritisation');
    await improvementAt(service, second, 'prioritisation');
    for (const task of [firstTask, secondTask]) {
      expect(await decisionAudits(task.id)).toEqual([expect.objectContaining({ actor: people.orpg, details: expect.objectContaining({ via: 'bulk' }) })]);
    }
  });

  it('management sees what was escalated to them, oldest first, with who is late', async () => {
    const id = await submit('Escalated: fix the on-call rota', { durations: { default: { due: '1s', remindBefore: '1s', escalateAfter: '1s' } } });
    const review = await openTask(service, id, 'review');
    await service.inbox.waitFor((mail) => mail.notificationKey === `${review.id}:escalation-2`);
    const page = await signedIn(people.chief);
    await page.getByRole('link', { name: 'Escalations' }).click();
    const row = page.getByRole('row', { name: /Escalated: fix the on-call rota/ });
    expect(await row.textContent()).toContain(people.orpg);
    expect(await row.textContent()).toContain('management');
    await page.screenshot({ path: path.join(screenshots, 'escalations.png'), fullPage: true });
    const staff = await signedIn(people.proposer);
    const refused = await staff.goto(`${service.url}/escalations`);
    expect(refused?.status()).toBe(403);
  });

  it('the measures page draws its charts and offers each as CSV', async () => {
    const id = await submit('Measured: retire the legacy fax procedure', { source: 'lessons-learned' });
    await decide(service, await openTask(service, id, 'review'), 'accept');
    const page = await signedIn(people.orpg);
    await page.getByRole('link', { name: 'Measures' }).click();
    expect(await page.locator('svg[role="img"]').count()).toBeGreaterThanOrEqual(10);
    expect(await page.locator('svg[aria-label^="Improvements by source"]').getAttribute('aria-label')).toMatch(/lessons-learned \d/);
    await page.screenshot({ path: path.join(screenshots, 'measures.png'), fullPage: true });
    const csv = await page.request.get(`${service.url}/measures/sources.csv`);
    expect(csv.status()).toBe(200);
    expect((await csv.text()).split('\r\n')[0]).toBe('source,count,percent');
  });
});
