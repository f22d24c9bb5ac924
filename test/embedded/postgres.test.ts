import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../embedded/postgres';

/** Connects with `url` and runs one query; resolves with its answer or the error's SQLSTATE. */
async function query(url: string): Promise<string> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    const result = await client.query<{ answer: string }>("SELECT 'answered' AS answer");
    return result.rows[0]!.answer;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('the embedded PostgreSQL', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opf-embedded-pg-'));
  const password = randomBytes(32).toString('hex');
  let postgres: EmbeddedPostgres;
  beforeAll(async () => {
    postgres = await startEmbeddedPostgres(dataDir, password);
  });
  afterAll(async () => {
    await postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a client with its password, on loopback', async () => {
    expect(postgres.url).toMatch(/^postgresql:\/\/postgres:[0-9a-f]{64}@127\.0\.0\.1:\d+\/postgres/);
    expect(await query(postgres.url)).toBe('answered');
  });

  it('refuses a client with a wrong password, none, or another user: any local process is not let in', async () => {
    const url = new URL(postgres.url);
    url.password = 'postgres';
    expect(await query(url.toString())).toBe('28P01');
    url.password = '';
    expect(await query(url.toString())).not.toBe('answered');
    url.username = 'admin';
    url.password = password;
    expect(await query(url.toString())).toBe('28P01');
    expect(await query(postgres.url)).toBe('answered');
  });
});
