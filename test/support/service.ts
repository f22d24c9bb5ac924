import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { MailInbox } from '../../embedded/inbox';
import type { Logger } from '../../log';
import { type RunningService, startService } from '../../start';
import { silentLogger } from './logger';

export const testAdminToken = 'test-admin-token-0123456789';

/** The whole service, in-process, against the run's Temporal server and a real SMTP receiver. */
export interface TestService extends RunningService {
  inbox: MailInbox;
  dataDir: string;
  taskQueue: string;
  /** Calls the API as the admin; JSON in, status and JSON out. */
  call(method: string, pathname: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  /** Stops the service and removes its files. */
  destroy(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  body: any;
  headers: Headers;
}

export interface TestServiceOptions {
  /** A database URL; omit for embedded PostgreSQL under dataDir. */
  databaseUrl?: string;
  /** Reuse a data directory (restart tests); a fresh one otherwise. */
  dataDir?: string;
  /** Reuse a task queue (restart tests); a fresh one otherwise. */
  taskQueue?: string;
  /** Reuse an inbox (restart tests); a fresh one otherwise. */
  inbox?: MailInbox;
  env?: NodeJS.ProcessEnv;
  /** Where the service logs (tests that read the logs pass their own). */
  logger?: Logger;
}

export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'opf-service-'));
  const inbox = options.inbox ?? new MailInbox(path.join(dataDir, 'received-mail'));
  if (!options.inbox) await inbox.start(0);
  const taskQueue = options.taskQueue ?? `opf-test-${randomBytes(4).toString('hex')}`;
  const running = await startService(
    {
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      SMTP_URL: inbox.smtpUrl,
      ADMIN_TOKEN: testAdminToken,
      APP_SECRET: 'test-app-secret-0123456789-0123456789',
      LOG_LEVEL: 'error',
      // Tests click through many pages a minute from one address; the limit has its own test.
      DECISION_RATE_LIMIT: '100000',
      ...options.env,
    },
    { logger: options.logger ?? silentLogger, workflowBundle: { codePath: inject('workflowBundlePath') } },
  );
  const call = createCaller(running.url, running.adminToken);
  return {
    ...running,
    inbox,
    dataDir,
    taskQueue,
    call,
    async destroy() {
      await running.stop();
      if (!options.inbox) await inbox.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Something that calls the API: a test service, or an API server a test started itself. */
export type ApiClient = Pick<TestService, 'call'>;

/** Calls the API at `url` as the admin; JSON in, status and JSON out. */
export function createCaller(url: string, adminToken: string): TestService['call'] {
  return async (method, pathname, body, headers = {}) => {
    const response = await fetch(`${url}${pathname}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
}

/** Polls until `check` returns a value that is not undefined, or fails after the timeout. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
