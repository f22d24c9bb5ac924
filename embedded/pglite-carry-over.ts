import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import pino, { type Logger } from 'pino';
import { applyMigrations } from '../prisma/migrate';
import { startPglite } from './pglite';

const BATCH = 2_000;

async function tablesOf(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
      ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

async function copyTable(source: Client, target: Client, table: string): Promise<number> {
  const quoted = `"${table.replaceAll('"', '""')}"`;
  let copied = 0;
  for (;;) {
    const { rows } = await source.query<{ batch: string | null }>(
      `SELECT json_agg(t)::text AS batch FROM (SELECT * FROM ${quoted} ORDER BY ctid LIMIT ${BATCH} OFFSET ${copied}) t`,
    );
    const batch = rows[0]?.batch;
    if (!batch) return copied;
    const { rowCount } = await target.query(`INSERT INTO ${quoted} SELECT * FROM json_populate_recordset(NULL::${quoted}, $1::json)`, [batch]);
    copied += rowCount ?? 0;
  }
}

/** Copies every table in one transaction, so an interrupted copy is simply done again. */
async function copyAll(sourceUrl: string, targetUrl: string): Promise<Record<string, number>> {
  const source = new Client({ connectionString: sourceUrl });
  const target = new Client({ connectionString: targetUrl });
  await source.connect();
  await target.connect();
  try {
    const tables = await tablesOf(source);
    const counts: Record<string, number> = {};
    await target.query('BEGIN');
    // Rows arrive table by table; foreign keys hold again once every table is in.
    await target.query('SET LOCAL session_replication_role = replica');
    await target.query(`TRUNCATE ${tables.map((table) => `"${table}"`).join(', ')}`);
    for (const table of tables) counts[table] = await copyTable(source, target, table);
    await target.query('COMMIT');
    return counts;
  } finally {
    await source.end();
    await target.end();
  }
}

/**
 * Earlier versions kept the embedded data in PGlite under DATA_DIR/pglite. On the first start with
 * the real server that data is copied over, and the PGlite directory is kept, renamed, as a backup.
 */
export async function carryOverPgliteData(dataDir: string, targetUrl: string, logger: Logger = pino({ level: 'silent' })): Promise<void> {
  const sourceDir = path.join(dataDir, 'pglite');
  if (!existsSync(sourceDir)) return;
  logger.info({ from: sourceDir }, 'carrying the embedded PGlite data over to the embedded PostgreSQL server');
  const pglite = await startPglite(sourceDir);
  try {
    await applyMigrations(pglite.url, logger);
    await applyMigrations(targetUrl, logger);
    const counts = await copyAll(pglite.url, targetUrl);
    logger.info({ rows: counts }, 'embedded data carried over');
  } finally {
    await pglite.stop();
  }
  await rename(sourceDir, path.join(dataDir, 'pglite-carried-over'));
}
