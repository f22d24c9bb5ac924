import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { type z } from 'zod';
import type { Logger } from '../log';

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
  return result.data;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', 404, `no route for ${req.method} ${req.path}`));
};

interface BodyParserError {
  type?: string;
  status?: number;
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

/**
 * Registered last: every failure becomes a JSON error that names what was wrong, and nothing
 * internal. `onRefused` sees each client error (for the audit trail).
 */
export function errorHandler(logger: Logger, onRefused?: (req: Request, error: AppError) => Promise<void>): ErrorRequestHandler {
  return async (error: unknown, req, res, _next) => {
    const known =
      error instanceof AppError ? error : fromBodyParser((error ?? {}));
    const appError = known ?? new AppError('internal', 500, 'internal error; the request id identifies it in the logs');
    if (!known) (req.log ?? logger).error({ err: error }, 'unhandled error');
    if (known && onRefused) {
      await onRefused(req, known).catch((auditError: unknown) => (req.log ?? logger).error({ err: auditError }, 'could not audit a refusal'));
    }
    res.status(appError.status).json({
      error: { code: appError.code, message: appError.message, details: appError.details, requestId: req.id },
    });
  };
}
