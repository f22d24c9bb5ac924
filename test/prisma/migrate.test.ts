import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { applyMigrations, MigrationError, readMigrations } from '../../prisma/migrate';
import { createEmptyDatabase } from '../support/database';
import { silentLogger } from '../support/logger';

const root = path.join(__dirname, '..', '..');

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

interface BookkeepingRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
}

function runMigrateCommand(url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['prisma/migrate.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, DATABASE_URL: url, LOG_LEVEL: 'info' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('migrations', () => {
  it('on an empty database, applies every migration and books it exactly as Prisma does', async () => {
    const url = await createEmptyDatabase();
    const migrations = await readMigrations();
    const report = await applyMigrations(url, silentLogger);
    expect(report.applied).toEqual(migrations.map((migration) => migration.name));

    const rows = await query<BookkeepingRow>(url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
    expect(rows.map((row) => row.migration_name)).toEqual(report.applied);
    for (const [index, row] of rows.entries()) {
      const migration = migrations[index]!;
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.checksum).toBe(createHash('sha256').update(migration.sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    const columns = await query<{ column_name: string; data_type: string }>(
      url,
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'character varying' },
      { column_name: 'checksum', data_type: 'character varying' },
      { column_name: 'finished_at', data_type: 'timestamp with time zone' },
      { column_name: 'migration_name', data_type: 'character varying' },
      { column_name: 'logs', data_type: 'text' },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone' },
      { column_name: 'started_at', data_type: 'timestamp with time zone' },
      { column_name: 'applied_steps_count', data_type: 'integer' },
    ]);
  });

  it('on an already-migrated database, applies nothing and changes nothing', async () => {
    const url = await createEmptyDatabase();
    await applyMigrations(url, silentLogger);
    const before = await query<BookkeepingRow>(url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
    const report = await applyMigrations(url, silentLogger);
    expect(report.applied).toEqual([]);
    expect(report.alreadyApplied).toEqual(before.map((row) => row.migration_name));
    expect(await query<BookkeepingRow>(url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name')).toEqual(before);
  });

  it('two processes migrating at once apply each migration once', async () => {
    const url = await createEmptyDatabase();
    const [first, second] = await Promise.all([runMigrateCommand(url), runMigrateCommand(url)]);
    expect(first.code, first.output).toBe(0);
    expect(second.code, second.output).toBe(0);
    const rows = await query<{ migration_name: string; count: string }>(
      url,
      'SELECT migration_name, count(*) FROM "_prisma_migrations" GROUP BY migration_name',
    );
    const migrations = await readMigrations();
    expect(rows).toHaveLength(migrations.length);
    expect(rows.every((row) => row.count === '1')).toBe(true);
    expect([first.output, second.output].filter((output) => output.includes('"migration applied"'))).toHaveLength(1);
  });

  it('a failing migration is rolled back, recorded with its error, and retried on the next start', async () => {
    const url = await createEmptyDatabase();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'opf-migrations-'));
    mkdirSync(path.join(dir, '20990101000000_broken'));
    writeFileSync(path.join(dir, '20990101000000_broken', 'migration.sql'), 'CREATE TABLE half (id int);\nSELECT no_such_function();');
    const broken = await readMigrations(dir);
    await expect(applyMigrations(url, silentLogger, broken)).rejects.toThrow(MigrationError);
    await expect(applyMigrations(url, silentLogger, broken)).rejects.toThrow(/no_such_function/);

    const tables = await query(url, `SELECT 1 FROM information_schema.tables WHERE table_name = 'half'`);
    expect(tables).toHaveLength(0);
    const rows = await query<BookkeepingRow>(url, 'SELECT * FROM "_prisma_migrations"');
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.rolled_back_at !== null && row.finished_at === null)).toBe(true);
    expect(rows[0]?.logs).toMatch(/no_such_function/);
  });

  it('refuses to migrate while a migration Prisma started has neither finished nor been rolled back', async () => {
    const url = await createEmptyDatabase();
    await applyMigrations(url, silentLogger, []);
    await query(
      url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('00000000-0000-0000-0000-000000000001', 'x', '20000101000000_stuck')`,
    );
    await expect(applyMigrations(url, silentLogger)).rejects.toThrow(/20000101000000_stuck failed earlier/);
  });
});
