import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingNames } from '../config';
import { operations } from '../api/openapi';

const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

describe('the README stays true', () => {
  it.each(settingNames)('documents the setting %s in the configuration table', (name) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
  });

  it.each(operations.map((operation) => `${operation.method.toUpperCase()} ${operation.path.replace(/\{(\w+)\}/g, ':$1')}`))('mentions the route %s', (route) => {
    const [, pathname] = route.split(' ');
    expect(readme).toContain(pathname!.replace(/\/:(id|email)$/, ''));
  });
});
