import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Client } from '@temporalio/client';
import { pinoHttp } from 'pino-http';
import type { Config } from '../config';
import type { MailInbox } from '../embedded/inbox';
import type { Logger } from '../log';
import type { Database } from '../prisma/database';
import { requireAdmin } from './auth';
import { errorHandler, notFoundHandler } from './errors';
import { healthRoutes } from './routes/health';
import { improvementRoutes } from './routes/improvements';
import { inboxRoutes } from './routes/inbox';

export interface AppDeps {
  temporal: Client;
  db: Database;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>;
  adminToken: string;
  logger: Logger;
  /** The local inbox, when mail is embedded. */
  inbox?: MailInbox;
}

/** The HTTP API: validates, authorises and hands over to Temporal. Does not listen. */
export function createApp({ temporal, db, config, adminToken, logger, inbox }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w-]{1,100}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, error) => (res.statusCode === 503 ? 'warn' : error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(express.json({ limit: '100kb' }));

  app.use(healthRoutes({ temporal, db }));
  app.use(
    '/api/improvements',
    improvementRoutes({ temporal, db, taskQueue: config.TEMPORAL_TASK_QUEUE, requireAdmin: requireAdmin(adminToken) }),
  );
  if (inbox) app.use('/inbox', inboxRoutes(inbox));

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
