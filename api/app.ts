import cookieParser from 'cookie-parser';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Mailer } from '../mail/mailer';
import type { MailInbox } from '../embedded/inbox';
import type { Logger } from '../log';
import type { Database } from '../prisma/database';
import { audit } from './audit';
import { authenticate } from './auth';
import { codeAttempts } from './code-attempts';
import { sessionAuth } from './sessions';
import { AppError, errorHandler, notFoundHandler } from './errors';
import { refuseDeepJson } from './json-depth';
import { createMetrics } from './metrics';
import { requestLogger } from './request-log';
import { methodNotAllowed, openApiRoute } from './openapi';
import { dashboardRoutes } from './pages/dashboard';
import { escalationRoutes } from './pages/escalations';
import { improvementPageRoutes } from './pages/improvement';
import { adoptionPageRoutes } from './pages/adoption';
import { measureRoutes } from './pages/measures';
import { processLibraryPageRoutes } from './pages/process-library';
import { unitPageRoutes } from './pages/unit';
import { myTaskRoutes } from './pages/my-tasks';
import { firstRunRoutes } from './pages/first-run';
import { signInRoutes } from './pages/sign-in';
import { auditRoutes } from './routes/audit-trail';
import { decisionPageRoutes } from './routes/decision-pages';
import { delegationRoutes } from './routes/delegations';
import { healthRoutes } from './routes/health';
import { improvementRoutes, type ImprovementRouteDeps } from './routes/improvements';
import { inboxRoutes } from './routes/inbox';
import { orgUnitRoutes } from './routes/org-units';
import { peopleRoutes } from './routes/people';
import { adoptionRoutes, processRoutes } from './routes/processes';
import { openAdoptionOfUnit } from './use-cases/process-deployment';
import { taskRoutes } from './routes/tasks';
import { tokenRoutes } from './routes/tokens';

export interface AppDeps {
  temporal: Client;
  db: Database;
  config: ImprovementRouteDeps['config'] & Pick<Config, 'DECISION_CONFIRMATION' | 'DECISION_RATE_LIMIT' | 'publicUrl' | 'trustProxy' | 'codeAttemptPolicy' | 'sessionLifetimeMs'>;
  adminToken: string;
  appSecret: string;
  logger: Logger;
  /** Sends confirmation codes when DECISION_CONFIRMATION is `email-code`. */
  mailer?: Mailer;
  /** The local inbox, when mail is embedded. */
  inbox?: MailInbox;
}

/** Statuses that mean someone tried something they may not do: kept in the audit trail. */
const refusalsWorthAuditing = new Set([401, 403, 409, 422, 429]);

/** The HTTP API: validates, authorises and hands over to Temporal. Does not listen. */
export function createApp({ temporal, db, config, adminToken, appSecret, logger, mailer, inbox }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(requestLogger(logger));
  // upgrade-insecure-requests would send every form of a plain-http deployment to https.
  const upgradeInsecure = config.publicUrl.startsWith('https:') ? [] : null;
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { 'form-action': ["'self'"], 'upgrade-insecure-requests': upgradeInsecure } },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.use(express.json({ limit: '100kb' }));
  app.use(refuseDeepJson);

  const limiter = rateLimit({
    windowMs: 60_000,
    limit: config.DECISION_RATE_LIMIT,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Ignoring X-Forwarded-For unless TRUST_PROXY says so is the intent, not a misconfiguration.
    validate: { xForwardedForHeader: false },
    handler: (_req, _res, next) => next(new AppError('rate_limited', 429, 'too many requests: wait a minute and try again')),
  });
  const metrics = createMetrics(db);
  const attempts = codeAttempts(db, config.codeAttemptPolicy);
  const decisions = {
    temporal,
    db,
    waitMs: config.DECISION_WAIT_MS,
    selfApprovalBlockedSteps: config.selfApprovalBlockedSteps,
    onDecision: metrics.observeDecision,
  };

  app.use(healthRoutes({ temporal, db }));
  app.get('/metrics', metrics.route);
  app.get('/api/openapi.json', openApiRoute());
  app.use('/api', authenticate({ db, adminToken }));
  app.use('/api/improvements', improvementRoutes({ temporal, db, config }));
  app.use('/api/tasks/:id/decision', limiter);
  app.use('/sign-in', limiter);
  app.use('/api/tasks', taskRoutes(decisions));
  const deployments = { db, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE };
  app.use('/api/org-units', orgUnitRoutes({ db, hooks: { onProcessesAdded: (unitId, processIds) => openAdoptionOfUnit(deployments, unitId, processIds) } }));
  app.use('/api/processes', processRoutes(deployments));
  app.use('/api/adoption', adoptionRoutes({ db }));
  app.use('/api/people/:email/tokens', tokenRoutes({ db }));
  app.use('/api/people/:email/delegations', delegationRoutes({ ...decisions, taskQueue: config.TEMPORAL_TASK_QUEUE }));
  app.use('/api/people', peopleRoutes({ db }));
  app.use('/api/audit', auditRoutes({ db }));
  app.use(methodNotAllowed());
  app.use('/decide', limiter, decisionPageRoutes({ ...decisions, appSecret, confirmation: config.DECISION_CONFIRMATION, mailer, attempts }));
  if (inbox) app.use('/inbox', inboxRoutes(inbox));

  // People's pages: signed in by session cookie.
  app.use(cookieParser());
  app.use(sessionAuth(db));
  app.get('/', (_req, res) => res.redirect(303, '/dashboard'));
  app.use('/setup', limiter);
  app.use(firstRunRoutes({ db, adminToken, publicUrl: () => config.publicUrl, sessionLifetimeMs: config.sessionLifetimeMs }));
  app.use(signInRoutes({ db, publicUrl: () => config.publicUrl, mailer, appSecret, attempts, sessionLifetimeMs: config.sessionLifetimeMs }));
  app.use(dashboardRoutes({ db }));
  app.use(improvementPageRoutes({ db }));
  app.use(myTaskRoutes({ ...decisions, appSecret }));
  app.use(escalationRoutes({ db }));
  app.use(measureRoutes({ db }));
  app.use(processLibraryPageRoutes({ db }));
  app.use(adoptionPageRoutes({ db }));
  app.use(unitPageRoutes({ db }));

  app.use(notFoundHandler);
  app.use(
    errorHandler(logger, async (req, error) => {
      if (!refusalsWorthAuditing.has(error.status) || req.path.startsWith('/decide')) return;
      await audit(db, req, { action: `${req.method} ${req.baseUrl}${req.route ? (req.route as { path: string }).path : req.path}`, target: req.originalUrl.split('?')[0] ?? '', outcome: 'refused', details: { status: error.status, code: error.code, message: error.message } });
    }),
  );
  return app;
}
