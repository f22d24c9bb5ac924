import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startPglite } from '../../embedded/pglite';
import { startEmbeddedPostgres } from '../../embedded/postgres';
import { applyMigrations } from '../../prisma/migrate';
import { silentLogger } from '../support/logger';

async function query(url: string, sql: string, params: unknown[] = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = 'guessed';
  return parsed.toString();
}

describe('the embedded database', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'opf-embedded-db-'));
    chmodSync(dir, 0o711); // as root the server runs as `postgres`, which must pass through
    dirs.push(dir);
    return path.join(dir, 'data');
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is a real PostgreSQL server that refuses a wrong password and keeps its data across a restart', async () => {
    const dir = dataDir();
    const first = await startEmbeddedPostgres(dir);
    try {
      expect(first.poolMax).toBe(10);
      const [{ version }] = await query(first.url, 'SELECT version()');
      expect(version).toMatch(/^PostgreSQL 17\./);
      await expect(query(withoutPassword(first.url), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
      expect(statSync(path.join(dir, 'database-password')).mode & 0o777).toBe(0o600);
      await query(first.url, 'CREATE TABLE kept (note text)');
      await query(first.url, "INSERT INTO kept VALUES ('still here')");
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedPostgres(dir);
    try {
      expect(await query(second.url, 'SELECT note FROM kept')).toEqual([{ note: 'still here' }]);
    } finally {
      await second.stop();
    }
  });

  it('carries over the data an earlier version kept in PGlite, once, keeping the PGlite directory as a backup', async () => {
    const dir = dataDir();
    const pglite = await startPglite(path.join(dir, 'pglite'));
    try {
      await applyMigrations(pglite.url, silentLogger);
      await query(pglite.url, `INSERT INTO org_unit (id, name, manager_email) VALUES ('7d3f3c9e-8f7a-4a53-9a34-1f4c3b2a1e01', 'Payments', 'pay.manager@example.org')`);
    } finally {
      await pglite.stop();
    }

    const server = await startEmbeddedPostgres(dir);
    try {
      expect(await query(server.url, 'SELECT name, manager_email FROM org_unit')).toEqual([
        { name: 'Payments', manager_email: 'pay.manager@example.org' },
      ]);
      const [{ count }] = await query(server.url, 'SELECT count(*)::int AS count FROM _prisma_migrations');
      expect(count).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
    expect(existsSync(path.join(dir, 'pglite'))).toBe(false);
    expect(existsSync(path.join(dir, 'pglite-carried-over'))).toBe(true);

    const again = await startEmbeddedPostgres(dir);
    try {
      expect(await query(again.url, 'SELECT count(*)::int AS count FROM org_unit')).toEqual([{ count: 1 }]);
    } finally {
      await again.stop();
    }
  });
});
