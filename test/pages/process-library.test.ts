import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../prisma/database';
import { draftVersion, publishVersion, recordAdoption, recordWaiver } from '../../repositories/process-library';
import { createMigratedDatabase } from '../support/database';
import { type Organisation, people, registerOrganisation } from '../support/organisation';
import { startTestService, type TestService } from '../support/service';

const screenshots = path.join(__dirname, '..', '..', 'test-artifacts', 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The library, a process's page and the adoption matrix, in a real headless Chromium, over a realistic library. */
describe('the process library pages, in a browser', () => {
  let service: TestService;
  let db: Database;
  let organisation: Organisation;
  let browser: Browser;
  const ids: Record<string, string> = {};

  async function addProcess(name: string, purpose: string, extra: Record<string, unknown> = {}): Promise<string> {
    const response = await service.call('POST', '/api/processes', { name, owner: people.owner, purpose, ...extra });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.id as string;
  }

  async function publish(processId: string, summary: string, at: string, extra: { improvementId?: string; lessons?: string } = {}): Promise<string> {
    const draft = await draftVersion(db, { processId, summary, createdBy: people.owner, ...extra });
    await publishVersion(db, { versionId: draft.id, at });
    return draft.id;
  }

  /** A unit, with the processes that apply to it. */
  async function addUnit(name: string, manager: string, processes: string[]): Promise<string> {
    const response = await service.call('POST', '/api/org-units', { name, manager, processes });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.id as string;
  }

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    const url = await createMigratedDatabase();
    service = await startTestService({ databaseUrl: url });
    db = createDatabase(url, 2);
    organisation = await registerOrganisation(service);

    ids.incident = await addProcess('Incident Management', 'Restore service quickly and learn from every major incident', { url: 'https://wiki.example.org/processes/incident' });
    ids.change = await addProcess('Change Management', 'Changes reach production without surprises', { tailoringGuidelines: 'Units under 10 people may merge CAB review and approval.' });
    ids.access = await addProcess('Access Review', 'Quarterly review of privileged access');
    ids.continuity = await addProcess('Business Continuity <Planning>', 'Keep critical services running through disruption');

    // An improvement of incident management that reached lessons learned and produced its version 2.
    const improvementId = randomUUID();
    ids.improvement = improvementId;
    await db.improvement.create({
      data: {
        id: improvementId, workflowId: `improvement-${improvementId}`, title: 'Add root-cause analysis to incident reviews', description: 'Incidents recur.',
        proposerEmail: people.proposer, processOwnerEmail: people.owner, process: 'Incident Management', processId: ids.incident, stage: 'closed', status: 'completed',
        details: { lessons: { lessons: 'A five-whys template made reviews twice as fast', measuredEffect: 'Repeat incidents down 40% over a quarter' } },
      },
    });
    const incidentV1 = await publish(ids.incident, 'First edition of the incident process', '2026-02-02T09:00:00Z');
    const incidentV2 = await publish(ids.incident, 'Adds root-cause analysis before a review closes', '2026-06-01T09:00:00Z', { improvementId, lessons: 'Root causes must be named before closing' });
    await publish(ids.incident, 'Severity matrix aligned with the service catalogue', '2026-11-02T09:00:00Z');
    const changeV1 = await publish(ids.change, 'First edition of the change process', '2026-03-02T09:00:00Z');
    const accessV1 = await publish(ids.access, 'Quarterly reviews with the system owners', '2026-04-01T09:00:00Z');
    const accessV2 = await publish(ids.access, 'Adds service accounts to the review', '2026-09-01T09:00:00Z');
    await draftVersion(db, { processId: ids.change, summary: 'Emergency changes get a lighter path', createdBy: people.owner });

    ids.claims = organisation.claimsUnit;
    ids.payments = organisation.paymentsUnit;
    await service.call('PUT', `/api/org-units/${ids.claims}/processes`, { processes: [ids.incident, ids.change, ids.access] });
    await service.call('PUT', `/api/org-units/${ids.payments}/processes`, { processes: [ids.incident, ids.change, ids.access, ids.continuity] });
    ids.underwriting = await addUnit('Underwriting', 'underwriting.lead@example.org', [ids.incident, ids.access]);
    ids.service = await addUnit('Customer Service', 'service.lead@example.org', [ids.incident, ids.change]);
    ids.brokerage = await addUnit('Acquired Brokerage', 'brokerage.lead@example.org', [ids.incident, ids.change, ids.access]);

    const adopt = (unitId: string, processId: string, versionId: string, at: string, tailoring?: string) => recordAdoption(db, { unitId, processId, versionId, at, tailoring });
    const incidentV3 = (await db.processVersion.findFirstOrThrow({ where: { processId: ids.incident, number: 3 } })).id;
    await adopt(ids.claims, ids.incident, incidentV3, '2026-11-09T09:00:00Z');
    await adopt(ids.claims, ids.change, changeV1, '2026-03-16T09:00:00Z', 'CAB meets fortnightly instead of weekly');
    await adopt(ids.claims, ids.access, accessV2, '2026-09-15T09:00:00Z');
    await adopt(ids.payments, ids.incident, incidentV2, '2026-06-15T09:00:00Z');
    await adopt(ids.payments, ids.change, changeV1, '2026-03-20T09:00:00Z');
    await adopt(ids.payments, ids.access, accessV1, '2026-04-10T09:00:00Z');
    await adopt(ids.underwriting, ids.incident, incidentV1, '2026-02-20T09:00:00Z');
    await adopt(ids.underwriting, ids.access, accessV2, '2026-09-20T09:00:00Z', 'Reviews monthly: high staff turnover');
    await adopt(ids.service, ids.incident, incidentV3, '2026-11-12T09:00:00Z', 'Follow-the-sun hand-over added');
    await recordWaiver(db, { unitId: ids.service, processId: ids.change, reason: 'No production systems until the CRM migration', expiresAt: '2027-03-31T00:00:00Z', grantedBy: people.orpg });

    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await db?.$disconnect();
    await service?.destroy();
  });

  async function signedIn(email: string): Promise<Page> {
    const issued = await service.call('POST', `/api/people/${email}/tokens`, { name: 'browser' });
    expect(issued.status).toBe(201);
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${service.url}/processes`);
    await page.getByLabel('API token').fill(issued.body.token as string);
    await page.getByRole('button', { name: 'Sign in with token' }).click();
    await page.waitForURL(`${service.url}/processes`);
    return page;
  }

  it('the library lists every process with its current version and how many units run it; a process page shows every unit’s version, lag, tailoring and waiver', async () => {
    const page = await signedIn(people.proposer);
    expect(await page.getByRole('link', { name: 'Process library' }).getAttribute('aria-current')).toBe('page');
    const incidentRow = page.getByRole('row', { name: /Incident Management/ });
    expect(await incidentRow.textContent()).toMatch(/v3.*2 of 5/s);
    expect(await page.getByRole('row', { name: /Change Management/ }).textContent()).toMatch(/v1.*2 of 4/s);
    // Names are text, never markup.
    expect(await page.getByRole('link', { name: 'Business Continuity <Planning>' }).count()).toBe(1);
    expect(await page.getByRole('row', { name: /Business Continuity/ }).textContent()).toMatch(/none.*0 of 1/s);

    await page.getByRole('link', { name: 'Incident Management' }).click();
    await page.waitForURL(`${service.url}/processes/${ids.incident}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Incident Management');
    const unitRow = (name: string) => page.getByRole('table', { name: /^Every unit the process applies to/ }).getByRole('row', { name: new RegExp(`^${name}`) });
    expect(await unitRow('Underwriting').textContent()).toMatch(/v1\s*2 behind/);
    expect(await unitRow('Payments').textContent()).toMatch(/v2\s*1 behind/);
    expect(await unitRow('Customer Service').textContent()).toMatch(/v3\s*Current.*Follow-the-sun hand-over added/s);
    expect(await unitRow('Acquired Brokerage').textContent()).toMatch(/none\s*3 behind/);
    expect(await page.getByText('2 of 5 unit(s) on the current version.').count()).toBe(1);
    const versions = page.getByRole('table', { name: /Drafts, approvals and publications/ });
    expect(await versions.getByRole('row').count()).toBe(4);
    expect(await versions.getByRole('row', { name: /v2\s*superseded/ }).getByRole('link', { name: 'improvement' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Version 2' }).count()).toBe(1);
    expect(await page.getByText('A five-whys template made reviews twice as fast').count()).toBe(1);
    // Version 2's lessons learned, and the improvement that produced it, linked.
    const version2 = page.getByRole('region', { name: /^Version 2/ });
    expect(await version2.getByRole('listitem').first().textContent()).toBe('Root causes must be named before closing from Add root-cause analysis to incident reviews');
    expect(await version2.getByRole('listitem').first().getByRole('link').getAttribute('href')).toBe(`/improvements/${ids.improvement}`);
    // Tailoring records by version: Customer Service tailored version 3.
    const tailoring3 = page.getByRole('table', { name: 'Units that tailored version 3, and how' });
    expect(await tailoring3.getByRole('row', { name: /^Customer Service/ }).textContent()).toMatch(/Follow-the-sun hand-over added\s*carried over, 2026-11-12 09:00 UTC/);
    expect(await page.getByRole('region', { name: /^Version 1/ }).getByText('No unit tailored it.').count()).toBe(1);
    await page.screenshot({ path: path.join(screenshots, 'process-library.png'), fullPage: true });

    await page.goto(`${service.url}/processes/${ids.change}`);
    expect(await unitRow('Customer Service').textContent()).toMatch(/Waived.*No production systems until the CRM migration.*until 2027-03-31/s);
    expect(await unitRow('Claims').textContent()).toMatch(/CAB meets fortnightly instead of weekly/);
    expect(await page.getByRole('row', { name: /v2\s*draft/ }).count()).toBe(1);
  });

  it('the adoption matrix shows every unit × process, with the lag at a glance', async () => {
    const page = await signedIn(people.auditor);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Adoption' }).click();
    await page.waitForURL(`${service.url}/adoption`);
    const header = await page.getByRole('row').first().textContent();
    expect(header).toMatch(/Access Review.*current v2.*Business Continuity <Planning>.*no version yet.*Change Management.*current v1.*Incident Management.*current v3/s);
    const row = (name: string) => page.getByRole('row', { name: new RegExp(`^${name}`) });
    expect(await row('Claims').textContent()).toMatch(/^Claims\s*v2 Current\s*n\/a\s*v1 Current tailored\s*v3 Current$/);
    expect(await row('Payments').textContent()).toMatch(/^Payments\s*v1 1 behind\s*not adopted no version published\s*v1 Current\s*v2 1 behind$/);
    expect(await row('Customer Service').textContent()).toMatch(/n\/a\s*n\/a\s*not adopted Waived\s*v3 Current tailored$/);
    expect(await row('Acquired Brokerage').textContent()).toMatch(/not adopted 2 behind\s*n\/a\s*not adopted 1 behind\s*not adopted 3 behind$/);
    const counts = await page.getByRole('list').filter({ hasText: 'on the current version' }).textContent();
    expect(counts).toMatch(/6\s*on the current version\s*6\s*behind\s*1\s*waived/);
    await page.screenshot({ path: path.join(screenshots, 'adoption-matrix.png'), fullPage: true });

    await page.getByRole('link', { name: 'Payments' }).click();
    await page.waitForURL(`${service.url}/units/${ids.payments}`);
    const processRow = (name: string) => page.getByRole('row', { name: new RegExp(`^${name}`) });
    expect(await processRow('Incident Management').textContent()).toMatch(/v2\s*v3\s*1 behind/);
    expect(await processRow('Change Management').textContent()).toMatch(/v1\s*v1\s*Current/);
    expect(await processRow('Business Continuity').textContent()).toMatch(/none\s*—\s*no version published/);
  });
});
