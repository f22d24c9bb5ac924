import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../prisma/database';
import { createMigratedDatabase } from '../support/database';

/** Field optionality and native types, read from schema.prisma (the client metadata omits them). */
function schemaFieldDetails(): Map<string, { optional: boolean; list: boolean; nativeType?: string }> {
  const text = readFileSync(path.join(__dirname, '..', '..', 'prisma', 'schema.prisma'), 'utf8');
  const details = new Map<string, { optional: boolean; list: boolean; nativeType?: string }>();
  for (const [, model, body] of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    for (const line of body!.split('\n')) {
      const match = /^\s+(\w+)\s+(\w+)(\?|\[\])?(.*)$/.exec(line);
      if (!match || line.trim().startsWith('//')) continue;
      const [, field, , modifier, rest] = match;
      details.set(`${model}.${field}`, { optional: modifier === '?', list: modifier === '[]', nativeType: /@db\.(\w+)/.exec(rest ?? '')?.[1] });
    }
  }
  return details;
}

const expectedColumnType: Record<string, (nativeType?: string) => string> = {
  String: (native) => (native === 'Uuid' ? 'uuid' : native === 'VarChar' ? 'character varying' : 'text'),
  DateTime: (native) => (native === 'Timestamptz' ? 'timestamp with time zone' : native === 'Date' ? 'date' : 'timestamp without time zone'),
  Int: () => 'integer',
  BigInt: () => 'bigint',
  Boolean: () => 'boolean',
  Float: () => 'double precision',
  Decimal: () => 'numeric',
  Json: () => 'jsonb',
};

interface RuntimeField {
  name: string;
  kind: string;
  type: string;
  dbName?: string;
}
interface RuntimeModel {
  dbName: string | null;
  fields: RuntimeField[];
}

describe('schema.prisma and the migration SQL', () => {
  let url: string;
  let db: Database;
  beforeAll(async () => {
    url = await createMigratedDatabase();
    db = createDatabase(url, 2);
  });
  afterAll(async () => {
    await db.$disconnect();
  });

  it('describe the same tables and columns, with the same types and nullability', async () => {
    const runtime = (db as unknown as { _runtimeDataModel: { models: Record<string, RuntimeModel> } })._runtimeDataModel;
    const details = schemaFieldDetails();
    const expected: string[] = [];
    for (const [modelName, model] of Object.entries(runtime.models)) {
      for (const field of model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum')) {
        const detail = details.get(`${modelName}.${field.name}`);
        const column = `${model.dbName ?? modelName}.${field.dbName ?? field.name}`;
        if (detail?.list) {
          // Prisma creates scalar lists as nullable arrays (e.g. TEXT[]).
          expected.push(`${column} ARRAY NULL`);
          continue;
        }
        const type = expectedColumnType[field.type]?.(detail?.nativeType) ?? `unknown ${field.type}`;
        expected.push(`${column} ${type} ${detail?.optional ? 'NULL' : 'NOT NULL'}`);
      }
    }
    const client = new Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    await client.end();
    const actual = rows.map(
      (row) => `${row.table_name}.${row.column_name} ${row.data_type} ${row.is_nullable === 'YES' ? 'NULL' : 'NOT NULL'}`,
    );
    expect(actual.sort()).toEqual(expected.sort());
  });

  it('let the client write and read every model through its relations', async () => {
    const improvement = await db.improvement.create({
      data: {
        id: '11111111-1111-4111-8111-111111111111',
        workflowId: 'improvement-drift-check',
        title: 'Drift check',
        description: 'Round trip',
        proposerEmail: 'drift@example.org',
        stage: 'proposed',
        status: 'active',
        events: { create: { eventKey: 'k1', step: 'proposal', actor: 'drift@example.org', action: 'submitted' } },
        notifications: {
          create: { notificationKey: 'n1', kind: 'acknowledgement', recipient: 'drift@example.org', subject: 's', body: 'b' },
        },
      },
      include: { events: true, notifications: true },
    });
    expect(improvement.events[0]?.comment).toBeNull();
    expect(improvement.notifications[0]?.status).toBe('pending');
    await db.improvement.delete({ where: { id: improvement.id } });
    expect(await db.improvementEvent.count()).toBe(0);
  });
});
