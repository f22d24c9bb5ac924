import { AppError } from './errors';

/** Prisma's codes for a database it cannot reach, lost, or has no free connection to. */
const prismaCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
/** Driver adapter kinds for the same. */
const adapterKinds = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** PostgreSQL's own: shutting down, starting up, connection failures. */
const postgresCodes = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const databaseMessages =
  /Can't reach database server|Connection terminated|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|Timed out fetching a new connection|Connection closed|DatabaseNotReachable|ConnectionClosed/i;

/** What node-postgres itself throws, as a plain Error, when the server goes away under a query. */
const pgDriverMessages = /^(Connection terminated unexpectedly|Connection terminated due to connection timeout|Connection terminated|Client has encountered a connection error and is not queryable)$/;

/** gRPC statuses of a Temporal server that is down, restarting or too slow to answer in time. */
const grpcUnavailable = 14;
const grpcDeadlineExceeded = 4;
const temporalMessages = /\b(14 UNAVAILABLE|4 DEADLINE_EXCEEDED)\b|Deadline exceeded|failed to connect to all addresses|No connection established/i;

type Failure = { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; kind?: unknown; meta?: unknown; status?: unknown };

function* causes(error: unknown): Generator<Failure> {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth += 1) {
    yield current;
    current = (current as Failure).cause;
  }
}

function isDatabaseDown(failure: Failure): boolean {
  const code = typeof failure.code === 'string' ? failure.code : undefined;
  if (code && (prismaCodes.has(code) || postgresCodes.has(code) || socketCodes.has(code))) return true;
  if (typeof failure.kind === 'string' && adapterKinds.has(failure.kind)) return true;
  const meta = failure.meta as { driverAdapterError?: { cause?: { kind?: string } } } | undefined;
  const kind = meta?.driverAdapterError?.cause?.kind;
  if (kind && adapterKinds.has(kind)) return true;
  if (typeof failure.message === 'string' && pgDriverMessages.test(failure.message)) return true;
  return typeof failure.name === 'string' && /^Prisma|DriverAdapter/.test(failure.name) && typeof failure.message === 'string' && databaseMessages.test(failure.message);
}

function isTemporalDown(failure: Failure): boolean {
  const name = typeof failure.name === 'string' ? failure.name : '';
  const grpcCode = typeof failure.code === 'number' ? failure.code : undefined;
  if (grpcCode === grpcUnavailable || grpcCode === grpcDeadlineExceeded) return true;
  return /ServiceError|TransportError|ConnectionError/.test(name) && typeof failure.message === 'string' && temporalMessages.test(failure.message);
}

/** Which outside system a failure says is briefly unavailable, if it says so. */
export function unavailableSystem(error: unknown): 'database' | 'temporal' | undefined {
  for (const failure of causes(error)) {
    if (isDatabaseDown(failure)) return 'database';
    if (isTemporalDown(failure)) return 'temporal';
  }
  return undefined;
}

/** Seconds a client should wait before trying again. */
export const retryAfterSeconds = 5;

/** A 503 that says what is down and to try again: a restart of a dependency is not a crash. */
export function unavailableError(error: unknown): AppError | undefined {
  const system = unavailableSystem(error);
  if (!system) return undefined;
  const what = system === 'database' ? 'The database' : 'The workflow service (Temporal)';
  return new AppError('unavailable', 503, `${what} is briefly unavailable; nothing was changed by this request. Please try again in a few seconds.`, {
    retryAfterSeconds,
  });
}
