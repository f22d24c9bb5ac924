import { Router } from 'express';
import type { Client, Connection } from '@temporalio/client';
import type { Database } from '../../prisma/database';

const probeTimeoutMs = 2_000;

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${probeTimeoutMs} ms`)), probeTimeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message.split('\n')[0] : 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness and readiness for orchestrators and load balancers. */
export function healthRoutes({ temporal, db }: { temporal: Client; db: Database }): Router {
  const router = Router();

  /** Alive: the process answers. */
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  /** Ready: the database and Temporal both answer. */
  router.get('/readyz', async (_req, res) => {
    const [database, temporalServer] = await Promise.all([
      probe(() => db.$queryRaw`SELECT 1`),
      probe(() => (temporal.connection as Connection).healthService.check({})),
    ]);
    const ready = database.ok && temporalServer.ok;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'unready',
      checks: { database, temporal: temporalServer },
    });
  });

  return router;
}
