import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { applyMigrations, readMigrations } from '../../prisma/migrate';
import { createEmptyDatabase } from '../support/database';
import { silentLogger } from '../support/logger';

const libraryMigration = '20261203020000_process_library';

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

interface OldUnit {
  unitId: string;
  status: 'pending' | 'adopted' | 'waived';
  tailoring?: string;
  waiverReason?: string;
}

async function insertImprovement(client: Client, process: string, owner: string, createdAt: string, units: OldUnit[]): Promise<string> {
  const id = randomUUID();
  const details = { units: units.map((unit) => ({ unitName: 'x', manager: 'm@example.org', waiverRefusals: 0, ...unit })) };
  await client.query(
    `INSERT INTO improvement (id, workflow_id, title, description, proposer_email, process_owner_email, process, stage, status, org_unit_ids, details, created_at, updated_at)
     VALUES ($1, $2, 'An improvement', 'Why', 'staff@example.org', $3, $4, 'closed', 'completed', $5, $6, $7, $7)`,
    [id, `improvement-${id}`, owner, process, units.map((unit) => unit.unitId), JSON.stringify(details), createdAt],
  );
  return id;
}

describe('the process library migration', () => {
  it('turns the free-text processes of existing improvements into library entries and their unit deployments into version-1 adoptions', async () => {
    const url = await createEmptyDatabase();
    const migrations = await readMigrations();
    const before = migrations.filter((migration) => migration.name < libraryMigration);
    await applyMigrations(url, silentLogger, before);

    const [sales, support, audit] = [randomUUID(), randomUUID(), randomUUID()];
    const ids = await withClient(url, async (client) => {
      for (const [id, name] of [[sales, 'Sales'], [support, 'Support'], [audit, 'Internal audit']]) {
        await client.query(`INSERT INTO org_unit (id, name, manager_email) VALUES ($1, $2, 'boss@example.org')`, [id, name]);
      }
      return {
        first: await insertImprovement(client, 'Change management', 'first-owner@example.org', '2026-01-10T09:00:00Z', [
          { unitId: sales, status: 'adopted', tailoring: 'weekly instead of daily stand-up' },
          { unitId: support, status: 'waived', waiverReason: 'being outsourced' },
        ]),
        second: await insertImprovement(client, ' Change management ', 'later-owner@example.org', '2026-03-01T09:00:00Z', [
          { unitId: support, status: 'adopted' },
          { unitId: audit, status: 'pending' },
          { unitId: randomUUID(), status: 'adopted' },
        ]),
        other: await insertImprovement(client, 'Incident handling', 'ops@example.org', '2026-02-01T09:00:00Z', [{ unitId: sales, status: 'adopted' }]),
        none: await insertImprovement(client, '', 'ops@example.org', '2026-02-02T09:00:00Z', []),
      };
    });

    await applyMigrations(url, silentLogger, migrations);

    await withClient(url, async (client) => {
      const processes = (await client.query(`SELECT id, name, owner_email FROM standard_process ORDER BY name`)).rows;
      expect(processes.map(({ name, owner_email }) => ({ name, owner_email }))).toEqual([
        { name: 'Change management', owner_email: 'first-owner@example.org' },
        { name: 'Incident handling', owner_email: 'ops@example.org' },
      ]);
      const change = processes[0].id as string;
      const versions = (await client.query(`SELECT process_id, number, status, published_at FROM process_version ORDER BY process_id`)).rows;
      expect(versions).toHaveLength(2);
      expect(versions.every((version) => version.number === 1 && version.status === 'published' && version.published_at instanceof Date)).toBe(true);

      const links = (await client.query(`SELECT id, process_id FROM improvement`)).rows;
      const processOf = Object.fromEntries(links.map((row) => [row.id, row.process_id]));
      expect(processOf[ids.first]).toBe(change);
      expect(processOf[ids.second]).toBe(change);
      expect(processOf[ids.other]).toBe(processes[1].id);
      expect(processOf[ids.none]).toBeNull();

      const adoptions = (
        await client.query(
          `SELECT o.name AS unit, up.applies, v.number AS version, up.since, up.tailored, up.tailoring, up.waiver_reason
           FROM unit_process up JOIN org_unit o ON o.id = up.unit_id LEFT JOIN process_version v ON v.id = up.version_id
           WHERE up.process_id = $1 ORDER BY o.name`,
          [change],
        )
      ).rows;
      expect(adoptions).toEqual([
        { unit: 'Internal audit', applies: true, version: null, since: null, tailored: false, tailoring: null, waiver_reason: null },
        { unit: 'Sales', applies: true, version: 1, since: new Date('2026-01-10T09:00:00Z'), tailored: true, tailoring: 'weekly instead of daily stand-up', waiver_reason: null },
        { unit: 'Support', applies: true, version: 1, since: new Date('2026-03-01T09:00:00Z'), tailored: false, tailoring: null, waiver_reason: null },
      ]);
      const waived = (await client.query(`SELECT count(*)::int AS n FROM unit_process WHERE waiver_reason IS NOT NULL`)).rows[0].n;
      expect(waived).toBe(0);
    });
  });

  it('keeps a waiver when no improvement of that process had the unit adopt', async () => {
    const url = await createEmptyDatabase();
    const migrations = await readMigrations();
    await applyMigrations(url, silentLogger, migrations.filter((migration) => migration.name < libraryMigration));
    const unit = randomUUID();
    await withClient(url, async (client) => {
      await client.query(`INSERT INTO org_unit (id, name, manager_email) VALUES ($1, 'Legal', 'boss@example.org')`, [unit]);
      await insertImprovement(client, 'Contract review', 'owner@example.org', '2026-01-10T09:00:00Z', [{ unitId: unit, status: 'waived', waiverReason: 'no contracts here' }]);
    });
    await applyMigrations(url, silentLogger, migrations);
    const rows = await withClient(url, async (client) => (await client.query(`SELECT version_id, waiver_reason, waiver_granted_by FROM unit_process`)).rows);
    expect(rows).toEqual([{ version_id: null, waiver_reason: 'no contracts here', waiver_granted_by: 'migration' }]);
  });
});
