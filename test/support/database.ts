import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { inject } from 'vitest';
import { applyMigrations } from '../../prisma/migrate';
import { silentLogger } from './logger';

/** URL of the same server with another database name. */
export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A fresh, empty database on the run's PostgreSQL server, for one test file or test. */
export async function createEmptyDatabase(serverUrl = inject('postgresUrl')): Promise<string> {
  const name = `opf_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return withDatabase(serverUrl, name);
}

/** A fresh database with every migration applied. */
export async function createMigratedDatabase(serverUrl?: string): Promise<string> {
  const url = await createEmptyDatabase(serverUrl);
  await applyMigrations(url, silentLogger);
  return url;
}
