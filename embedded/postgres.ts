import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { carryOverPgliteData } from './pglite-carry-over';
import { startPglite } from './pglite';
import { postgresCluster, ServerUserCannotReach } from './postgres-cluster';

/** The embedded database `npm start` runs when DATABASE_URL is unset. */
export interface EmbeddedPostgres {
  url: string;
  /** Connections the service may pool: PGlite has one backend session, a real server many. */
  poolMax: number;
  /** Where the data lives, for the start-up banner. */
  location: string;
  stop(): Promise<void>;
}

export type EmbeddedDatabaseEngine = 'postgres' | 'pglite';

/** The password of the embedded server's `postgres` role, generated once and kept owner-only. */
async function databasePassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'database-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, password, { mode: 0o600, flag: 'wx' });
  return password;
}

/**
 * A real PostgreSQL server under DATA_DIR/postgres, password-protected and on loopback only.
 * Data an earlier version kept in PGlite (DATA_DIR/pglite) is carried over on first start.
 */
async function startRealServer(dataDir: string, poolMax: number, logger?: Logger): Promise<EmbeddedPostgres> {
  const home = path.join(dataDir, 'postgres');
  const cluster = await postgresCluster(home, { password: await databasePassword(dataDir) });
  cluster.start();
  try {
    await carryOverPgliteData(dataDir, cluster.url, logger);
  } catch (error) {
    cluster.stop();
    throw error;
  }
  return { url: cluster.url, poolMax, location: home, stop: () => Promise.resolve(cluster.stop()) };
}

async function startPgliteIn(dataDir: string): Promise<EmbeddedPostgres> {
  const location = path.join(dataDir, 'pglite');
  return { ...(await startPglite(location)), poolMax: 1, location };
}

export async function startEmbeddedPostgres(
  dataDir: string,
  options: { engine?: EmbeddedDatabaseEngine; poolMax?: number; logger?: Logger } = {},
): Promise<EmbeddedPostgres> {
  if (options.engine === 'pglite') return startPgliteIn(dataDir);
  try {
    return await startRealServer(dataDir, options.poolMax ?? 10, options.logger);
  } catch (error) {
    if (!(error instanceof ServerUserCannotReach)) throw error;
    options.logger?.warn(`${error.message}; using the embedded PGlite instead (EMBEDDED_DATABASE=pglite)`);
    return startPgliteIn(dataDir);
  }
}
