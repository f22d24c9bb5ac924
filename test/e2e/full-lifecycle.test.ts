import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxMessage } from '../../embedded/inbox';
import { improvementWorkflowId, unitDeploymentWorkflowId } from '../../workflows/improvement/definitions';
import { decisionLink, formProtection, improvementAt, type Organisation, people, proposal, startServiceWithOrganisation } from '../support/organisation';
import type { TestService } from '../support/service';
import { recordHistory, recordingHistories } from '../support/histories';

/**
 * One improvement through every stage, with a pilot and two units, driven as people would:
 * only HTTP calls and the links in the emails they receive over SMTP.
 */
describe('a full improvement lifecycle from emailed links', () => {
  let service: TestService;
  let organisation: Organisation;
  const used = new Set<string>();

  beforeAll(async () => {
    ({ service, organisation } = await startServiceWithOrganisation());
  });
  afterAll(() => service?.destroy());

  /** Opens the next unused task email to `to` for a step, checks the page, and submits an outcome. */
  async function decideFromEmail(to: string, stepTitle: string, outcome: string, fields: Record<string, string> = {}) {
    const [email] = await service.inbox.waitFor(
      (message: InboxMessage) => message.to.includes(to) && message.subject.startsWith(`Action needed: ${stepTitle}`) && !used.has(message.id),
      { timeoutMs: 30_000 },
    );
    used.add(email!.id);
    const link = decisionLink(email!);
    expect(link.startsWith(`${service.url}/decide/`)).toBe(true);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<h1>${stepTitle}`);
    expect(html).toContain(`name="outcome" value="${outcome}"`);
    // Opening the link twice (a mail scanner, a second look) changes nothing.
    expect((await fetch(link)).status).toBe(200);

    const response = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...formProtection(html, outcome), outcome, ...fields }).toString(),
    });
    const result = await response.text();
    expect(response.status, result).toBe(200);
    expect(result).toContain('Your decision');

    const again = await fetch(link);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain(`by ${to}`);
  }

  it('closes after review, prioritisation, planning, implementation, a pilot, deployment to two units, an audit with a correction and lessons learned', async () => {
    const created = await service.call(
      'POST',
      '/api/improvements',
      proposal(organisation, { title: 'Full lifecycle', pilot: true, orgUnits: [organisation.claimsUnit, organisation.paymentsUnit] }),
    );
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    await decideFromEmail(people.orpg, 'Review the improvement proposal', 'accept', { comment: 'Clear problem statement' });
    await decideFromEmail(people.orpg, 'Score the improvement', 'score', { cost: '2', benefit: '5', risk: '2', barriers: '1', comment: '' });
    await decideFromEmail(people.chief, 'Approve the improvement for planning', 'approve');
    await decideFromEmail(people.owner, 'Submit the process action plan', 'submit', {
      objectives: 'Every incident review names a root cause',
      actions: `Write the RCA template | ${people.actionOwner} | 30s\nTrain the reviewers | ${people.actionOwner} | 30s`,
      pilotStrategy: 'Pilot in Claims for one cycle',
      measures: 'Repeat incidents per quarter',
      risks: 'Reviewers lack time',
    });
    await decideFromEmail(people.chief, 'Approve the process action plan', 'approve');
    await decideFromEmail(people.actionOwner, 'Report completion of a planned action', 'complete', { comment: 'Template published' });
    await decideFromEmail(people.actionOwner, 'Report completion of a planned action', 'complete', { comment: 'Reviewers trained' });
    await decideFromEmail(people.owner, 'Submit the pilot plan', 'submit', { units: 'Claims', successCriteria: 'RCA in 9 of 10 reviews', duration: '1s' });
    await decideFromEmail(people.orpg, 'Approve the pilot plan', 'approve');
    await decideFromEmail(people.owner, 'Record the pilot results', 'submit', { results: 'RCA in 10 of 10 reviews', criteriaMet: 'yes' });
    await decideFromEmail(people.orpg, 'Decide after the pilot', 'go');
    await decideFromEmail(people.claimsManager, 'Adopt the improved process in your unit', 'tailor', { tailoring: 'RCA only for severity 1-2' });
    await decideFromEmail(people.paymentsManager, 'Adopt the improved process in your unit', 'waiver', { reason: 'Payments runs the group RCA process already' });
    await decideFromEmail(people.orpg, 'Grant or refuse a waiver', 'grant');
    await decideFromEmail(people.auditor, 'Record the compliance audit result', 'non-compliant', { findings: 'Two reviews closed without RCA' });
    await decideFromEmail(people.claimsManager, 'Close the corrective action', 'close', { action: 'Reopened both reviews and added RCA' });
    await decideFromEmail(people.owner, 'Record lessons learned', 'submit', { lessons: 'Pilot first', measuredEffect: 'Repeat incidents down 40%' });
    await decideFromEmail(people.orpg, 'Confirm the lessons learned and close', 'confirm');

    const closed = await improvementAt(service, id, 'closed');
    expect(closed.status).toBe('closed');
    expect(closed.openTasks).toEqual([]);
    expect(closed.details.units).toEqual([
      expect.objectContaining({ unitName: 'Claims', status: 'adopted', tailoring: 'RCA only for severity 1-2', audit: 'corrected', correctiveAction: 'Reopened both reviews and added RCA' }),
      expect.objectContaining({ unitName: 'Payments', status: 'waived', waiverReason: 'Payments runs the group RCA process already' }),
    ]);
    expect(closed.details.lessons).toEqual({ lessons: 'Pilot first', measuredEffect: 'Repeat incidents down 40%' });
    expect(closed.history.filter((entry: { channel: string }) => entry.channel === 'email-link')).toHaveLength(18);

    const [closing] = await service.inbox.waitFor((message) => message.subject === 'Improvement closed: Full lifecycle');
    expect(closing!.to).toEqual([people.proposer]);

    const mail = (await service.inbox.list()).filter((message) => message.notificationKey);
    const keys = mail.map((message) => message.notificationKey);
    expect(new Set(keys).size).toBe(keys.length);
    const byRecipient: Record<string, number> = {};
    for (const message of mail) for (const to of message.to) byRecipient[to] = (byRecipient[to] ?? 0) + 1;
    // 18 task emails, the proposer's acknowledgement and closing notice.
    expect(mail).toHaveLength(20);
    expect(byRecipient).toEqual({
      [people.proposer]: 2,
      [people.orpg]: 6,
      [people.chief]: 2,
      [people.owner]: 4,
      [people.actionOwner]: 2,
      [people.claimsManager]: 2,
      [people.paymentsManager]: 1,
      [people.auditor]: 1,
    });

    if (recordingHistories()) recordHistories(id, organisation.claimsUnit);
  });
});

/** Saves the workflows' histories for the replay test (RECORD_HISTORIES=<version>). */
function recordHistories(improvementId: string, unitId: string): void {
  recordHistory('improvement-lifecycle', improvementWorkflowId(improvementId));
  recordHistory('unit-deployment', unitDeploymentWorkflowId(improvementId, unitId));
}
