import pino from 'pino';

export type Logger = pino.Logger;

/** Header values that are live credentials, wherever a log entry might carry headers. */
const credentialHeaders = ['authorization', 'cookie', '"set-cookie"', '"x-api-key"'].flatMap((header) => [
  `headers.${header}`,
  `*.headers.${header}`,
  `*.*.headers.${header}`,
]);

/** Structured JSON logs; credentials and tokens never reach them. `destination` defaults to stdout. */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'opf-pipeline', ...base },
      redact: { paths: [...credentialHeaders, '*.password', '*.token'], censor: '[redacted]' },
    },
    destination,
  );
}
