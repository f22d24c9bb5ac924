import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase } from '../support/database';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server';
import { eventually, startTestService, type TestService } from '../support/service';

describe('health and readiness', () => {
  let postgres: PostgresServer;
  let service: TestService;
  beforeAll(async () => {
    // This file stops its database, so it gets a PostgreSQL server of its own.
    postgres = await startPostgresServer();
    service = await startTestService({ databaseUrl: await createMigratedDatabase(postgres.url) });
  });
  afterAll(async () => {
    await service?.destroy();
    postgres?.destroy();
  });

  it('is alive and ready when the database and Temporal answer', async () => {
    expect((await service.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await service.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: { ok: true }, temporal: { ok: true } } });
  });

  it('reports unready while the database is down, and ready again when it returns', async () => {
    postgres.stop();
    const down = await service.call('GET', '/readyz');
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('unready');
    expect(down.body.checks.database.ok).toBe(false);
    expect(down.body.checks.database.error).toEqual(expect.any(String));
    expect(down.body.checks.temporal).toEqual({ ok: true });
    expect((await service.call('GET', '/healthz')).status).toBe(200);

    postgres.start();
    const back = await eventually(async () => {
      const response = await service.call('GET', '/readyz');
      return response.status === 200 ? response : undefined;
    });
    expect(back.body.checks.database).toEqual({ ok: true });
  });
});
