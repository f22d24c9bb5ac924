import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getStatusQuery, improvementWorkflowId } from '../../workflows/improvement/definitions';
import { createMigratedDatabase } from '../support/database';
import {
  decide,
  decisionLink,
  improvementAt,
  type Organisation,
  openTask,
  people,
  proposal,
  registerOrganisation,
} from '../support/organisation';
import { eventually, startTestService, type TestService } from '../support/service';

describe('the improvement lifecycle, stage by stage', () => {
  let service: TestService;
  let organisation: Organisation;
  let temporal: Client;

  beforeAll(async () => {
    service = await startTestService({ databaseUrl: await createMigratedDatabase() });
    organisation = await registerOrganisation(service);
    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  });
  afterAll(async () => {
    await temporal?.connection.close();
    await service?.destroy();
  });

  async function submit(overrides: Record<string, unknown> = {}): Promise<string> {
    const response = await service.call('POST', '/api/improvements', proposal(organisation, overrides));
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.id as string;
  }

  async function reachPlanning(id: string) {
    await decide(service, await openTask(service, id, 'review'), 'accept');
    await decide(service, await openTask(service, id, 'score'), 'score', { cost: 2, benefit: 5, risk: 2, barriers: 1 });
    await decide(service, await openTask(service, id, 'steering'), 'approve');
    return improvementAt(service, id, 'planning');
  }

  it('when the ORPG rejects the proposal, the proposer is told and the improvement closes as rejected', async () => {
    const id = await submit({ title: 'Rejected proposal' });
    const review = await openTask(service, id, 'review');
    expect(review.assignee).toBe(people.orpg);

    const [assignment] = await service.inbox.waitFor((mail) => mail.to.includes(people.orpg) && mail.subject.includes('Rejected proposal'));
    expect(assignment!.subject).toBe('Action needed: Review the improvement proposal — Rejected proposal');
    expect(assignment!.text).toContain('Problem: Post-incident reviews close without a root cause');

    await decide(service, review, 'reject', { reason: 'Duplicates an improvement already in flight' });
    const rejected = await improvementAt(service, id, 'rejected');
    expect(rejected.status).toBe('rejected');
    expect(rejected.openTasks).toEqual([]);
    expect(rejected.history.map((entry: { action: string }) => entry.action)).toEqual(
      expect.arrayContaining(['submitted', `asked ${people.orpg}`, 'Reject', 'rejected']),
    );
    const [told] = await service.inbox.waitFor((mail) => mail.to.includes(people.proposer) && mail.subject === 'Improvement rejected: Rejected proposal');
    expect(told!.text).toContain('Reason: Duplicates an improvement already in flight');

    const state = await temporal.workflow.getHandle(improvementWorkflowId(id)).query(getStatusQuery);
    expect(state).toMatchObject({ stage: 'rejected', status: 'rejected', endReason: 'Duplicates an improvement already in flight' });
  });

  it('when the ORPG requests changes, the proposer revises and resubmits, and the revision is reviewed again', async () => {
    const id = await submit({ title: 'Needs another pass' });
    await decide(service, await openTask(service, id, 'review'), 'request-changes', { comment: 'Quantify the repeat incidents' });
    const revise = await openTask(service, id, 'revise');
    expect(revise.assignee).toBe(people.proposer);
    const [mail] = await service.inbox.waitFor((message) => message.to.includes(people.proposer) && message.subject.startsWith('Action needed: Revise'));
    expect(mail!.text).toContain('Changes requested: Quantify the repeat incidents');

    await decide(service, revise, 'resubmit', { title: 'Needs another pass (12 repeat incidents in 2026)', comment: 'Added figures' });
    const secondReview = await openTask(service, id, 'review');
    expect(secondReview.id).not.toBe(revise.id);
    const improvement = await improvementAt(service, id, 'review');
    expect(improvement.title).toBe('Needs another pass (12 repeat incidents in 2026)');
    expect(improvement.details.revision).toBe(1);

    await decide(service, secondReview, 'accept');
    await improvementAt(service, id, 'prioritisation');
  });

  it('management defers the decision to a date, and when it comes the decision comes back to them', async () => {
    const id = await submit({ title: 'Deferred improvement' });
    await decide(service, await openTask(service, id, 'review'), 'accept');
    await decide(service, await openTask(service, id, 'score'), 'score', { cost: 3, benefit: 4, risk: 2, barriers: 2 });
    const scored = await eventually(async () => {
      const response = await service.call('GET', `/api/improvements/${id}`);
      return response.body.priority === null ? undefined : response.body;
    });
    expect(scored.priority).toBe(2 * 4 - 3 - 2 - 2 + 10);
    expect(scored.details.scores).toEqual({ cost: 3, benefit: 4, risk: 2, barriers: 2 });

    const steering = await openTask(service, id, 'steering');
    expect(steering.assignee).toBe(people.chief);
    const until = new Date(Date.now() + 3_000).toISOString();
    await decide(service, steering, 'defer', { until, comment: 'After the budget round' });
    const deferred = await improvementAt(service, id, 'deferred');
    expect(deferred.openTasks).toEqual([]);

    const again = await openTask(service, id, 'steering');
    expect(again.id).not.toBe(steering.id);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(until));
    await decide(service, again, 'approve');
    await improvementAt(service, id, 'planning');
  });

  it('management can return a process action plan; the owner resubmits and it is approved', async () => {
    const id = await submit({ title: 'Plan needs work' });
    await reachPlanning(id);
    const plan = await openTask(service, id, 'plan');
    expect(plan.assignee).toBe(people.owner);
    const actions = `Write the RCA template | ${people.actionOwner} | 30s`;
    await decide(service, plan, 'submit', { objectives: 'RCA in every review', actions, measures: 'Repeat incidents per quarter' });
    await decide(service, await openTask(service, id, 'plan-approval'), 'return', { comment: 'Add a training action' });
    const second = await openTask(service, id, 'plan');
    expect(second.id).not.toBe(plan.id);
    await decide(service, second, 'submit', {
      objectives: 'RCA in every review',
      actions: `${actions}\nTrain reviewers | ${people.actionOwner} | 30s`,
      measures: 'Repeat incidents per quarter',
    });
    await decide(service, await openTask(service, id, 'plan-approval'), 'approve');
    const implementing = await eventually(async () => {
      const response = await service.call('GET', `/api/improvements/${id}`);
      const actions = (response.body.openTasks ?? []).filter((task: { step: string }) => task.step === 'action');
      return actions.length === 2 ? response.body : undefined;
    });
    expect(implementing.stage).toBe('implementation');
    expect(implementing.details.plan.actions).toHaveLength(2);
    expect(implementing.details.planRevision).toBe(2);
  });

  it('when the proposer withdraws during planning, open tasks are cancelled and their links stop working', async () => {
    const id = await submit({ title: 'Withdrawn during planning' });
    await reachPlanning(id);
    const plan = await openTask(service, id, 'plan');
    const [planMail] = await service.inbox.waitFor((mail) => mail.to.includes(people.owner) && mail.subject.includes('Withdrawn during planning'));

    const refused = await service.call('POST', `/api/improvements/${id}/withdraw`, { actor: people.claimsManager, reason: 'Not mine to withdraw' });
    expect(refused.status).toBe(403);

    const withdrawn = await service.call('POST', `/api/improvements/${id}/withdraw`, { actor: people.proposer, reason: 'Superseded by the group policy' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ stage: 'withdrawn', status: 'withdrawn' });

    const improvement = await improvementAt(service, id, 'withdrawn');
    expect(improvement.openTasks).toEqual([]);
    const task = await service.call('GET', `/api/tasks/${plan.id}`);
    expect(task.body.status).toBe('cancelled');

    const page = await fetch(decisionLink(planMail!));
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('This task was cancelled');
    const late = await service.call('POST', `/api/tasks/${plan.id}/decision`, { actor: people.owner, outcome: 'submit', fields: {} });
    expect(late.status).toBe(409);

    const again = await service.call('POST', `/api/improvements/${id}/withdraw`, { actor: people.proposer, reason: 'twice' });
    expect(again.status).toBe(409);
    await service.inbox.waitFor((mail) => mail.to.includes(people.proposer) && mail.subject === 'Improvement withdrawn: Withdrawn during planning');
  });

  it('when the pilot fails, the ORPG abandons the improvement', async () => {
    const id = await submit({ title: 'Abandoned after pilot', pilot: true });
    await reachPlanning(id);
    await decide(service, await openTask(service, id, 'plan'), 'submit', {
      objectives: 'Faster triage',
      actions: `Draft triage rules | ${people.actionOwner} | 30s`,
      measures: 'Time to triage',
    });
    await decide(service, await openTask(service, id, 'plan-approval'), 'approve');
    await decide(service, await openTask(service, id, 'action'), 'complete', { comment: 'Rules drafted' });
    await improvementAt(service, id, 'pilot');
    await decide(service, await openTask(service, id, 'pilot-plan'), 'submit', { units: 'Claims', successCriteria: 'Triage under 1 h', duration: '1s' });
    await decide(service, await openTask(service, id, 'pilot-approval'), 'approve');
    await decide(service, await openTask(service, id, 'pilot-results'), 'submit', { results: 'Triage took 3 h', criteriaMet: false });
    await decide(service, await openTask(service, id, 'pilot-decision'), 'abandon', { reason: 'The rules slowed triage down' });
    const abandoned = await improvementAt(service, id, 'abandoned');
    expect(abandoned.status).toBe('abandoned');
    expect(abandoned.details.pilotResult).toEqual({ results: 'Triage took 3 h', criteriaMet: false });
  });

  it('a late task reminds its assignee, then escalates to their manager, then to management', async () => {
    const id = await submit({
      title: 'Nobody reviews this',
      durations: { default: { due: '4s', remindBefore: '2s', escalateAfter: '3s' } },
    });
    const review = await openTask(service, id, 'review');
    const mine = (kind: string) => (mail: { notificationKey?: string }) => mail.notificationKey === `${review.id}:${kind}`;

    const [reminder] = await service.inbox.waitFor(mine('reminder'));
    expect(reminder!.to).toEqual([people.orpg]);
    expect(reminder!.subject).toBe('Reminder: Review the improvement proposal — Nobody reviews this');
    expect(reminder!.text).toContain('Decide here: ');

    const [toManager] = await service.inbox.waitFor(mine('escalation-1'));
    expect(toManager!.to).toEqual([people.orpgManager]);
    expect(toManager!.subject).toBe('Escalation: Review the improvement proposal is overdue — Nobody reviews this');
    const [toManagement] = await service.inbox.waitFor(mine('escalation-2'));
    expect(toManagement!.to).toEqual([people.chief]);
    expect(toManagement!.receivedAt.getTime()).toBeGreaterThan(toManager!.receivedAt.getTime());

    const escalated = await improvementAt(service, id, 'review');
    expect(escalated.escalationLevel).toBe(2);
    expect(escalated.openTasks[0].escalationLevel).toBe(2);
    expect(escalated.history.map((entry: { action: string }) => entry.action)).toEqual(
      expect.arrayContaining([`reminded ${people.orpg}`, `escalated to the assignee's manager (${people.orpgManager})`, `escalated to management (${people.chief})`]),
    );
    const overdue = await service.call('GET', '/api/improvements?overdue=true');
    expect(overdue.body.items.map((item: { id: string }) => item.id)).toContain(id);

    await decide(service, review, 'accept');
    const cleared = await improvementAt(service, id, 'prioritisation');
    expect(cleared.escalationLevel).toBe(0);
  });

  it('refuses a decision by someone else, without a reason, or on a decided task, and changes nothing', async () => {
    const id = await submit({ title: 'Guarded decisions' });
    const review = await openTask(service, id, 'review');

    const stranger = await service.call('POST', `/api/tasks/${review.id}/decision`, { actor: people.proposer, outcome: 'accept', fields: {} });
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.message).toBe(`actor: only ${people.orpg} can decide this task`);

    const noReason = await service.call('POST', `/api/tasks/${review.id}/decision`, { actor: people.orpg, outcome: 'reject', fields: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toBe('fields.reason: reason is required');

    const badOutcome = await service.call('POST', `/api/tasks/${review.id}/decision`, { actor: people.orpg, outcome: 'maybe', fields: {} });
    expect(badOutcome.status).toBe(400);
    expect(badOutcome.body.error.message).toBe('outcome: must be one of accept, reject, request-changes');

    expect((await improvementAt(service, id, 'review')).openTasks.map((task: { id: string }) => task.id)).toEqual([review.id]);

    await decide(service, review, 'accept');
    const twice = await service.call('POST', `/api/tasks/${review.id}/decision`, { actor: people.orpg, outcome: 'reject', fields: { reason: 'changed my mind' } });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toMatch(new RegExp(`^this task was already decided \\("accept"\\) by ${people.orpg} on `));
    expect((await improvementAt(service, id, 'prioritisation')).status).toBe('active');
  });

  it('a long history continues as new between stages, keeping its state; the history stays in the read model, not in the state carried', async () => {
    const id = await submit({ title: 'Long-running improvement', continueAsNewAfterEvents: 50 });
    const handle = temporal.workflow.getHandle(improvementWorkflowId(id));
    const firstRunId = (await handle.describe()).runId;
    for (let round = 1; round <= 3; round += 1) {
      await decide(service, await openTask(service, id, 'review'), 'request-changes', { comment: `Round ${round}` });
      await decide(service, await openTask(service, id, 'revise'), 'resubmit', { comment: `Answered round ${round}` });
    }
    const review = await openTask(service, id, 'review');
    const description = await handle.describe();
    expect(description.runId).not.toBe(firstRunId);
    const state = await handle.query(getStatusQuery);
    expect(state.revision).toBe(3);
    expect(state.openTasks.map((task) => task.id)).toEqual([review.id]);
    expect(state.history).toBeUndefined();
    expect(state.comments?.changesRequested).toBe('Round 3');
    const { history } = (await service.call('GET', `/api/improvements/${id}`)).body as { history: { action: string; comment?: string }[] };
    expect(history.filter((entry) => entry.action === 'Request changes').map((entry) => entry.comment)).toEqual(['Round 1', 'Round 2', 'Round 3']);

    await decide(service, review, 'accept');
    const accepted = await improvementAt(service, id, 'prioritisation');
    expect(accepted.details.revision).toBe(3);
  });

  it('lists improvements by stage, status and assignee', async () => {
    const id = await submit({ title: 'Listed improvement' });
    await openTask(service, id, 'review');
    const byAssignee = await service.call('GET', `/api/improvements?assignee=${people.orpg}&stage=review`);
    expect(byAssignee.status).toBe(200);
    expect(byAssignee.body.items.map((item: { id: string }) => item.id)).toContain(id);
    const closed = await service.call('GET', '/api/improvements?status=closed');
    expect(closed.body.items.map((item: { id: string }) => item.id)).not.toContain(id);
    const bad = await service.call('GET', '/api/improvements?stage=nowhere');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^query\.stage: /);
  });

  it('refuses a proposal naming an unknown unit or a process owner who is not one', async () => {
    const unknownUnit = await service.call('POST', '/api/improvements', proposal(organisation, { orgUnits: ['00000000-0000-4000-8000-000000000000'] }));
    expect(unknownUnit.status).toBe(422);
    expect(unknownUnit.body.error.message).toMatch(/^orgUnits: /);
    const notOwner = await service.call('POST', '/api/improvements', proposal(organisation, { processOwner: people.proposer }));
    expect(notOwner.status).toBe(422);
    expect(notOwner.body.error.message).toMatch(/^processOwner: /);
    const badDuration = await service.call('POST', '/api/improvements', proposal(organisation, { durations: { default: { due: '5 days' } } }));
    expect(badDuration.status).toBe(400);
    expect(badDuration.body.error.message).toMatch(/^body\.durations\.default\.due: /);
  });
});
