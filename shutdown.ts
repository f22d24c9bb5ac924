import type { Logger } from './log';

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits; a second signal exits at once.
 * Returns the stop function so a caller can also stop on its own terms.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const stopOnce = () => {
    stopping ??= stop();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down');
    stopOnce().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return stopOnce;
}

/** Prints a configuration or start-up failure plainly and exits non-zero. */
export function exitOnBootFailure(error: unknown): never {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`OPF Pipeline could not start.\n${message}\n`);
  process.exit(1);
}
