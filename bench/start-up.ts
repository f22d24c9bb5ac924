// Measures how long `npm start` takes to become ready on embedded defaults: first start on an
// empty DATA_DIR, then a restart on the same data. Prints figures; asserts nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../embedded/free-port';

const root = path.join(__dirname, '..');

async function timeToReady(dataDir: string): Promise<number> {
  const [port, uiPort] = await Promise.all([freePort(), freePort()]);
  const startedAt = performance.now();
  // Node itself, not the tsx wrapper: SIGTERM must reach the process that drains.
  const child = spawn(process.execPath, ['--import', 'tsx', 'start.ts'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), TEMPORAL_UI_PORT: String(uiPort), INBOX_SMTP_PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
      try {
        const response = await fetch(`http://localhost:${port}/readyz`);
        if (response.ok) return performance.now() - startedAt;
      } catch {
        // not listening yet
      }
      if (performance.now() - startedAt > 120_000) throw new Error('not ready after 120 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

async function main(): Promise<void> {
  const runs = Number(process.env.RUNS ?? 3);
  const first: number[] = [];
  const restart: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opf-bench-'));
    try {
      first.push(await timeToReady(dataDir));
      restart.push(await timeToReady(dataDir));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const format = (values: number[]) =>
    `median ${(median(values) / 1000).toFixed(2)} s (runs: ${values.map((value) => (value / 1000).toFixed(2)).join(', ')})`;
  console.log(`start-up to /readyz, empty DATA_DIR: ${format(first)}`);
  console.log(`start-up to /readyz, restart:        ${format(restart)}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
