import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { smtpMailer } from '../mail/mailer';
import { loadOrCreateSecrets } from '../secrets';
import { exitOnBootFailure, stopOnSignals } from '../shutdown';
import { createLogger } from '../log';
import { createDatabase } from '../prisma/database';
import { applyMigrations } from '../prisma/migrate';
import { seedOrganisation } from '../prisma/seed';
import { createApp } from './app';

/** Starts listening on `host` (loopback unless told otherwise); resolves with the server and the address it got. */
export function listen(app: Express, port: number, host = '127.0.0.1'): Promise<{ server: Server; port: number; address: AddressInfo }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address() as AddressInfo;
      resolve({ server, port: address.port, address });
    });
  });
}

/** Stops accepting connections and waits for requests in flight. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}

/** A Temporal client that connects on first use, so the API starts (unready) while Temporal is down. */
export function createTemporalClient(address: string, namespace: string): Client {
  return new Client({ connection: Connection.lazy({ address }), namespace });
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, 'api');
  const logger = createLogger(config.LOG_LEVEL, { process: 'api' });
  const secrets = await loadOrCreateSecrets(config.dataDir, config, false);
  const databaseUrl = config.DATABASE_URL as string;
  await applyMigrations(databaseUrl, logger);
  const db = createDatabase(databaseUrl, config.DATABASE_POOL_MAX);
  const temporal = createTemporalClient(config.TEMPORAL_ADDRESS as string, config.TEMPORAL_NAMESPACE);
  if (config.SEED_FILE) await seedOrganisation(db, config.SEED_FILE);
  const mailer = config.SMTP_URL ? smtpMailer(config.SMTP_URL, config.MAIL_FROM) : undefined;
  const app = createApp({ temporal, db, config, adminToken: secrets.adminToken, appSecret: secrets.appSecret, logger, mailer });
  const { server, port } = await listen(app, config.PORT, config.HOST);
  stopOnSignals(logger, async () => {
    await close(server);
    await temporal.connection.close();
    await db.$disconnect();
    logger.info('api stopped');
  });
  logger.info({ host: config.HOST, port, publicUrl: config.publicUrl }, 'api listening');
}

if (require.main === module) main().catch(exitOnBootFailure);
