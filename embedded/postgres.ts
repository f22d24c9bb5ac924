import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { startPasswordGate } from './postgres-password';

/** Embedded PostgreSQL: PGlite persisted under DATA_DIR, served over the Postgres wire protocol. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** The embedded database's password: derived from the app secret, so it is as secret and as stable. */
export function embeddedPostgresPassword(appSecret: string): string {
  return createHmac('sha256', appSecret).update('opf-pipeline embedded postgres password').digest('hex');
}

/**
 * PGlite answers any credentials, so it listens only on a Unix socket in a directory only this
 * user may enter, and clients reach it through a loopback port that demands the password first.
 */
export async function startEmbeddedPostgres(dataDir: string, password: string): Promise<EmbeddedPostgres> {
  const dir = path.join(dataDir, 'pglite');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(dir);
  const socketDir = await mkdtemp(path.join(os.tmpdir(), 'opf-pglite-')); // mode 0700
  const socketPath = path.join(socketDir, '.s.PGSQL.5432');
  // PGlite has one backend session; clients must use a single pooled connection (see README).
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 8 });
  await server.start();
  const gate = await startPasswordGate({ user: 'postgres', password, upstream: () => connect(socketPath) });
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${gate.port}/postgres?sslmode=disable`,
    async stop() {
      await gate.stop();
      await server.stop();
      await db.close();
      await rm(socketDir, { recursive: true, force: true });
    },
  };
}
