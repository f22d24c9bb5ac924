import { expect } from 'vitest';
import type { InboxMessage } from '../../embedded/inbox';
import { createMigratedDatabase } from './database';
import { type ApiClient, startTestService, type TestService, type TestServiceOptions } from './service';
import { eventually } from './service';

/** The people of a small organisation, as the tests register them. */
export const people = {
  chief: 'chief@example.org', // management: the steering committee
  orpg: 'orpg.lead@example.org', // operational resilience process group
  orpgManager: 'head.of.resilience@example.org',
  auditor: 'auditor@example.org',
  owner: 'process.owner@example.org',
  proposer: 'proposer@example.org',
  proposerManager: 'team.lead@example.org',
  claimsManager: 'claims.manager@example.org',
  paymentsManager: 'payments.manager@example.org',
  actionOwner: 'action.owner@example.org',
} as const;

export interface Organisation {
  claimsUnit: string;
  paymentsUnit: string;
}

/** Registers two organisational units and everyone who takes part in an improvement. */
export async function registerOrganisation(service: ApiClient): Promise<Organisation> {
  const unit = async (name: string, manager: string) => {
    const response = await service.call('POST', '/api/org-units', { name, manager });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.id as string;
  };
  const claimsUnit = await unit('Claims', people.claimsManager);
  const paymentsUnit = await unit('Payments', people.paymentsManager);
  const person = async (email: string, name: string, roles: string[], manager?: string, orgUnit?: string) => {
    const response = await service.call('POST', '/api/people', { email, name, roles, ...(manager ? { manager } : {}), ...(orgUnit ? { orgUnit } : {}) });
    expect([200, 201], JSON.stringify(response.body)).toContain(response.status);
  };
  await person(people.chief, 'Chief Executive', ['management']);
  await person(people.orpgManager, 'Head of Resilience', ['staff'], people.chief);
  await person(people.orpg, 'ORPG Lead', ['orpg'], people.orpgManager);
  await person(people.auditor, 'Auditor', ['auditor'], people.chief);
  await person(people.owner, 'Process Owner', ['process-owner'], people.chief);
  await person(people.proposer, 'Proposer', ['staff'], people.proposerManager, claimsUnit);
  await person(people.claimsManager, 'Claims Manager', ['staff'], people.chief, claimsUnit);
  await person(people.paymentsManager, 'Payments Manager', ['staff'], people.chief, paymentsUnit);
  await person(people.actionOwner, 'Action Owner', ['staff'], people.owner);
  return { claimsUnit, paymentsUnit };
}

/** A proposal with every field, for a lifecycle test to adjust. */
export function proposal(organisation: Organisation, overrides: Record<string, unknown> = {}) {
  return {
    title: 'Add root-cause analysis to incident reviews',
    description: 'Post-incident reviews close without a root cause, so incidents recur.',
    proposedChange: 'Add a cause-and-effect analysis step before a review may close.',
    proposer: people.proposer,
    processOwner: people.owner,
    process: 'Incident Management',
    orgUnits: [organisation.claimsUnit],
    source: 'incident',
    pilot: false,
    expectedBenefit: 'Fewer repeat incidents',
    estimatedCost: '10 person-days',
    estimatedEffort: '2 weeks',
    durations: { default: { due: '10m', remindBefore: '1m', escalateAfter: '10m' }, settlingPeriod: '1s' },
    ...overrides,
  };
}

export interface OpenTaskView {
  id: string;
  step: string;
  assignee: string;
  dueAt: string;
  escalationLevel: number;
  unitId: string | null;
}

/** Waits until the improvement has an open task for `step` (and unit), and returns it. */
export function openTask(service: ApiClient, improvementId: string, step: string, unitId?: string, timeoutMs = 30_000): Promise<OpenTaskView> {
  return eventually(async () => {
    const response = await service.call('GET', `/api/improvements/${improvementId}`);
    const tasks = (response.body.openTasks ?? []) as OpenTaskView[];
    return tasks.find((task) => task.step === step && (unitId === undefined || task.unitId === unitId));
  }, timeoutMs);
}

/** Waits until the improvement reaches `stage`, and returns it. */
export function improvementAt(service: ApiClient, improvementId: string, stage: string): Promise<any> {
  return eventually(async () => {
    const response = await service.call('GET', `/api/improvements/${improvementId}`);
    return response.body.stage === stage ? response.body : undefined;
  }, 30_000);
}

/**
 * Decides a task over the API as its assignee and waits until it counted: applied at once (200), or
 * received (202, when a busy worker outlasts the decision wait) and then applied.
 */
export async function decide(service: ApiClient, task: OpenTaskView, outcome: string, fields: Record<string, unknown> = {}) {
  const response = await service.call('POST', `/api/tasks/${task.id}/decision`, { actor: task.assignee, outcome, fields });
  expect([200, 202], JSON.stringify(response.body)).toContain(response.status);
  if (response.status === 202) {
    await eventually(async () => {
      const decided = await service.call('GET', `/api/tasks/${task.id}`);
      return decided.body.status === 'decided' ? decided.body : undefined;
    }, 60_000);
    const decided = await service.call('GET', `/api/tasks/${task.id}`);
    expect(decided.body).toMatchObject({ status: 'decided', outcome });
  }
  return response.body;
}

/** The decision link in an email. */
export function decisionLink(message: InboxMessage): string {
  const match = /Decide here: (\S+)/.exec(message.text);
  if (!match?.[1]) throw new Error(`no decision link in "${message.subject}"`);
  return match[1];
}

/** The hidden fields of a decision page's form for one outcome (its anti-forgery token). */
export function formProtection(html: string, outcome: string): Record<string, string> {
  const form = html.split('<form').find((part) => part.includes(`name="outcome" value="${outcome}"`));
  if (!form) throw new Error(`the page has no form for "${outcome}"`);
  const hidden: Record<string, string> = {};
  for (const [, name, value] of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    if (name !== 'outcome') hidden[name!] = value!;
  }
  return hidden;
}

/** Opens a decision page and submits its form for one outcome, as a browser would. */
export async function submitDecisionPage(link: string, outcome: string, fields: Record<string, string> = {}) {
  const page = await fetch(link);
  const html = await page.text();
  const response = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...formProtection(html, outcome), outcome, ...fields }).toString(),
  });
  return { status: response.status, html: await response.text() };
}

/** A fresh database, the whole service on it, and the organisation registered. */
export async function startServiceWithOrganisation(options: TestServiceOptions = {}): Promise<{ service: TestService; organisation: Organisation }> {
  const service = await startTestService({ databaseUrl: await createMigratedDatabase(), ...options });
  return { service, organisation: await registerOrganisation(service) };
}
