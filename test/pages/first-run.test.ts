import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase } from '../support/database';
import { startTestService, type TestService } from '../support/service';

const screenshots = path.join(__dirname, '..', '..', 'test-artifacts', 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A service nobody runs yet: the admin token's holder registers the first ORPG member from the pages. */
describe('the first-run page, in a browser', () => {
  let service: TestService;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    service = await startTestService({ databaseUrl: await createMigratedDatabase() });
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await service?.destroy();
  });

  it('leads from sign-in to setup; a wrong admin token is shown at its field; the right one registers and signs in the first ORPG member, once', async () => {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await page.goto(`${service.url}/dashboard`);
    await page.getByRole('link', { name: 'set up the first ORPG member with the admin token' }).click();
    await page.waitForURL(`${service.url}/setup`);

    await page.getByLabel('Admin token').fill('not-the-admin-token');
    await page.getByLabel('Your name').fill('Olu Orpg-Lead');
    await page.getByLabel('Your work email').fill('Olu.Lead@example.org');
    await page.getByRole('button', { name: 'Register me and sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Admin token: that is not the admin token this service started with');
    expect(await page.getByLabel('Your name').inputValue()).toBe('Olu Orpg-Lead');
    await page.screenshot({ path: path.join(screenshots, 'first-run-wrong-token-390.png'), fullPage: true });

    await page.getByLabel('Admin token').fill(service.adminToken);
    await page.getByRole('button', { name: 'Register me and sign in' }).click();
    await page.waitForURL(`${service.url}/dashboard`);
    expect(await page.locator('header .who').textContent()).toBe('olu.lead@example.org');

    const person = await service.call('GET', '/api/people/olu.lead@example.org');
    expect(person.body).toMatchObject({ name: 'Olu Orpg-Lead', roles: ['orpg'] });
    const trail = await service.call('GET', '/api/audit?action=first-run.orpg-member');
    expect(trail.body.items.map((entry: { outcome: string }) => entry.outcome).sort()).toEqual(['ok', 'refused']);

    // Once the service has an ORPG member, setup is closed: it leads to sign-in, which no longer offers it.
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${service.url}/setup`);
    await other.waitForURL(`${service.url}/sign-in`);
    expect(await other.getByRole('link', { name: /set up the first ORPG member/ }).count()).toBe(0);
    const late = await fetch(`${service.url}/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: service.url },
      body: new URLSearchParams({ adminToken: service.adminToken, name: 'Second', email: 'second@example.org' }),
      redirect: 'manual',
    });
    expect(late.status).toBe(303);
    expect((await service.call('GET', '/api/people/second@example.org')).status).toBe(404);
  }, 120_000);

  it('names each missing field in words a person uses, and stores nothing', async () => {
    const response = await fetch(`${service.url}/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: service.url },
      body: new URLSearchParams({ adminToken: '', name: '', email: 'not-an-address' }),
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('Admin token: enter the admin token npm start printed');
    expect(html).toContain('href="#email"');
  });
});
