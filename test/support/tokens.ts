import { expect } from 'vitest';
import { type ApiClient, createCaller, type TestService } from './service';

/** Registers a person (if needed) and returns an API client that acts as them, with their own token. */
export async function actAs(service: TestService, email: string, roles: string[] = ['staff'], extra: Record<string, unknown> = {}): Promise<ApiClient & { token: string }> {
  const person = await service.call('POST', '/api/people', { email, name: email.split('@')[0], roles, ...extra });
  expect([200, 201], JSON.stringify(person.body)).toContain(person.status);
  const issued = await service.call('POST', `/api/people/${email}/tokens`, { name: 'test' });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  expect(issued.body.token).toMatch(/^opf_[\w-]{43}$/);
  const token = issued.body.token as string;
  return { call: createCaller(service.url, token), token };
}
