import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs; credentials and tokens never reach them. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'opf-pipeline', ...base },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.password', '*.token'],
      censor: '[redacted]',
    },
  });
}
