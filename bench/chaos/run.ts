import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MailInbox } from '../../embedded/inbox';
import { type CheckResult, runChecks } from './checks';
import { type ChaosOptions, cleanUp, drive, type DriveResult, query } from './drive';
import { until } from './supervisor';

const usage = `npm run chaos -- [--lifecycles N] [--worker-kills K] [--api-kills A] [--temporal-restarts 1]
  [--postgres-restarts 1] [--smtp-restarts 1] [--fault-every-s S] [--outage-s 3] [--timeout-s T] [--json out.json] [--keep]`;

function parseOptions(argv: string[]): Omit<ChaosOptions, 'dir' | 'log'> & { json?: string; keep: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      lifecycles: { type: 'string', default: '4' },
      'worker-kills': { type: 'string', default: '2' },
      'api-kills': { type: 'string', default: '1' },
      'temporal-restarts': { type: 'string', default: '1' },
      'postgres-restarts': { type: 'string', default: '1' },
      'smtp-restarts': { type: 'string', default: '1' },
      'fault-every-s': { type: 'string', default: '8' },
      'outage-s': { type: 'string', default: '3' },
      'timeout-s': { type: 'string', default: '600' },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const count = (name: keyof typeof values, min = 0) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name}: must be a whole number of at least ${min}\n${usage}`);
    return value;
  };
  return {
    lifecycles: count('lifecycles', 1),
    workerKills: count('worker-kills'),
    apiKills: count('api-kills'),
    temporalRestarts: count('temporal-restarts'),
    postgresRestarts: count('postgres-restarts'),
    smtpRestarts: count('smtp-restarts'),
    faultEverySeconds: count('fault-every-s', 1),
    outageSeconds: count('outage-s'),
    timeoutSeconds: count('timeout-s', 30),
    json: values.json,
    keep: values.keep ?? false,
  };
}

/** Waits (within the deadline) until the outbox has sent every row and the receiver caught each. */
async function settle(result: DriveResult, deadline: number): Promise<void> {
  const { databaseUrl } = result.components.settings;
  const inbox = new MailInbox(result.components.mailDir);
  await until(
    async () => {
      const rows = await query<{ notification_key: string; status: string }>(databaseUrl, 'SELECT notification_key, status FROM notification WHERE improvement_id = ANY($1::uuid[])', [
        result.improvementIds,
      ]);
      const caught = new Set((await inbox.list()).map((message) => message.notificationKey));
      return rows.every((row) => row.status === 'sent' && caught.has(row.notification_key));
    },
    Math.max(1_000, deadline - Date.now()),
    'the outbox to drain',
  ).catch(() => undefined);
}

function printSummary(checks: CheckResult[], result: DriveResult, log: (line: string) => void): void {
  const width = Math.max(...checks.map((c) => c.name.length));
  log('');
  log(`${'check'.padEnd(width)}  count  result`);
  for (const c of checks) log(`${c.name.padEnd(width)}  ${String(c.count).padStart(5)}  ${c.fails ? (c.count === 0 ? 'ok' : 'FAIL') : 'info'}`);
  for (const c of checks.filter((c) => c.fails && c.count > 0)) {
    log(`\n${c.name}:`);
    for (const example of c.examples) log(`  ${example}`);
  }
  const injected = result.faults.filter((f) => f.injectedAtS !== undefined).length;
  log(`\n${result.improvementIds.length} lifecycles, ${injected}/${result.faults.length} faults injected, ${result.elapsedS.toFixed(0)}s`);
}

let runDir: { path: string; keep: boolean } | undefined;

/** Stops every process of the run and removes its directory (unless kept). */
function finish(): void {
  cleanUp();
  if (runDir && !runDir.keep) rmSync(runDir.path, { recursive: true, force: true });
  runDir = undefined;
}

/** Runs the chaos test: components, lifecycles, people and faults; prints the checks; exits non-zero on any failure. */
export async function main(argv: string[], log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const options = parseOptions(argv);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opf-chaos-'));
  runDir = { path: dir, keep: options.keep };
  const startedAt = Date.now();
  try {
    const result = await drive({ ...options, dir, log });
    await settle(result, Math.min(startedAt + options.timeoutSeconds * 1000, Date.now() + 60_000));
    const checks = await runChecks(result);
    printSummary(checks, result, log);
    if (options.json) {
      const { people, faults, improvementIds, closedAtS, elapsedS } = result;
      writeFileSync(options.json, JSON.stringify({ options, elapsedS, closedAtS, improvementIds, faults, checks, decisions: people.attempts }, null, 2));
    }
    if (options.keep) log(`run directory kept: ${dir}`);
    return checks.some((c) => c.fails && c.count > 0) ? 1 : 0;
  } finally {
    finish();
  }
}

if (require.main === module) {
  process.on('exit', finish);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      process.stderr.write(`${signal}: stopping every process of the chaos run\n`);
      finish();
      process.exit(130);
    });
  }
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      finish();
      process.exit(2);
    },
  );
}
