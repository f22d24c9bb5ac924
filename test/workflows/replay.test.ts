import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it, inject } from 'vitest';

const historiesDir = path.join(__dirname, 'histories');

/**
 * Histories recorded from earlier versions of the workflows (RECORD_HISTORIES=<version> on the
 * end-to-end test). Today's workflow code must replay every one of them without a
 * non-determinism error, or in-flight improvements would break on deploy.
 */
describe('replaying recorded histories of earlier workflow versions', () => {
  const files = readdirSync(historiesDir).filter((file) => file.endsWith('.json'));

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s replays on the current code', async (file) => {
    const history: unknown = JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8'));
    const workflowId = file.replace(/\.json$/, '');
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, workflowId);
  });
});
