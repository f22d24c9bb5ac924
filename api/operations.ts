import type { z } from 'zod';
import { decisionIdPattern } from './use-cases/decide';
import * as answers from './responses';
import { auditQuery } from './routes/audit-trail';
import { delegationParams, delegatorParams, newDelegation } from './routes/delegations';
import { improvementListQuery, improvementParams, proposalSchema, withdrawBody } from './routes/improvements';
import { orgUnitParams, orgUnitSchema, unitProcessesSchema } from './routes/org-units';
import { newProcessSchema, newVersionSchema, processParams } from './routes/processes';
import { peopleListQuery, personParams, personSchema } from './routes/people';
import { decisionBody, reassignBody, taskParams } from './routes/tasks';
import { newToken, tokenOwnerParams, tokenParams } from './routes/tokens';

/** A success answer: what it means and, unless it has no body, its schema per media type. */
export interface Answer {
  description: string;
  json?: z.ZodType;
  csv?: z.ZodType;
}

/** An error status an operation can answer with (the body is always `errorResponse`). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

export interface Operation {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Optional request headers, e.g. an Idempotency-Key. */
  headers?: { name: string; description: string; pattern: string }[];
  success: Record<number, Answer>;
  /** Besides 401 (no valid token) and 503 (database or Temporal briefly down), which every operation can answer. */
  errors: ErrorStatus[];
}

/** Statuses a JSON body can add: malformed or invalid (400), too large (413), badly encoded (415). */
const bodyErrors: ErrorStatus[] = [400, 413, 415];

const ok = (json: z.ZodType, description = 'OK'): Answer => ({ description, json });
const created = (json: z.ZodType): Answer => ({ description: 'Created', json });
const noContent: Answer = { description: 'Done; no content' };
const received = (json: z.ZodType): Answer => ({ description: 'Received while no worker runs; applied when one returns', json });

/** Every API operation, with the same zod schemas the routes parse their input with. */
export const operations: Operation[] = [
  { method: 'post', path: '/api/improvements', summary: 'Submit an improvement proposal', body: proposalSchema,
    success: { 201: created(answers.improvementCreated) }, errors: [...bodyErrors, 403, 409, 422] },
  { method: 'get', path: '/api/improvements', summary: 'List improvements', query: improvementListQuery,
    success: { 200: ok(answers.improvementList) }, errors: [400] },
  { method: 'get', path: '/api/improvements/{id}', summary: 'Read an improvement with its open tasks and history', params: improvementParams,
    success: { 200: ok(answers.improvementView) }, errors: [400, 404] },
  { method: 'post', path: '/api/improvements/{id}/withdraw', summary: 'Withdraw an improvement before deployment', params: improvementParams, body: withdrawBody,
    success: { 200: ok(answers.withdrawn, 'Withdrawn'), 202: received(answers.withdrawalReceived) }, errors: [...bodyErrors, 403, 404, 409] },
  { method: 'get', path: '/api/tasks/{id}', summary: 'Read a task', params: taskParams,
    success: { 200: ok(answers.task) }, errors: [400, 403, 404] },
  { method: 'post', path: '/api/tasks/{id}/decision', summary: 'Decide a task (202 when received while no worker runs)', params: taskParams, body: decisionBody,
    headers: [{ name: 'Idempotency-Key', description: 'The decision id: a retry with the same key is answered with the decision\'s outcome', pattern: decisionIdPattern.source }],
    success: { 200: ok(answers.decisionApplied, 'Applied'), 202: received(answers.decisionReceived) }, errors: [...bodyErrors, 403, 404, 409, 429] },
  { method: 'post', path: '/api/tasks/{id}/reassign', summary: 'Reassign an open task (ORPG)', params: taskParams, body: reassignBody,
    success: { 200: ok(answers.reassignment, 'Applied'), 202: received(answers.reassignment) }, errors: [...bodyErrors, 403, 404, 409, 422] },
  { method: 'post', path: '/api/org-units', summary: 'Register an organisational unit', body: orgUnitSchema,
    success: { 201: created(answers.orgUnit) }, errors: [...bodyErrors, 403, 409, 422] },
  { method: 'get', path: '/api/org-units', summary: 'List organisational units',
    success: { 200: ok(answers.orgUnitList) }, errors: [] },
  { method: 'get', path: '/api/org-units/{id}', summary: 'Read an organisational unit', params: orgUnitParams,
    success: { 200: ok(answers.orgUnit) }, errors: [400, 404] },
  { method: 'put', path: '/api/org-units/{id}/processes', summary: 'Set the standard processes that apply to a unit (ORPG)', params: orgUnitParams, body: unitProcessesSchema,
    success: { 200: ok(answers.unitProcessesSet) }, errors: [...bodyErrors, 403, 404, 422] },
  { method: 'post', path: '/api/processes', summary: 'Add a standard process to the library (ORPG)', body: newProcessSchema,
    success: { 201: created(answers.processView) }, errors: [...bodyErrors, 403, 409, 422] },
  { method: 'get', path: '/api/processes', summary: 'List the process asset library',
    success: { 200: ok(answers.processList) }, errors: [] },
  { method: 'get', path: '/api/processes/{id}', summary: 'Read a standard process: versions, units with their version and lag, lessons', params: processParams,
    success: { 200: ok(answers.processView) }, errors: [400, 404] },
  { method: 'post', path: '/api/processes/{id}/versions', summary: "Draft a process's next version (ORPG or its owner)", params: processParams, body: newVersionSchema,
    success: { 201: created(answers.processVersion) }, errors: [...bodyErrors, 403, 404] },
  { method: 'get', path: '/api/adoption', summary: 'The units × processes matrix: the version each unit runs and its lag',
    success: { 200: ok(answers.adoptionMatrix) }, errors: [] },
  { method: 'post', path: '/api/people', summary: 'Register (201) or replace (200) a person', body: personSchema,
    success: { 200: ok(answers.person, 'Replaced'), 201: created(answers.person) }, errors: [...bodyErrors, 403, 422] },
  { method: 'get', path: '/api/people', summary: 'List people', query: peopleListQuery,
    success: { 200: ok(answers.personList) }, errors: [400] },
  { method: 'get', path: '/api/people/{email}', summary: 'Read a person', params: personParams,
    success: { 200: ok(answers.person) }, errors: [400, 404] },
  { method: 'post', path: '/api/people/{email}/tokens', summary: 'Issue an API token (shown once)', params: tokenOwnerParams, body: newToken,
    success: { 201: created(answers.tokenIssued) }, errors: [...bodyErrors, 403, 404] },
  { method: 'get', path: '/api/people/{email}/tokens', summary: "List a person's tokens", params: tokenOwnerParams,
    success: { 200: ok(answers.tokenList) }, errors: [400, 403] },
  { method: 'delete', path: '/api/people/{email}/tokens/{id}', summary: 'Revoke a token', params: tokenParams,
    success: { 204: noContent }, errors: [400, 403, 404] },
  { method: 'post', path: '/api/people/{email}/delegations', summary: 'Set a delegate for a date range', params: delegatorParams, body: newDelegation,
    success: { 201: created(answers.delegationCreated) }, errors: [...bodyErrors, 403, 404, 422] },
  { method: 'get', path: '/api/people/{email}/delegations', summary: "List a person's delegations", params: delegatorParams,
    success: { 200: ok(answers.delegationList) }, errors: [400, 403] },
  { method: 'delete', path: '/api/people/{email}/delegations/{id}', summary: 'End a delegation', params: delegationParams,
    success: { 204: noContent }, errors: [400, 403, 404] },
  { method: 'get', path: '/api/audit', summary: 'Read or export the audit trail (ORPG, auditors)', query: auditQuery,
    success: { 200: { description: 'The entries, as JSON or (format=csv) CSV', json: answers.auditTrail, csv: answers.auditTrailCsv } }, errors: [400, 403] },
];
