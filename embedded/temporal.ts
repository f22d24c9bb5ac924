import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributes } from '../workflows/improvement/definitions';

/** A local Temporal dev server, run as a child process of ours. */
export interface EmbeddedTemporal {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

export interface EmbeddedTemporalOptions {
  /** SQLite file that persists workflows; in memory when absent. */
  dbFilename?: string;
  cliPath?: string;
  namespace: string;
  uiPort?: number;
}

/** TEMPORAL_CLI_PATH, else `temporal` on PATH, else the project's .tools venv; undefined lets the SDK download it. */
export function findTemporalCli(configured?: string): string | undefined {
  if (configured) {
    if (!existsSync(configured)) throw new Error(`TEMPORAL_CLI_PATH: no file at ${configured}`);
    return configured;
  }
  const candidates = [
    ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'temporal')),
    path.join(__dirname, '..', '.tools', 'bin', 'temporal'),
  ];
  return candidates.find((candidate) => candidate.length > 'temporal'.length && existsSync(candidate));
}

export async function startEmbeddedTemporal(options: EmbeddedTemporalOptions): Promise<EmbeddedTemporal> {
  if (options.dbFilename) await mkdir(path.dirname(options.dbFilename), { recursive: true });
  const cliPath = findTemporalCli(options.cliPath);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cliPath ? { type: 'existing-path', path: cliPath } : { type: 'cached-download' },
      namespace: options.namespace,
      dbFilename: options.dbFilename,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      searchAttributes: Object.values(searchAttributes),
      log: { format: 'json', level: 'error' },
    },
  });
  return {
    address: env.address,
    uiUrl: options.uiPort !== undefined ? `http://localhost:${options.uiPort}` : undefined,
    stop: () => env.teardown(),
  };
}
