import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Client } from '@temporalio/client';
import { pinoHttp } from 'pino-http';
import type { MailInbox } from '../embedded/inbox';
import type { Logger } from '../log';
import type { Database } from '../prisma/database';
import { requireAdmin } from './auth';
import { errorHandler, notFoundHandler } from './errors';
import { healthRoutes } from './routes/health';
import { decisionPageRoutes } from './routes/decision-pages';
import { improvementRoutes, type ImprovementRouteDeps } from './routes/improvements';
import { orgUnitRoutes } from './routes/org-units';
import { peopleRoutes } from './routes/people';
import { taskRoutes } from './routes/tasks';
import { inboxRoutes } from './routes/inbox';

export interface AppDeps {
  temporal: Client;
  db: Database;
  config: ImprovementRouteDeps['config'];
  adminToken: string;
  appSecret: string;
  logger: Logger;
  /** The local inbox, when mail is embedded. */
  inbox?: MailInbox;
}

/** The HTTP API: validates, authorises and hands over to Temporal. Does not listen. */
export function createApp({ temporal, db, config, adminToken, appSecret, logger, inbox }: AppDeps): express.Express {
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
  const admin = requireAdmin(adminToken);
  const decisions = { temporal, db, waitMs: config.DECISION_WAIT_MS };
  app.use('/api/improvements', improvementRoutes({ temporal, db, config, requireAdmin: admin }));
  app.use('/api/tasks', taskRoutes({ ...decisions, requireAdmin: admin }));
  app.use('/api/org-units', orgUnitRoutes({ db, requireAdmin: admin }));
  app.use('/api/people', peopleRoutes({ db, requireAdmin: admin }));
  app.use('/decide', decisionPageRoutes({ ...decisions, appSecret }));
  if (inbox) app.use('/inbox', inboxRoutes(inbox));

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
