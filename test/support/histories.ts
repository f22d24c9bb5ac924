import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { findTemporalCli } from '../../embedded/temporal';

const historiesDir = path.join(__dirname, '..', 'workflows', 'histories');

/** Whether this run records histories for the replay test (RECORD_HISTORIES=<version>). */
export function recordingHistories(): boolean {
  return Boolean(process.env.RECORD_HISTORIES);
}

/** Saves a workflow's history, as the Temporal CLI exports it, as `<name>-<version>.json` for the replay test. */
export function recordHistory(name: string, workflowId: string): void {
  const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cli) throw new Error('recording histories needs the temporal CLI');
  mkdirSync(historiesDir, { recursive: true });
  const history = execFileSync(cli, ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', inject('temporalAddress')]);
  writeFileSync(path.join(historiesDir, `${name}-${process.env.RECORD_HISTORIES}.json`), JSON.stringify(JSON.parse(history.toString())));
}

/** Waits for the workflow to close, then records its history. */
export async function recordClosedHistory(name: string, workflowId: string): Promise<void> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  try {
    await new Client({ connection }).workflow.getHandle(workflowId).result();
  } finally {
    await connection.close();
  }
  recordHistory(name, workflowId);
}
