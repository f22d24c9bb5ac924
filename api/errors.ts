import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { type z } from 'zod';
import type { Logger } from '../log';
import { escapeHtml, page } from './html';
import { retryAfterSeconds, unavailableError } from './unavailable';

/** The one error type the API raises: a code for machines, a status and a message for people. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Turns a zod failure into a 400 whose message names each offending field. */
export function invalidInput(error: z.ZodError, where: 'body' | 'query' | 'params'): AppError {
  const fields = error.issues.map((issue) => ({
    field: [where, ...issue.path].join('.'),
    message: issue.message,
  }));
  const summary = fields.map((field) => `${field.field}: ${field.message}`).join('; ');
  return new AppError('invalid_input', 400, summary, { fields });
}

export function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'params'): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(result.error, where);
  assertStorableText(result.data, where);
  return result.data;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', 404, `no route for ${req.method} ${req.path}`));
};

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Text PostgreSQL cannot store: NUL characters and unpaired UTF-16 surrogates. */
// eslint-disable-next-line no-control-regex -- a NUL character is exactly what this looks for
const unstorableText = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The path of a string (or key) in `value` that PostgreSQL could not store, if any. Iterative: deep input cannot overflow the stack. */
export function findUnstorableText(value: unknown): (string | number)[] | undefined {
  const pending: [unknown, (string | number)[]][] = [[value, []]];
  while (pending.length > 0) {
    const [item, path] = pending.pop()!;
    if (typeof item === 'string') {
      if (unstorableText.test(item)) return path;
    } else if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index -= 1) pending.push([item[index], [...path, index]]);
    } else if (item && typeof item === 'object') {
      const entries = Object.entries(item);
      for (const [key] of entries) if (unstorableText.test(key)) return [...path, key];
      for (const [key, child] of entries.reverse()) pending.push([child, [...path, key]]);
    }
  }
  return undefined;
}

/** Refuses text that cannot be stored, naming where it is. */
export function assertStorableText(value: unknown, where: string): void {
  const found = findUnstorableText(value);
  if (found) {
    const field = [where, ...found].join('.');
    throw new AppError('invalid_input', 400, `${field}: contains a NUL character or invalid Unicode`, { fields: [{ field, message: 'contains a NUL character or invalid Unicode' }] });
  }
}

/** Errors that Express and its parsers raise for a malformed request (http-errors with a 4xx). */
function fromHttpError(error: { status?: unknown; statusCode?: unknown; expose?: unknown }): AppError | undefined {
  const status = typeof error.status === 'number' ? error.status : typeof error.statusCode === 'number' ? error.statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  const messages: Record<number, string> = {
    400: 'request: malformed (bad encoding in the path, query or body)',
    413: 'body: too large or too many fields',
    415: 'body: unsupported content encoding',
  };
  return new AppError('bad_request', status, messages[status] ?? 'request: not acceptable');
}

function fromBodyParser(error: BodyParserError): AppError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new AppError('invalid_json', 400, 'body: not valid JSON');
    case 'entity.too.large':
      return new AppError('body_too_large', 413, 'body: larger than the limit');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_encoding', 415, 'body: unsupported encoding');
    default:
      return undefined;
  }
}

/** People's pages get an HTML error page; API clients get JSON. */
function wantsPage(req: Request): boolean {
  return !req.path.startsWith('/api') && req.accepts(['json', 'html']) === 'html';
}

function errorPage(error: AppError, requestId: string): string {
  const heading =
    { 401: 'Please sign in', 403: 'Not allowed', 404: 'Not found', 429: 'Too many requests', 503: 'Please try again in a moment' }[error.status] ?? 'Something went wrong';
  return page(heading, `<h1>${heading}</h1><p role="alert">${escapeHtml(error.message)}</p><p class="muted">Request ${escapeHtml(requestId)}</p><p><a href="/dashboard">Dashboard</a></p>`);
}

/**
 * Registered last: every failure becomes a JSON error that names what was wrong, and nothing
 * internal. `onRefused` sees each client error (for the audit trail).
 */
export function errorHandler(logger: Logger, onRefused?: (req: Request, error: AppError) => Promise<void>): ErrorRequestHandler {
  return async (error: unknown, req, res, _next) => {
    const known =
      error instanceof AppError
        ? error
        : (fromBodyParser((error ?? {})) ?? fromHttpError((error ?? {})));
    const unavailable = known ? undefined : unavailableError(error);
    const appError = known ?? unavailable ?? new AppError('internal', 500, 'internal error; the request id identifies it in the logs');
    if (unavailable) {
      (req.log ?? logger).warn({ err: error }, 'a dependency is unavailable');
      res.set('Retry-After', String(retryAfterSeconds));
    } else if (!known) (req.log ?? logger).error({ err: error }, 'unhandled error');
    if (known && onRefused) {
      await onRefused(req, known).catch((auditError: unknown) => (req.log ?? logger).error({ err: auditError }, 'could not audit a refusal'));
    }
    if (wantsPage(req)) {
      res.status(appError.status).type('html').send(errorPage(appError, typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : ''));
      return;
    }
    res.status(appError.status).json({
      error: { code: appError.code, message: appError.message, details: appError.details, requestId: req.id },
    });
  };
}
