import type { RequestHandler } from 'express';
import { z } from 'zod';
import { AppError } from './errors';
import { storableTextPattern } from './input-fields';
import { type Answer, type ErrorStatus, type Operation, operations } from './operations';
import { errorResponse } from './responses';

export { operations, type Operation } from './operations';

const errorMeanings: Record<ErrorStatus, string> = {
  400: 'Invalid input: the message names each offending field',
  401: 'No valid bearer token (missing, malformed, unknown, expired or revoked)',
  403: 'Your roles, or whose resource it is, do not permit this',
  404: 'No such resource',
  409: 'Conflicts with the current state (e.g. the task is no longer open)',
  413: 'The body is larger than 100 kB',
  415: 'The body has an unsupported encoding or charset',
  422: 'Refers to something that is not registered, or is not allowed for it',
  429: 'Too many requests from this client: wait a minute and try again',
  503: 'The database or Temporal is briefly unavailable; nothing was changed: retry after Retry-After seconds',
};

/** The statuses every operation can answer, whatever it does. */
const everyOperationErrors: ErrorStatus[] = [401, 503];

/** `parse` refuses a NUL character in any input string: the document says so of each one. */
function storableStrings(context: { jsonSchema: Record<string, unknown> }): void {
  const node = context.jsonSchema;
  if (node.type === 'string' && !('pattern' in node || 'enum' in node || 'const' in node)) node.pattern = storableTextPattern;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', ...(io === 'input' ? { override: storableStrings } : {}) });
  return rest;
}

/** Path or query parameters, one per property of the route's zod schema. */
function parameters(schema: z.ZodObject, where: 'path' | 'query') {
  const { properties = {}, required = [] } = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(properties).map(([name, property]) => ({ name, in: where, required: where === 'path' || required.includes(name), schema: property }));
}

function successResponse({ description, json, csv }: Answer) {
  const content = {
    ...(json ? { 'application/json': { schema: jsonSchema(json, 'output') } } : {}),
    ...(csv ? { 'text/csv': { schema: jsonSchema(csv, 'output') } } : {}),
  };
  return Object.keys(content).length > 0 ? { description, content } : { description };
}

function errorResponses(statuses: ErrorStatus[]) {
  const schema = jsonSchema(errorResponse, 'output');
  const sorted = [...new Set([...statuses, ...everyOperationErrors])].sort((a, b) => a - b);
  return Object.fromEntries(
    sorted.map((status) => [
      status,
      {
        description: errorMeanings[status],
        ...(status === 429 || status === 503 ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'string' } } } } : {}),
        content: { 'application/json': { schema } },
      },
    ]),
  );
}

function describe(operation: Operation) {
  return {
    summary: operation.summary,
    security: [{ bearer: [] }],
    parameters: [
      ...(operation.params ? parameters(operation.params, 'path') : []),
      ...(operation.query ? parameters(operation.query, 'query') : []),
      ...(operation.headers ?? []).map(({ name, description, pattern }) => ({ name, in: 'header', required: false, description, schema: { type: 'string', pattern } })),
    ],
    ...(operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(operation.body, 'input') } } } } : {}),
    responses: {
      ...Object.fromEntries(Object.entries(operation.success).map(([status, answer]) => [status, successResponse(answer)])),
      ...errorResponses(operation.errors),
    },
  };
}

/** The OpenAPI 3.1 document of the API, generated from the routes' zod schemas and the answers' ones. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method] = describe(operation);
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

/**
 * A documented path asked with a method it does not have (TRACE, PUT, ...) is a 405 naming the
 * methods it has, not a 404: the resource exists. Registered after the API's routes.
 */
export function methodNotAllowed(): RequestHandler {
  const byPath = new Map<string, Set<string>>();
  for (const { path, method } of operations) {
    const methods = byPath.get(path) ?? new Set<string>();
    methods.add(method.toUpperCase());
    if (method === 'get') methods.add('HEAD');
    byPath.set(path, methods);
  }
  // Express matches paths case-insensitively and with an optional trailing slash.
  const routes = [...byPath].map(([path, methods]) => ({
    pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}/?$`, 'i'),
    methods,
    allow: [...methods].sort().join(', '),
  }));
  return (req, res, next) => {
    const route = routes.find(({ pattern }) => pattern.test(req.path));
    if (!route || route.methods.has(req.method)) return next();
    res.set('Allow', route.allow);
    next(new AppError('method_not_allowed', 405, `${req.method} is not allowed on ${req.path}; allowed: ${route.allow}`));
  };
}
