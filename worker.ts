import { NativeConnection, Runtime, DefaultLogger, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { loadConfig, type Config } from './config';
import { exitOnBootFailure, stopOnSignals } from './shutdown';
import { createLogger, type Logger } from './log';
import { createDatabase, type Database } from './prisma/database';
import { applyMigrations } from './prisma/migrate';
import { freshPrebuiltBundle } from './workflow-bundle';
import { smtpMailer } from './mail/mailer';
import { OutboxDispatcher } from './mail/outbox-dispatcher';

export interface WorkerDeps {
  config: Pick<Config, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'MAIL_FROM' | 'MAIL_CONCURRENCY' | 'MAIL_LEASE_MS' | 'publicUrl' | 'calendar'>;
  connection: NativeConnection;
  db: Database;
  smtpUrl: string;
  /** A pre-built workflow bundle (tests build one per run); otherwise workflows/ is bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  logger?: Logger;
  /** The process library's stores for the version deployments; without them those activities retry. */
  processLibrary?: ActivityDeps['processLibrary'];
}

/**
 * Builds a worker that runs every workflow and activity of OPF Pipeline on the task queue, and
 * delivers the outbox while it runs: the dispatcher starts with `run()` and stops after it drains.
 */
export async function createWorker({ config, connection, db, smtpUrl, workflowBundle, logger, processLibrary }: WorkerDeps): Promise<Worker> {
  // Each SMTP step gives up well inside the outbox lease, so a hung server cannot outlive a claim.
  const stepTimeoutMs = Math.max(1_000, Math.floor(config.MAIL_LEASE_MS / 4));
  const outbox = new OutboxDispatcher({
    db,
    mailer: smtpMailer(smtpUrl, config.MAIL_FROM, stepTimeoutMs),
    publicUrl: config.publicUrl,
    logger: logger ?? createLogger('warn', { process: 'worker' }),
    concurrency: config.MAIL_CONCURRENCY,
    leaseMs: config.MAIL_LEASE_MS,
  });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({ db, publicUrl: config.publicUrl, calendar: config.calendar, outbox, processLibrary }),
    shutdownGraceTime: '10 seconds',
  });
  const run = worker.run.bind(worker);
  worker.run = async () => {
    outbox.start();
    try {
      await run();
    } finally {
      await outbox.stop();
    }
  };
  return worker;
}

/** Drains the worker: in-flight tasks finish (up to the grace time), no new ones are taken. */
export async function stopWorker(worker: Worker, running: Promise<void>): Promise<void> {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
}

/**
 * Sends the Temporal SDK's own logs through our structured logger, and leaves SIGTERM/SIGINT to
 * our shutdown sequence (the SDK would otherwise stop workers on its own, out of order).
 */
export function installTemporalRuntime(logger: Logger): void {
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('WARN', (entry) => {
      const level = entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : 'debug';
      logger[level]({ ...entry.meta, component: 'temporal-sdk' }, entry.message);
    }),
  });
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, 'worker');
  const logger = createLogger(config.LOG_LEVEL, { process: 'worker' });
  installTemporalRuntime(logger);
  const databaseUrl = config.DATABASE_URL as string;
  await applyMigrations(databaseUrl, logger);
  const db = createDatabase(databaseUrl, config.DATABASE_POOL_MAX);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS as string });
  const prebuilt = config.WORKFLOW_BUNDLE === 'prebuilt' ? freshPrebuiltBundle() : undefined;
  const worker = await createWorker({ config, connection, db, smtpUrl: config.SMTP_URL as string, workflowBundle: prebuilt, logger });
  const running = worker.run();
  // performance.now() counts from the process's start: what a restart after a crash costs.
  logger.info(
    { startToPollingMs: Math.round(performance.now()), workflowBundle: prebuilt ? 'prebuilt' : 'bundled at start' },
    'worker polling',
  );
  stopOnSignals(logger, async () => {
    await stopWorker(worker, running);
    await connection.close();
    await db.$disconnect();
    logger.info('worker stopped');
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker started');
  await running;
}

if (require.main === module) main().catch(exitOnBootFailure);
