import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';

/** The advisory lock `prisma migrate deploy` takes, so our runner and Prisma's exclude each other. */
const PRISMA_MIGRATE_LOCK = 72707369;

export const migrationsDir = path.join(__dirname, 'migrations');

/** One folder of prisma/migrations. */
export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: string[];
}

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Refusal to migrate: a failed migration needs a person, as with `prisma migrate deploy`. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function readMigrations(dir = migrationsDir): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

const createBookkeepingTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies pending migrations the way `prisma migrate deploy` does, without Prisma's native
 * engine: same lock, same `_prisma_migrations` rows, so Prisma's own CLI agrees afterwards.
 */
export async function applyMigrations(
  connectionString: string,
  logger: Logger,
  migrations?: Migration[],
): Promise<MigrationReport> {
  const all = migrations ?? (await readMigrations());
  const client = new Client({ connectionString, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    try {
      return await applyPending(client, all, logger);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]);
    }
  } finally {
    await client.end();
  }
}

async function applyPending(client: Client, all: Migration[], logger: Logger): Promise<MigrationReport> {
  await client.query(createBookkeepingTable);
  const { rows } = await client.query<AppliedRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
  );
  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed.length > 0) {
    throw new MigrationError(
      `Migration ${failed.map((row) => row.migration_name).join(', ')} failed earlier and needs attention ` +
        '(fix the database, then `prisma migrate resolve`); refusing to migrate.',
    );
  }
  const finished = new Map(
    rows.filter((row) => row.finished_at !== null && row.rolled_back_at === null).map((row) => [row.migration_name, row]),
  );
  const report: MigrationReport = { applied: [], alreadyApplied: [] };
  for (const migration of all) {
    const done = finished.get(migration.name);
    if (done) {
      if (done.checksum !== migration.checksum) {
        logger.warn({ migration: migration.name }, 'migration was modified after it was applied');
      }
      report.alreadyApplied.push(migration.name);
      continue;
    }
    await applyOne(client, migration);
    logger.info({ migration: migration.name }, 'migration applied');
    report.applied.push(migration.name);
  }
  return report;
}

// The bookkeeping row is written in the migration's own transaction, so a crash mid-migration
// leaves neither half-applied SQL nor a "failed" row that would block every later start.
async function applyOne(client: Client, migration: Migration): Promise<void> {
  const id = randomUUID();
  try {
    await client.query('BEGIN');
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(
      'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    const logs = error instanceof Error ? error.message : String(error);
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, rolled_back_at, started_at) VALUES ($1, $2, $3, $4, now(), now())',
      [id, migration.checksum, migration.name, logs],
    );
    throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${logs}`);
  }
}

async function main(): Promise<void> {
  const { loadConfig } = await import('../config');
  const { createLogger } = await import('../log');
  const config = loadConfig(process.env, 'migrate');
  const logger = createLogger(config.LOG_LEVEL, { process: 'migrate' });
  const report = await applyMigrations(config.DATABASE_URL as string, logger);
  logger.info(report, report.applied.length ? 'migrations applied' : 'database already up to date');
}

if (require.main === module) {
  main().catch(async (error: unknown) => {
    const { exitOnBootFailure } = await import('../shutdown');
    exitOnBootFailure(error);
  });
}
