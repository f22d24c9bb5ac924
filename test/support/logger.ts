import { createLogger } from '../../log';

/** Tests log only errors, unless TEST_LOG_LEVEL asks for more. */
export const silentLogger = createLogger(process.env.TEST_LOG_LEVEL ?? 'error', { process: 'test' });
