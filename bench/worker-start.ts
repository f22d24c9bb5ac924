// Measures how long a worker takes from process start to polling, as after a crash: RUNS times
// bundling workflows/ at start (WORKFLOW_BUNDLE=bundle), RUNS times with the prebuilt bundle.
// Prints medians; exits non-zero when the prebuilt start misses FLOOR_MS or is not faster.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../embedded/postgres';
import { startEmbeddedTemporal } from '../embedded/temporal';
import { buildWorkflowBundle, freshPrebuiltBundle } from '../workflow-bundle';

const root = path.join(__dirname, '..');

interface Start {
  wallMs: number;
  reportedMs: number;
  bundle: string;
}

async function startOnce(env: NodeJS.ProcessEnv): Promise<Start> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    return await new Promise<Start>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`worker not polling after 180 s:\n${output}`)), 180_000);
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${output}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((candidate) => candidate.includes('"worker polling"'));
        if (!line) return;
        clearTimeout(timer);
        const logged = JSON.parse(line) as { startToPollingMs: number; workflowBundle: string };
        resolve({ wallMs: performance.now() - startedAt, reportedMs: logged.startToPollingMs, bundle: logged.workflowBundle });
      });
    });
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function series(label: string, env: NodeJS.ProcessEnv, runs: number): Promise<number> {
  const starts: Start[] = [];
  for (let run = 0; run < runs; run += 1) starts.push(await startOnce(env));
  const reported = median(starts.map((start) => start.reportedMs));
  console.log(
    `${label}: median start-to-polling ${seconds(reported)} (logged by the worker; wall clock from spawn ${seconds(median(starts.map((start) => start.wallMs)))}; runs: ${starts.map((start) => seconds(start.reportedMs)).join(', ')}; bundle: ${starts[0]?.bundle})`,
  );
  return reported;
}

async function main(): Promise<void> {
  const runs = Number(process.env.RUNS ?? 3);
  const floorMs = Number(process.env.FLOOR_MS ?? 10_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opf-bench-worker-'));
  const postgres = await startEmbeddedPostgres(path.join(dir, 'postgres'), randomBytes(32).toString('hex'));
  const temporal = await startEmbeddedTemporal({ namespace: 'default', cliPath: process.env.TEMPORAL_CLI_PATH });
  try {
    if (!freshPrebuiltBundle()) await buildWorkflowBundle();
    const env = {
      ...process.env,
      DATABASE_URL: postgres.url,
      DATABASE_POOL_MAX: '1',
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'opf-bench-worker-start',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      PUBLIC_URL: 'http://localhost:3000',
      LOG_LEVEL: 'info',
    };
    const bundled = await series('before (bundles workflows/ at start)', { ...env, WORKFLOW_BUNDLE: 'bundle' }, runs);
    const prebuilt = await series('after (prebuilt .workflow-bundle/)  ', { ...env, WORKFLOW_BUNDLE: 'prebuilt' }, runs);
    console.log(`floor: ${seconds(floorMs)}; prebuilt is ${(bundled / prebuilt).toFixed(1)}x faster`);
    if (prebuilt > floorMs || prebuilt >= bundled) {
      console.error('worker start-to-polling with the prebuilt bundle misses the floor or is not faster');
      process.exitCode = 1;
    }
  } finally {
    await temporal.stop();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
