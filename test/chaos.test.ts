import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../bench/chaos/checks';

const root = path.join(__dirname, '..');

/**
 * A small chaos run, as `npm run chaos` runs it: real Temporal, PostgreSQL, SMTP receiver, worker
 * and API processes; people deciding by emailed links and the API; the worker killed twice, the API
 * once, Temporal, PostgreSQL and SMTP restarted once each. Every check must pass.
 */
// About two minutes on an idle 2-core machine; the limit only bounds a run that no longer progresses,
// so a busy machine makes the run slower, not failed.
const RUN_LIMIT_S = 1_200;

describe('chaos: faults never mislead anyone', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opf-chaos-test-'));
  const json = path.join(dir, 'chaos.json');
  let child: ChildProcess | undefined;

  afterAll(async () => {
    // The run stops everything it started on SIGTERM; only if it does not, kill it outright.
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      const force = setTimeout(() => child!.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(force);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('with workers and the API killed and Temporal, PostgreSQL and SMTP restarted, no decision is lost, misreported or unaudited, and no email is lost or doubled', async () => {
    const args = ['--lifecycles', '6', '--worker-kills', '2', '--api-kills', '1', '--temporal-restarts', '1', '--postgres-restarts', '1', '--smtp-restarts', '1'];
    let output = '';
    const code = await new Promise<number | null>((resolve) => {
      child = spawn(process.execPath, ['--import', 'tsx', 'bench/chaos/run.ts', ...args, '--fault-every-s', '6', '--timeout-s', String(RUN_LIMIT_S), '--json', json], {
        cwd: root,
        env: process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', resolve);
    });
    expect(code === 0 || code === 1, output).toBe(true);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { checks: CheckResult[] };
    const failed = report.checks.filter((check) => check.fails && check.count > 0).map((check) => `${check.name}: ${check.count} (${check.examples.join('; ')})`);
    expect(failed, output).toEqual([]);
    expect(report.checks.find((check) => check.name === 'decisions made by people')?.count).toBeGreaterThanOrEqual(60);
    expect(code).toBe(0);
  }, (RUN_LIMIT_S + 120) * 1000);
});
