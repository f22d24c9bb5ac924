// Builds the workflow bundle once (npm run build:workflows, run by postinstall) so that a worker
// starts polling in a second or two after a crash instead of bundling workflows/ at every start.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = __dirname;
/** Where the prebuilt bundle lives (git-ignored build output). */
export const workflowBundleDir = path.join(root, '.workflow-bundle');
const codePath = path.join(workflowBundleDir, 'workflows.js');
const fingerprintPath = path.join(workflowBundleDir, 'fingerprint.txt');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .sort();
}

/** What the bundle is built from: every file under workflows/ and the SDK's version. */
export function workflowSourceFingerprint(): string {
  const hash = createHash('sha256');
  const sdk = JSON.parse(readFileSync(require.resolve('@temporalio/workflow/package.json'), 'utf8')) as { version: string };
  hash.update(`@temporalio/workflow@${sdk.version}\n`);
  for (const file of filesUnder(path.join(root, 'workflows'))) {
    hash.update(`${path.relative(root, file)}\n`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

/** The prebuilt bundle, when there is one built from today's workflows/; otherwise undefined. */
export function freshPrebuiltBundle(): { codePath: string } | undefined {
  if (!existsSync(codePath) || !existsSync(fingerprintPath)) return undefined;
  return readFileSync(fingerprintPath, 'utf8').trim() === workflowSourceFingerprint() ? { codePath } : undefined;
}

/** Bundles workflows/ into .workflow-bundle/, replacing the files only once both are written. */
export async function buildWorkflowBundle(): Promise<string> {
  const fingerprint = workflowSourceFingerprint();
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: quietBundlerLogger });
  mkdirSync(workflowBundleDir, { recursive: true });
  writeFileSync(`${codePath}.tmp`, bundle.code);
  renameSync(`${codePath}.tmp`, codePath);
  writeFileSync(fingerprintPath, `${fingerprint}\n`);
  return codePath;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

if (require.main === module) {
  const startedAt = performance.now();
  buildWorkflowBundle()
    .then((built) => console.log(`opf-pipeline: workflow bundle written to ${path.relative(process.cwd(), built)} in ${Math.round(performance.now() - startedAt)} ms`))
    .catch((error: unknown) => {
      console.error('opf-pipeline: could not build the workflow bundle:', error);
      process.exit(1);
    });
}
