import { builtinModules } from 'node:module';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
/** What a production install runs: `npm run api`, `npm run worker`, `npm run migrate`, `npm run build:workflows`. */
const entryPoints = ['api/server.ts', 'worker.ts', 'prisma/migrate.ts', 'workflow-bundle.ts'];

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Every source file the entry points load, and every package they import, as esbuild resolves them. */
async function importGraph(entry: string): Promise<{ files: string[]; packages: string[] }> {
  const result = await build({ entryPoints: [path.join(root, entry)], bundle: true, write: false, platform: 'node', packages: 'external', metafile: true, logLevel: 'silent' });
  const inputs = Object.entries(result.metafile.inputs);
  const packages = inputs.flatMap(([, input]) => input.imports.filter((imported) => imported.external && !imported.path.startsWith('.')).map((imported) => imported.path));
  const builtins = new Set(builtinModules);
  return {
    files: inputs.map(([file]) => file),
    packages: [...new Set(packages.map(packageName))].filter((name) => !name.startsWith('node:') && !builtins.has(name)),
  };
}

describe('a production install (npm ci --omit=dev)', () => {
  it.each(entryPoints)('%s loads only production dependencies and none of the embedded dev services', async (entry) => {
    const graph = await importGraph(entry);
    expect(graph.files.filter((file) => file.startsWith('embedded/'))).toEqual([]);
    expect(graph.packages.filter((name) => !(name in manifest.dependencies))).toEqual([]);
  });
});
