import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { createApp } from './api/app';
import { isLoopbackAddress } from './api/routes/inbox';
import { close, createTemporalClient, listen } from './api/server';
import { type Config, loadConfig } from './config';
import { smtpMailer } from './mail/mailer';
import { MailInbox } from './embedded/inbox';
import { startEmbeddedPostgres } from './embedded/postgres';
import { assertPortsFree, type WantedPort } from './port-check';
import { loadOrCreateSecrets } from './secrets';
import { startEmbeddedTemporal } from './embedded/temporal';
import { exitOnBootFailure, stopOnSignals } from './shutdown';
import { createLogger, type Logger } from './log';
import { createDatabase } from './prisma/database';
import { applyMigrations } from './prisma/migrate';
import { seedOrganisation } from './prisma/seed';
import { createWorker, installTemporalRuntime, stopWorker, type WorkerDeps } from './worker';

/** The running all-in-one service and where each part of it is. */
export interface RunningService {
  url: string;
  /** The interface and port the API listens on. */
  address: AddressInfo;
  temporalAddress: string;
  temporalUiUrl?: string;
  databaseUrl: string;
  /** The embedded database's directory; undefined with DATABASE_URL. */
  databaseLocation?: string;
  inboxUrl?: string;
  adminToken: string;
  generatedAdminToken: boolean;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  workflowBundle?: WorkerDeps['workflowBundle'];
}

/** The ports this start will listen on: the API's, and those of the embedded services it runs. */
function portsToListenOn(config: Config): WantedPort[] {
  return [
    { setting: 'PORT', host: config.HOST, port: config.PORT },
    ...(config.TEMPORAL_ADDRESS ? [] : [{ setting: 'TEMPORAL_UI_PORT', host: '127.0.0.1', port: config.TEMPORAL_UI_PORT }]),
    ...(config.SMTP_URL ? [] : [{ setting: 'INBOX_SMTP_PORT', host: '127.0.0.1', port: config.INBOX_SMTP_PORT }]),
  ];
}

/**
 * Starts API and worker in one process, with an embedded Temporal dev server, embedded
 * PostgreSQL and a local inbox wherever the configuration names no real one.
 */
export async function startService(env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<RunningService> {
  const config = loadConfig(env, 'all-in-one');
  const logger = options.logger ?? createLogger(config.LOG_LEVEL, { process: 'all-in-one' });
  const stack: (() => Promise<void>)[] = [];
  // Stops in reverse order of start; one failing step does not keep the others from running.
  const stopAll = async () => {
    const failures: unknown[] = [];
    for (const stop of stack.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        failures.push(error);
        logger.error({ err: error }, 'a component failed to stop');
      }
    }
    if (failures.length > 0) throw new Error(`${failures.length} component(s) failed to stop`);
  };
  try {
    await assertPortsFree(portsToListenOn(config));
    const secrets = await loadOrCreateSecrets(config.dataDir, config, true);

    let databaseUrl = config.DATABASE_URL;
    let poolMax = config.DATABASE_POOL_MAX;
    let databaseLocation: string | undefined;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres(config.dataDir, { engine: config.EMBEDDED_DATABASE, poolMax, logger });
      stack.push(() => embedded.stop());
      databaseUrl = embedded.url;
      poolMax = embedded.poolMax;
      databaseLocation = embedded.location;
    }
    await applyMigrations(databaseUrl, logger);
    const db = createDatabase(databaseUrl, poolMax);
    stack.push(() => db.$disconnect());

    let temporalAddress = config.TEMPORAL_ADDRESS;
    let temporalUiUrl: string | undefined;
    if (!temporalAddress) {
      const temporal = await startEmbeddedTemporal({
        dbFilename: path.join(config.dataDir, 'temporal', 'temporal.sqlite'),
        cliPath: config.TEMPORAL_CLI_PATH,
        namespace: config.TEMPORAL_NAMESPACE,
        uiPort: config.TEMPORAL_UI_PORT,
      });
      stack.push(() => temporal.stop());
      temporalAddress = temporal.address;
      temporalUiUrl = temporal.uiUrl;
    }

    let smtpUrl = config.SMTP_URL;
    let inbox: MailInbox | undefined;
    if (!smtpUrl) {
      const localInbox = new MailInbox(path.join(config.dataDir, 'inbox'));
      await localInbox.start(config.INBOX_SMTP_PORT);
      stack.push(() => localInbox.stop());
      smtpUrl = localInbox.smtpUrl;
      inbox = localInbox;
    }

    if (config.SEED_FILE) {
      const seeded = await seedOrganisation(db, config.SEED_FILE);
      if (seeded.seeded) logger.info(seeded, 'organisation seeded');
    }
    const temporal = createTemporalClient(temporalAddress, config.TEMPORAL_NAMESPACE);
    stack.push(() => temporal.connection.close());
    const mailer = smtpMailer(smtpUrl, config.MAIL_FROM);
    const app = createApp({ temporal, db, config, adminToken: secrets.adminToken, appSecret: secrets.appSecret, logger, mailer, inbox });
    const { server, port, address } = await listen(app, config.PORT, config.HOST);
    stack.push(() => close(server));
    // With PORT=0 the default public URL is only known once the server listens.
    const url = config.PUBLIC_URL ? config.publicUrl : `http://localhost:${port}`;
    config.publicUrl = url;

    const connection = await NativeConnection.connect({ address: temporalAddress });
    stack.push(() => connection.close());
    const worker = await createWorker({
      config: { ...config, publicUrl: url },
      connection,
      db,
      smtpUrl,
      workflowBundle: options.workflowBundle,
      logger,
    });
    const running = worker.run();
    stack.push(() => stopWorker(worker, running));

    return {
      url,
      address,
      temporalAddress,
      temporalUiUrl,
      databaseUrl,
      databaseLocation,
      inboxUrl: inbox ? `${url}/inbox` : undefined,
      adminToken: secrets.adminToken,
      generatedAdminToken: secrets.generatedAdminToken,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = loadConfig(process.env, 'all-in-one');
  const logger = createLogger(config.LOG_LEVEL, { process: 'all-in-one' });
  installTemporalRuntime(logger);
  const service = await startService(process.env, { logger });
  stopOnSignals(logger, () => service.stop());
  const lines = [
    '',
    `OPF Pipeline is ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s).`,
    `  App:              ${service.url}`,
    `  Listening on:     ${service.address.address}:${service.address.port}${isLoopbackAddress(service.address.address) ? ' (this machine only; set HOST=0.0.0.0 to serve the network)' : ''}`,
    `  Dashboard:        ${service.url}/dashboard`,
    `  Health:           ${service.url}/readyz`,
    service.inboxUrl ? `  Local inbox:      ${service.inboxUrl}` : `  Mail:             ${config.SMTP_URL?.replace(/\/\/[^@]*@/, '//***@')}`,
    service.temporalUiUrl ? `  Temporal Web UI:  ${service.temporalUiUrl}` : `  Temporal:         ${service.temporalAddress}`,
    config.DATABASE_URL ? '  Database:         DATABASE_URL' : `  Database:         embedded ${config.EMBEDDED_DATABASE === 'pglite' ? 'PGlite' : 'PostgreSQL'} in ${service.databaseLocation}`,
    service.generatedAdminToken
      ? `  Admin token:      ${service.adminToken}\n                    (shown once; kept in ${path.join(config.dataDir, 'secrets.json')})`
      : `  Admin token:      ${config.ADMIN_TOKEN ? 'ADMIN_TOKEN' : `in ${path.join(config.dataDir, 'secrets.json')}`}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (require.main === module) main().catch(exitOnBootFailure);
