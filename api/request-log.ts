import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import { apiTokenPrefix } from './auth';
import type { Logger } from '../log';

/** Links that carry their secret in the path; Express routes them whatever their case. */
const tokenInPath = /(^|\/)(decide|sign-in\/link)\/[^/?#]+/gi;
/** Query parameters whose value is a secret whatever it looks like. */
const secretParameter = /token|code|secret|password|passwd|key|session|auth|cookie/i;

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const [name = '', value] = pair.split('=', 2) as [string, string | undefined];
      if (value === undefined) return pair.includes(apiTokenPrefix) ? '[redacted]' : pair;
      return secretParameter.test(name) || value.includes(apiTokenPrefix) ? `${name}=[redacted]` : pair;
    })
    .join('&');
}

/** A request's URL as it may be logged: link tokens, API tokens and secret-named parameters replaced. */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
  const path = pathname.replace(tokenInPath, '$1$2/[token]').split('/').map((segment) => (segment.includes(apiTokenPrefix) ? '[redacted]' : segment)).join('/');
  return queryAt === -1 ? path : `${path}?${redactQuery(url.slice(queryAt + 1))}`;
}

/**
 * One log line per request: method, redacted URL, status, time taken and request id. No header is
 * logged, in either direction: cookies, Set-Cookie and Authorization carry live credentials.
 */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && /^[\w-]{1,100}$/.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (res.statusCode === 503 ? 'warn' : error || res.statusCode >= 500 ? 'error' : 'info'),
  });
}
