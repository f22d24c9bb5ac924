import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/** How to start one long-running process, and how to tell it is ready. */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  /** Its output goes here, appended across restarts. */
  logFile: string;
  /** Resolves once the process serves; rejects after its own deadline. */
  ready: (output: () => string) => Promise<void>;
}

const everyChild = new Set<ChildProcess>();

/** Kills every process any supervisor started; safe to call from an exit handler. */
export function killEveryChild(): void {
  for (const child of everyChild) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/**
 * One process kept running as a service manager would: started, restarted when it dies on its
 * own (a worker that cannot reach the database at boot exits, and comes back), killed on demand.
 */
export class Supervised {
  private child?: ChildProcess;
  private output = '';
  private stopped = true;
  private readonly log: WriteStream;
  /** Unplanned exits, each restarted. */
  crashes = 0;

  constructor(readonly spec: ProcessSpec) {
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and waits until it is ready. */
  async start(): Promise<void> {
    this.stopped = false;
    this.spawn();
    await this.spec.ready(() => this.output);
  }

  private spawn(): void {
    this.output = '';
    const child = spawn(this.spec.command, this.spec.args, { cwd: this.spec.cwd, env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    everyChild.add(child);
    this.child = child;
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-200_000);
      this.log.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code, signal) => {
      everyChild.delete(child);
      this.log.write(`\n[chaos] ${this.spec.name} exited (code ${code}, signal ${signal})\n`);
      if (this.child !== child || this.stopped) return;
      this.crashes += 1;
      setTimeout(() => {
        if (this.child === child && !this.stopped) this.spawn();
      }, 500).unref();
    });
  }

  /** Kills the process with `signal` and waits for it to exit; it stays down until started. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(force);
  }

  /** Kills then starts again, waiting until ready. */
  async restart(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.kill(signal);
    await this.start();
  }

  close(): void {
    this.log.end();
  }
}

/** Waits for a line in the output, polling until the deadline. */
export function outputContains(text: string, timeoutMs: number): ProcessSpec['ready'] {
  return (output) => until(() => output().includes(text), timeoutMs, `"${text}" in the output`);
}

/** Polls `check` every 200 ms until it holds; fails naming `what` after the timeout. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Runs a benchmark's `main` as the command line: its exit code, 2 with the message when it throws,
 * and every child process killed on SIGINT, SIGTERM or failure.
 */
export function runAsCommand(main: (argv: string[]) => Promise<number>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (killEveryChild(), process.exit(130)));
  main(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    killEveryChild();
    process.exit(2);
  });
}
