import type { RequestHandler } from 'express';
import { z } from 'zod';
import { auditQuery } from './routes/audit-trail';
import { newDelegation } from './routes/delegations';
import { improvementListQuery, proposalSchema, withdrawBody } from './routes/improvements';
import { orgUnitSchema } from './routes/org-units';
import { peopleListQuery, personSchema } from './routes/people';
import { decisionBody, reassignBody } from './routes/tasks';
import { newToken } from './routes/tokens';
import { decisionIdPattern } from './decisions';

interface Operation {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  params?: string[];
  /** Optional request headers, e.g. an Idempotency-Key. */
  headers?: { name: string; description: string; pattern: string }[];
  success: number;
}

/** Every API operation, with the same zod schemas the routes validate with. */
export const operations: Operation[] = [
  { method: 'post', path: '/api/improvements', summary: 'Submit an improvement proposal', body: proposalSchema, success: 201 },
  { method: 'get', path: '/api/improvements', summary: 'List improvements', query: improvementListQuery, success: 200 },
  { method: 'get', path: '/api/improvements/{id}', summary: 'Read an improvement with its open tasks and history', params: ['id'], success: 200 },
  { method: 'post', path: '/api/improvements/{id}/withdraw', summary: 'Withdraw an improvement before deployment', params: ['id'], body: withdrawBody, success: 200 },
  { method: 'get', path: '/api/tasks/{id}', summary: 'Read a task', params: ['id'], success: 200 },
  { method: 'post', path: '/api/tasks/{id}/decision', summary: 'Decide a task (202 when received while no worker runs)', params: ['id'], body: decisionBody,
    headers: [{ name: 'Idempotency-Key', description: 'The decision id: a retry with the same key is answered with the decision\'s outcome', pattern: decisionIdPattern.source }],
    success: 200 },
  { method: 'post', path: '/api/tasks/{id}/reassign', summary: 'Reassign an open task (ORPG)', params: ['id'], body: reassignBody, success: 200 },
  { method: 'post', path: '/api/org-units', summary: 'Register an organisational unit', body: orgUnitSchema, success: 201 },
  { method: 'get', path: '/api/org-units', summary: 'List organisational units', success: 200 },
  { method: 'get', path: '/api/org-units/{id}', summary: 'Read an organisational unit', params: ['id'], success: 200 },
  { method: 'post', path: '/api/people', summary: 'Register or replace a person', body: personSchema, success: 201 },
  { method: 'get', path: '/api/people', summary: 'List people', query: peopleListQuery, success: 200 },
  { method: 'get', path: '/api/people/{email}', summary: 'Read a person', params: ['email'], success: 200 },
  { method: 'post', path: '/api/people/{email}/tokens', summary: 'Issue an API token (shown once)', params: ['email'], body: newToken, success: 201 },
  { method: 'get', path: '/api/people/{email}/tokens', summary: "List a person's tokens", params: ['email'], success: 200 },
  { method: 'delete', path: '/api/people/{email}/tokens/{id}', summary: 'Revoke a token', params: ['email', 'id'], success: 204 },
  { method: 'post', path: '/api/people/{email}/delegations', summary: 'Set a delegate for a date range', params: ['email'], body: newDelegation, success: 201 },
  { method: 'get', path: '/api/people/{email}/delegations', summary: "List a person's delegations", params: ['email'], success: 200 },
  { method: 'delete', path: '/api/people/{email}/delegations/{id}', summary: 'End a delegation', params: ['email', 'id'], success: 204 },
  { method: 'get', path: '/api/audit', summary: 'Read or export the audit trail (ORPG, auditors)', query: auditQuery, success: 200 },
];

const errorResponse = {
  description: 'An error naming what was wrong',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: { code: { type: 'string' }, message: { type: 'string' }, details: {}, requestId: { type: 'string' } },
            required: ['code', 'message'],
          },
        },
        required: ['error'],
      },
    },
  },
};

function jsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
}

function queryParameters(query: z.ZodObject) {
  const schema = jsonSchema(query) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}

/** The OpenAPI 3.1 document of the API, generated from the route schemas. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    const responses: Record<string, unknown> = {
      [operation.success]: { description: 'Success' },
      ...Object.fromEntries(['400', '401', '403', '404', '409', '422', '429', '503'].map((status) => [status, errorResponse])),
    };
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method] = {
      summary: operation.summary,
      security: [{ bearer: [] }],
      parameters: [
        ...(operation.params ?? []).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...(operation.query ? queryParameters(operation.query) : []),
        ...(operation.headers ?? []).map(({ name, description, pattern }) => ({ name, in: 'header', required: false, description, schema: { type: 'string', pattern } })),
      ],
      ...(operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(operation.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'OPF Pipeline API', version: '1.0.0', description: 'Process improvements as CERT-RMM Organizational Process Focus describes them.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}

/** Serves the OpenAPI document (public: it describes, it grants nothing). */
export function openApiRoute(): RequestHandler {
  const document = openApiDocument();
  return (_req, res) => {
    res.json(document);
  };
}
