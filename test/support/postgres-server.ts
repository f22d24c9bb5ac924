import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../embedded/free-port';

/** A real PostgreSQL server started from the installed binaries in a temporary directory. */
export interface PostgresServer {
  url: string;
  port: number;
  stop(): void;
  start(): void;
  destroy(): void;
}

function findBinDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const dir = path.join(root, version, 'bin');
      if (existsSync(path.join(dir, 'pg_ctl'))) return dir;
    }
  }
  const which = spawnSync('sh', ['-c', 'command -v pg_ctl']);
  if (which.status === 0) return path.dirname(which.stdout.toString().trim());
  throw new Error('PostgreSQL server binaries not found: install them or set PG_BIN_DIR (or set TEST_DATABASE_URL)');
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return ['runuser', ['-u', 'postgres', '--', command, ...args]];
  return [command, args];
}

function run(command: string, args: string[]): void {
  const [cmd, cmdArgs] = asServerUser(command, args);
  execFileSync(cmd, cmdArgs, { stdio: 'pipe' });
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const binDir = findBinDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opf-pg-'));
  const dataDir = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  run(path.join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const server: PostgresServer = {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    start() {
      run(path.join(binDir, 'pg_ctl'), [
        '-D', dataDir, '-l', path.join(dir, 'server.log'), '-w', '-t', '30',
        '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
        'start',
      ]);
    },
    stop() {
      run(path.join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    },
    destroy() {
      try {
        server.stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  server.start();
  return server;
}
