import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../../api/openapi';
import { createMigratedDatabase } from '../support/database';
import { startTestService, testAdminToken, type TestService } from '../support/service';

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: unknown;
  [keyword: string]: unknown;
};

/** Every object schema with named properties inside `schema`, with where it is. */
function objectSchemas(schema: unknown, at: string): { at: string; schema: JsonSchema }[] {
  if (!schema || typeof schema !== 'object') return [];
  const found: { at: string; schema: JsonSchema }[] = [];
  const candidate = schema as JsonSchema;
  if (candidate.type === 'object' && candidate.properties) found.push({ at, schema: candidate });
  for (const [keyword, value] of Object.entries(candidate)) {
    if (value && typeof value === 'object') found.push(...objectSchemas(value, `${at}/${keyword}`));
  }
  return found;
}

describe('the OpenAPI document', () => {
  let service: TestService;
  let document: any;

  beforeAll(async () => {
    service = await startTestService({ databaseUrl: await createMigratedDatabase() });
    const response = await fetch(`${service.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    document = await response.json();
  });
  afterAll(async () => {
    await service?.destroy();
  });

  it('is served without a token as OpenAPI 3.1 with a bearer security scheme', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(document.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
  });

  it('documents every operation the API has, with its path parameters, success status and error shape', () => {
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(operations.map((operation) => `${operation.method} ${operation.path}`).sort());
    for (const operation of operations) {
      const documentedOperation = document.paths[operation.path][operation.method];
      const where = `${operation.method} ${operation.path}`;
      expect(documentedOperation.summary, where).toEqual(expect.any(String));
      expect(documentedOperation.security, where).toEqual([{ bearer: [] }]);
      expect(Object.keys(documentedOperation.responses), where).toEqual(expect.arrayContaining([...Object.keys(operation.success), '401', '503']));
      const pathParameters = documentedOperation.parameters.filter((parameter: { in: string }) => parameter.in === 'path');
      const placeholders = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect(pathParameters.map((parameter: { name: string }) => parameter.name), where).toEqual(placeholders);
      expect(pathParameters.every((parameter: { required: boolean }) => parameter.required), where).toBe(true);
      expect(documentedOperation.responses['401'].content['application/json'].schema.properties.error.required, where).toEqual(['code', 'message']);
    }
  });

  it('types path parameters with the formats the routes enforce: ids are UUIDs, people are email addresses', () => {
    for (const operation of operations) {
      for (const parameter of document.paths[operation.path][operation.method].parameters.filter((candidate: { in: string }) => candidate.in === 'path')) {
        const where = `${operation.method} ${operation.path} ${parameter.name}`;
        expect(parameter.schema, where).toMatchObject({ type: 'string', format: parameter.name === 'email' ? 'email' : 'uuid', pattern: expect.any(String) });
      }
    }
    const assignee = document.paths['/api/improvements'].get.parameters.find((parameter: { name: string }) => parameter.name === 'assignee');
    expect(assignee.schema.format).toBe('email');
    const from = document.paths['/api/audit'].get.parameters.find((parameter: { name: string }) => parameter.name === 'from');
    expect(from.schema.format).toBe('date-time');
  });

  it('documents every status a route answers: 202 when no worker runs, 200 when a person is replaced, and the refusals', () => {
    const statuses = (path: string, method: string) => Object.keys(document.paths[path][method].responses);
    expect(statuses('/api/people', 'post')).toEqual(expect.arrayContaining(['200', '201', '400', '401', '403', '422', '503']));
    for (const path of ['/api/tasks/{id}/decision', '/api/tasks/{id}/reassign', '/api/improvements/{id}/withdraw']) {
      expect(statuses(path, 'post'), path).toEqual(expect.arrayContaining(['200', '202', '400', '401', '403', '404', '409', '503']));
    }
    expect(statuses('/api/tasks/{id}/decision', 'post')).toContain('429');
    expect(statuses('/api/org-units', 'post')).toEqual(expect.arrayContaining(['409', '422']));
    expect(statuses('/api/org-units/{id}/processes', 'put')).toEqual(expect.arrayContaining(['200', '400', '403', '404', '422']));
    expect(statuses('/api/processes', 'post')).toEqual(expect.arrayContaining(['201', '400', '403', '409', '422']));
    expect(document.paths['/api/people/{email}/tokens/{id}'].delete.responses['204'].content).toBeUndefined();
  });

  it('declares a closed response schema for every success response with a body', () => {
    for (const operation of operations) {
      for (const [status, response] of Object.entries(document.paths[operation.path][operation.method].responses as Record<string, any>)) {
        const where = `${operation.method} ${operation.path} ${status}`;
        if (status === '204') continue;
        const schema = response.content?.['application/json']?.schema as JsonSchema | undefined;
        expect(schema, where).toBeDefined();
        const alternatives = (schema!.anyOf as JsonSchema[] | undefined) ?? [schema!];
        for (const alternative of alternatives) {
          expect(alternative.type, where).toBe('object');
          expect(alternative.additionalProperties, where).toBe(false);
          expect(alternative.required?.length, where).toBeGreaterThan(0);
        }
      }
    }
    const person = document.paths['/api/people/{email}'].get.responses['200'].content['application/json'].schema as JsonSchema;
    expect(person.required).toEqual(['email', 'name', 'roles', 'manager', 'orgUnit']);
    expect(document.paths['/api/audit'].get.responses['200'].content['text/csv'].schema).toEqual({ type: 'string' });
  });

  it('answers a method a documented path does not have (TRACE, PUT) with 405 and the methods it has, not 404', async () => {
    // fetch refuses to send TRACE: node:http sends it as any client would.
    const trace = await new Promise<{ status?: number; allow?: string; body: string }>((resolve, reject) => {
      const request = http.request(`${service.url}/api/improvements/${randomUUID()}`, { method: 'TRACE', headers: { authorization: `Bearer ${testAdminToken}` } }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, allow: response.headers.allow, body }));
      });
      request.on('error', reject).end();
    });
    expect(trace.status).toBe(405);
    expect(trace.allow).toBe('GET, HEAD');
    expect(JSON.parse(trace.body).error.code).toBe('method_not_allowed');
    const put = await service.call('PUT', '/api/people');
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
    const get = await service.call('GET', `/api/people/someone@example.org/tokens/${randomUUID()}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('DELETE');
  });

  it('describes every request body as a closed object schema that rejects unknown fields', () => {
    const withBodies = operations.filter((operation) => operation.body);
    expect(withBodies.map((operation) => `${operation.method} ${operation.path}`)).toEqual(
      operations.filter((operation) => operation.method === 'post' || operation.method === 'put').map((operation) => `${operation.method} ${operation.path}`),
    );
    for (const operation of withBodies) {
      const where = `${operation.method} ${operation.path}`;
      const requestBody = document.paths[operation.path][operation.method].requestBody;
      expect(requestBody.required, where).toBe(true);
      const schema = requestBody.content['application/json'].schema as JsonSchema;
      expect(schema.type, where).toBe('object');
      expect(schema.additionalProperties, where).toBe(false);
      expect(Object.keys(schema.properties ?? {}).length, where).toBeGreaterThan(0);
      for (const name of schema.required ?? []) expect(Object.keys(schema.properties ?? {}), `${where}: required ${name}`).toContain(name);
      // Nested objects with named fields (e.g. a proposal's durations) are closed too.
      for (const nested of objectSchemas(schema, where)) expect(nested.schema.additionalProperties, nested.at).toBe(false);
    }
  });

  it("lists a proposal's mandatory fields as required, and its optional ones as not", () => {
    const schema = document.paths['/api/improvements'].post.requestBody.content['application/json'].schema as JsonSchema;
    expect(schema.required).toEqual(expect.arrayContaining(['title', 'orgUnits', 'source', 'pilot']));
    // The process it changes: from the library (processId), or by name and owner as before the library.
    expect(schema.anyOf).toEqual([{ required: ['processId'] }, { required: ['process', 'processOwner'] }]);
    expect(schema.properties?.processId).toMatchObject({ type: 'string', format: 'uuid' });
    expect(schema.required).not.toContain('proposer');
    expect(schema.required).not.toContain('durations');
    expect(schema.properties?.pilot?.type).toBe('boolean');
    expect(schema.properties?.orgUnits).toMatchObject({ type: 'array', minItems: 1 });
    expect(schema.properties?.source?.enum).toEqual(expect.arrayContaining(['incident']));
  });

  it('documents the query parameters of the list and audit operations', () => {
    const names = (path: string) => document.paths[path].get.parameters.filter((parameter: { in: string }) => parameter.in === 'query').map((parameter: { name: string }) => parameter.name);
    expect(names('/api/improvements')).toEqual(expect.arrayContaining(['stage', 'status', 'overdue', 'assignee', 'limit', 'offset']));
    expect(names('/api/people')).toEqual(['role']);
    expect(names('/api/audit')).toEqual(expect.arrayContaining(['from', 'to', 'actor', 'action', 'limit', 'format']));
    const format = document.paths['/api/audit'].get.parameters.find((parameter: { name: string }) => parameter.name === 'format');
    expect(format.schema.enum).toEqual(['json', 'csv']);
  });

  it('lists no route the API does not have: each documented operation is routed (a missing resource may still be 404)', async () => {
    const placeholder: Record<string, string> = { id: randomUUID(), email: 'nobody.in.particular@example.org' };
    const unrouted: string[] = [];
    for (const operation of operations) {
      const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(placeholder[name] ?? 'x'));
      const method = operation.method.toUpperCase();
      const response = await service.call(method, path, method === 'POST' ? {} : undefined);
      const noRoute = response.status === 404 && response.body?.error?.code === 'not_found' && String(response.body?.error?.message).startsWith('no route');
      if (noRoute) unrouted.push(`${method} ${path}`);
      expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(500);
    }
    expect(unrouted).toEqual([]);
  });

  it('answers an undocumented route with a 404 that says there is no such route', async () => {
    const response = await service.call('GET', '/api/no-such-thing');
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ code: 'not_found', message: 'no route for GET /api/no-such-thing' });
  });
});
