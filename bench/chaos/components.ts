import { chmodSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { findTemporalCli } from '../../embedded/temporal';
import { freePort } from '../../embedded/free-port';
import { postgresCluster } from '../../embedded/postgres-cluster';
import { searchAttributes } from '../../workflows/improvement/definitions';
import { outputContains, Supervised, until } from './supervisor';

const root = path.join(__dirname, '..', '..');

/** Resolves once something accepts TCP connections on the loopback port. */
export function portOpen(port: number, timeoutMs: number, what: string): Promise<void> {
  return until(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => resolve(false));
      }),
    timeoutMs,
    what,
  );
}

/** The Temporal dev server from TEMPORAL_CLI_PATH, persisting to a file so it survives restarts. */
export async function temporalServer(dir: string): Promise<{ process: Supervised; address: string }> {
  const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cli) throw new Error('no Temporal CLI: set TEMPORAL_CLI_PATH (npm ci installs one into .tools/bin)');
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const attributes = Object.values(searchAttributes).flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
  const server = new Supervised({
    name: 'temporal',
    command: cli,
    args: [
      'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort),
      '--metrics-port', String(metricsPort), '--db-filename', path.join(dir, 'temporal.db'), '--namespace', 'default',
      '--log-level', 'error', ...attributes,
    ],
    env: process.env,
    logFile: path.join(dir, 'temporal.log'),
    ready: () => portOpen(port, 60_000, 'the Temporal server'),
  });
  await server.start();
  return { process: server, address: `127.0.0.1:${port}` };
}

/** A real PostgreSQL (the embedded default's binaries); pg_ctl runs it as a daemon, so it is stopped by pg_ctl. */
export interface Postgres {
  url: string;
  start(): void;
  /** `pg_ctl stop -m immediate`: no shutdown checkpoint, as a crash would leave it. */
  stopImmediately(): void;
}

export async function postgresServer(dir: string): Promise<Postgres> {
  // As root the server runs as `postgres`, which must pass through the run's (private) directory.
  if (process.getuid?.() === 0) chmodSync(dir, 0o711);
  const cluster = await postgresCluster(path.join(dir, 'postgres'));
  const postgres: Postgres = { url: cluster.url, start: () => cluster.start(), stopImmediately: () => cluster.stop('immediate') };
  postgres.start();
  return postgres;
}

/** Stops PostgreSQL if it runs; for exit handlers. */
export function stopPostgresQuietly(postgres: Postgres | undefined): void {
  try {
    postgres?.stopImmediately();
  } catch {
    // not running
  }
}

/** The SMTP receiver as its own process, keeping every message as a file in `mailDir`. */
export async function smtpReceiver(dir: string, mailDir: string): Promise<{ process: Supervised; url: string }> {
  const port = await freePort();
  const receiver = new Supervised({
    name: 'smtp',
    command: process.execPath,
    args: ['--import', 'tsx', path.join(__dirname, 'smtp-receiver.ts'), mailDir, String(port)],
    cwd: root,
    env: process.env,
    logFile: path.join(dir, 'smtp.log'),
    ready: outputContains('smtp receiver listening', 60_000),
  });
  await receiver.start();
  return { process: receiver, url: `smtp://127.0.0.1:${port}` };
}

/** Settings the API and the worker share in the chaos run. */
export interface ServiceSettings {
  databaseUrl: string;
  temporalAddress: string;
  smtpUrl: string;
  taskQueue: string;
  apiPort: number;
  adminToken: string;
  appSecret: string;
  dataDir: string;
  seedFile: string;
}

function serviceEnv(settings: ServiceSettings): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    DATABASE_URL: settings.databaseUrl,
    DATABASE_POOL_MAX: '5',
    TEMPORAL_ADDRESS: settings.temporalAddress,
    TEMPORAL_TASK_QUEUE: settings.taskQueue,
    SMTP_URL: settings.smtpUrl,
    PUBLIC_URL: `http://127.0.0.1:${settings.apiPort}`,
    LOG_LEVEL: 'info',
  };
}

/** The worker, started the way `npm run worker` starts it. */
export function workerProcess(settings: ServiceSettings): Supervised {
  return new Supervised({
    name: 'worker',
    command: process.execPath,
    args: ['--import', 'tsx', 'worker.ts'],
    cwd: root,
    env: serviceEnv(settings),
    logFile: path.join(settings.dataDir, 'worker.log'),
    // Bundling the workflows at start takes long on a busy machine.
    ready: outputContains('"worker started"', 180_000),
  });
}

/** The API, started the way `npm run api` starts it. */
export function apiProcess(settings: ServiceSettings, env: NodeJS.ProcessEnv = {}): Supervised {
  return new Supervised({
    name: 'api',
    command: process.execPath,
    args: ['--import', 'tsx', 'api/server.ts'],
    cwd: root,
    env: {
      ...serviceEnv(settings),
      PORT: String(settings.apiPort),
      ADMIN_TOKEN: settings.adminToken,
      APP_SECRET: settings.appSecret,
      DATA_DIR: settings.dataDir,
      SEED_FILE: settings.seedFile,
      // Shorter than an outage, so decisions also take the received-then-applied path.
      DECISION_WAIT_MS: '1500',
      DECISION_RATE_LIMIT: '100000',
      ...env,
    },
    logFile: path.join(settings.dataDir, 'api.log'),
    ready: outputContains('"api listening"', 120_000),
  });
}
