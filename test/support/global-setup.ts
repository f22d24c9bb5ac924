import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startEmbeddedTemporal } from '../../embedded/temporal';
import { startPostgresServer } from './postgres-server';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    postgresUrl: string;
    workflowBundlePath: string;
  }
}

/** One real Temporal dev server, one real PostgreSQL and one workflow bundle for the whole run. */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opf-test-'));
  const [temporal, postgres, bundle] = await Promise.all([
    startEmbeddedTemporal({ namespace: 'default', cliPath: process.env.TEMPORAL_CLI_PATH }),
    process.env.TEST_DATABASE_URL ? undefined : startPostgresServer(),
    bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '../../workflows/index.ts'), logger: quietLogger }),
  ]);
  const workflowBundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);
  project.provide('temporalAddress', temporal.address);
  project.provide('postgresUrl', process.env.TEST_DATABASE_URL ?? (postgres?.url as string));
  project.provide('workflowBundlePath', workflowBundlePath);
  return async () => {
    await temporal.stop();
    postgres?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
