import { existsSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { BusinessCalendar } from '../../activities/calendar';
import { searchAttributes } from '../../workflows/improvement/definitions';
import { ActivityRecorder, createStubActivities } from './activity-recorder';
import { Improvement, type ImprovementOverrides } from './improvement-journey';

/** TEMPORAL_TEST_SERVER_PATH, else the project's .tools venv; undefined lets the SDK download it. */
export function findTestServer(): string | undefined {
  const configured = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`TEMPORAL_TEST_SERVER_PATH: no file at ${configured}`);
    return configured;
  }
  const installed = path.join(__dirname, '..', '..', '.tools', 'bin', 'temporal-test-server');
  return existsSync(installed) ? installed : undefined;
}

/** The native time-skipping test server: its clock runs as usual and jumps when a test skips time or awaits a result. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const server = findTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping(server ? { server: { executable: { type: 'existing-path', path: server } } } : {});
  // The workflows upsert their search attributes; the test server knows only those registered.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.values(searchAttributes).map((key) => [key.name, indexedValueTypes[key.type]])),
  });
  return env;
}

const indexedValueTypes = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const;

/** A calendar in UTC with no holidays, for tests that are not about holidays. */
export const plainCalendar: BusinessCalendar = { timeZone: 'UTC', holidays: [] };

/** One test's worker (the real workflows, stub activities) and what it recorded. */
export class SimulatedWorld {
  readonly recorder = new ActivityRecorder();
  /** The organisation's calendar the stub activities count business days in; a test may change it. */
  calendar: BusinessCalendar = plainCalendar;

  constructor(
    readonly env: TestWorkflowEnvironment,
    readonly taskQueue: string,
  ) {}

  /** Submits a proposal: starts the improvement's workflow as the API does. */
  async submit(overrides: ImprovementOverrides = {}): Promise<Improvement> {
    return Improvement.start(this, overrides);
  }

  /** Moves simulated time on by `ms`; timers due in between fire. */
  skip(ms: number): Promise<void> {
    return this.env.sleep(ms);
  }

  /** Moves simulated time to just past `instant`. */
  async skipPast(instant: Date): Promise<void> {
    const ms = instant.getTime() - (await this.env.currentTimeMs()) + 1_000;
    if (ms > 0) await this.env.sleep(ms);
  }

  async now(): Promise<Date> {
    return new Date(await this.env.currentTimeMs());
  }
}

/**
 * Returns `simulate(test)`: runs the test against its own time-skipping server, with its own
 * worker (the real workflows, stub activities) and recorder. A server per test, because the
 * server's clock is shared: a workflow left over from one test would hold time still for the
 * next (the test server keeps time locked for a workflow task terminated before it completed).
 */
export function useTimeSkipping() {
  return async function simulate(test: (world: SimulatedWorld) => Promise<void>): Promise<void> {
    const env = await startTimeSkippingServer();
    try {
      const world = new SimulatedWorld(env, 'improvements');
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: world.taskQueue,
        // The bundle of workflows/index.ts, the worker's workflowsPath, built once per run.
        workflowBundle: { codePath: inject('workflowBundlePath') },
        activities: createStubActivities(world.recorder, () => world.calendar),
      });
      await worker.runUntil(() => test(world));
    } finally {
      await env.teardown();
    }
  };
}
