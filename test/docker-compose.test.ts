import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requiredSettings, settingNames } from '../config';
import { searchAttributes } from '../workflows/improvement/definitions';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
}

// No Docker engine runs where the tests run, so this checks what `docker compose` would be given.
const compose = parse(readFileSync(path.join(__dirname, '..', 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

describe('docker-compose.yml', () => {
  it('runs the app as separate api and worker services built from this repository', () => {
    expect(compose.services.api?.command).toEqual(['node', '--import', 'tsx', 'api/server.ts']);
    expect(compose.services.worker?.command).toEqual(['node', '--import', 'tsx', 'worker.ts']);
    expect(compose.services.api?.build).toBe('.');
    expect(compose.services.worker?.build).toBe('.');
  });

  it('gives the app only settings it reads, and every setting each role requires', () => {
    for (const [name, role] of [['api', 'api'], ['worker', 'worker']] as const) {
      const environment = Object.keys(compose.services[name]?.environment ?? {});
      expect(environment.filter((key) => !(settingNames as string[]).includes(key)), name).toEqual([]);
      expect(environment, name).toEqual(expect.arrayContaining(requiredSettings(role)));
    }
  });

  it('lets the worker scale: it publishes no port', () => {
    expect(compose.services.worker?.ports).toBeUndefined();
  });

  it('pins every image to a version', () => {
    const images = Object.values(compose.services).flatMap((service) => (service.image ? [service.image] : []));
    expect(images.length).toBeGreaterThanOrEqual(5);
    for (const image of images) expect(image).toMatch(/^[\w./-]+:v?\d+(\.\d+)+$/);
  });

  it('provides PostgreSQL, Temporal persisting to it, its Web UI and Mailpit', () => {
    expect(compose.services.postgresql?.image).toMatch(/^postgres:/);
    expect(compose.services.temporal?.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(compose.services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(compose.services.mailpit?.image).toMatch(/^axllent\/mailpit:/);
    expect(compose.services.api?.environment?.SMTP_URL).toBe('smtp://mailpit:1025');
  });

  it('registers every custom search attribute the workflows use', () => {
    const setup = [compose.services['temporal-setup']?.command ?? []].flat().join(' ');
    for (const key of Object.values(searchAttributes)) expect(setup).toContain(`--name ${key.name} --type Keyword`);
  });
});
