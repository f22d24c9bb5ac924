import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';

const root = path.join(__dirname, '..');

describe('configuration', () => {
  it('uses safe defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe('127.0.0.1');
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

  it.each(['ADMIN_TOKEN', 'APP_SECRET'] as const)('refuses .env.example\'s placeholder %s, saying how to generate a real one', (name) => {
    const example = readFileSync(path.join(root, '.env.example'), 'utf8');
    const placeholder = new RegExp(`^${name}=(.*)$`, 'm').exec(example)?.[1];
    expect(placeholder).toBeTruthy();
    expect(() => loadConfig({ [name]: placeholder })).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}: is a placeholder`));
    expect(() => loadConfig({ [name]: placeholder })).toThrow(/openssl rand -hex 32/);
    expect(() => loadConfig({ [name]: 'Change-Me-Please-0123456789abcdef0123456789' })).toThrow(new RegExp(`${name}: is a placeholder`));
    expect(loadConfig({ [name]: 'f3a9c1d27b6e45a08d1c9e7f2b4a6c8d' })[name]).toBe('f3a9c1d27b6e45a08d1c9e7f2b4a6c8d');
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

describe('business configuration', () => {
  it('blocks self-approval on the deciding steps by default, and nowhere when set empty', () => {
    expect(loadConfig({}).selfApprovalBlockedSteps).toEqual(['review', 'score', 'steering', 'plan-approval', 'pilot-approval', 'pilot-decision', 'waiver', 'lessons-confirm']);
    expect(loadConfig({ SELF_APPROVAL_BLOCKED_STEPS: '' }).selfApprovalBlockedSteps).toEqual([]);
    expect(() => loadConfig({ SELF_APPROVAL_BLOCKED_STEPS: 'review,approve-everything' })).toThrow(/^Invalid configuration:\n {2}SELF_APPROVAL_BLOCKED_STEPS: must be comma-separated step names/);
  });

  it('reads the business calendar: time zone and holidays', () => {
    expect(loadConfig({ BUSINESS_TIMEZONE: 'Europe/Berlin', BUSINESS_HOLIDAYS: '2026-12-25, 2026-12-26' }).calendar).toEqual({
      timeZone: 'Europe/Berlin',
      holidays: ['2026-12-25', '2026-12-26'],
    });
    expect(() => loadConfig({ BUSINESS_TIMEZONE: 'Mars/Olympus' })).toThrow(/BUSINESS_TIMEZONE: must be an IANA time zone/);
    expect(() => loadConfig({ BUSINESS_HOLIDAYS: '25/12/2026' })).toThrow(/BUSINESS_HOLIDAYS: must be comma-separated YYYY-MM-DD dates/);
    expect(() => loadConfig({ STEP_DUE: '5 days' })).toThrow(/STEP_DUE: must be a duration such as 5bd/);
  });
});
