import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase } from '../support/database';
import { startTestService, type TestService } from '../support/service';
import { actAs } from '../support/tokens';

/**
 * Schemathesis (PyPI, pinned; installed into .tools/ by `npm ci` and .ci/run) generates requests
 * from the served OpenAPI document, valid and invalid, and runs all its checks on the answers:
 * no server error, every status and content type documented, every body matching its schema,
 * invalid input refused and valid input accepted, 401 without a token, 405 for other methods.
 * The service answers as an ORPG member, who may call every operation.
 */
const schemathesis = process.env.SCHEMATHESIS_PATH ?? path.resolve(__dirname, '../../.tools/bin/schemathesis');
/**
 * Random examples per operation (fuzzing), then sequences of calls (stateful): under two minutes
 * on two busy cores. The coverage phase (every constraint's boundaries, and methods a path does not
 * have) takes over two minutes on its own there: the README's command runs it by hand.
 */
const phases = 'fuzzing,stateful';
const maxExamples = 15;
const seed = Number(process.env.SCHEMATHESIS_SEED ?? 20261202);

const root = path.resolve(__dirname, '../..');
/** The whole output, for reading while it runs and after. */
const logFile = path.join(root, 'test-artifacts', 'schemathesis.log');
let child: ChildProcess | undefined;

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  return new Promise((resolve, reject) => {
    child = spawn(command, args, { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      log.write(chunk);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => {
      log.end();
      resolve({ code, output });
    });
  });
}

describe('the API against its own OpenAPI document (schemathesis)', () => {
  let service: TestService;
  let token: string;

  beforeAll(async () => {
    service = await startTestService({ databaseUrl: await createMigratedDatabase() });
    ({ token } = await actAs(service, 'schemathesis.orpg@example.org', ['orpg']));
  });
  afterAll(async () => {
    if (child?.exitCode === null) child.kill();
    await service?.destroy();
  });

  it('finds no failure with all its checks', { timeout: 600_000 }, async () => {
    expect(existsSync(schemathesis), `${schemathesis}: run npm ci (it installs schemathesis into .tools/) or set SCHEMATHESIS_PATH`).toBe(true);
    const started = Date.now();
    const { code, output } = await run(schemathesis, [
      'run',
      `${service.url}/api/openapi.json`,
      '--checks', 'all',
      '--header', `Authorization: Bearer ${token}`,
      '--phases', phases,
      '--max-examples', String(maxExamples),
      '--seed', String(seed),
      '--workers', '2',
      '--no-color',
    ]);
    const seconds = (Date.now() - started) / 1000;
    const summary = /(\d+) generated, (\d+) passed/.exec(output);
    console.log(`schemathesis ran for ${seconds.toFixed(0)} s: ${summary?.[0] ?? 'no summary'} (whole output in ${logFile})`);
    expect(code, output.slice(-20_000)).toBe(0);
    expect(output, output.slice(-20_000)).not.toMatch(/\d+ failures?\b/);
    expect(Number(summary?.[1]), 'cases generated').toBeGreaterThan(200);
    expect(summary?.[2], 'every case passed').toBe(summary?.[1]);
  });
});
