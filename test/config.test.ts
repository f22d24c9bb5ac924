import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';

const root = path.join(__dirname, '..');

describe('configuration', () => {
  it('uses safe defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.TEMPORAL_NAMESPACE).toBe('default');
    expect(config.TEMPORAL_TASK_QUEUE).toBe('opf-pipeline');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.dataDir).toBe(path.resolve('data'));
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'not a url' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'http://temporal:7233' }],
    ['SMTP_URL', { SMTP_URL: 'mail.example.org' }],
    ['APP_SECRET', { APP_SECRET: 'short' }],
    ['ADMIN_TOKEN', { ADMIN_TOKEN: 'short' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
  ])('a bad %s stops start-up with a message naming it', (name, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}: `));
  });

  it('the separate api process requires the services that only the all-in-one start embeds', () => {
    expect(() => loadConfig({}, 'api')).toThrow(/DATABASE_URL: required for `npm run api`/);
    expect(() => loadConfig({}, 'api')).toThrow(/TEMPORAL_ADDRESS: required for `npm run api`/);
    expect(() => loadConfig({}, 'worker')).toThrow(/SMTP_URL: required for `npm run worker`/);
  });

  it('a process started with a bad setting exits non-zero and says which setting', () => {
    const result = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['api/server.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: '-1', DATABASE_URL: 'postgresql://x@127.0.0.1:1/x', TEMPORAL_ADDRESS: 'localhost:1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('OPF Pipeline could not start.');
    expect(result.stderr).toMatch(/PORT: /);
  });
});
