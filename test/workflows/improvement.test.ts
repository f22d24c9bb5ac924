import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MailInbox } from '../../embedded/inbox';
import { createDatabase, type Database } from '../../prisma/database';
import {
  getStatusQuery,
  improvementWorkflowId,
  withdrawUpdate,
  type ImprovementInput,
} from '../../workflows/improvement/definitions';
import { createWorker } from '../../worker';
import { createMigratedDatabase } from '../support/database';

describe('improvementLifecycle', () => {
  const taskQueue = `wf-${randomUUID()}`;
  const inbox = new MailInbox(mkdtempSync(path.join(os.tmpdir(), 'opf-wf-mail-')));
  let db: Database;
  let client: Client;
  let nativeConnection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    await inbox.start(0);
    db = createDatabase(await createMigratedDatabase(), 4);
    nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
    worker = await createWorker({
      config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, MAIL_FROM: 'opf@test', publicUrl: 'http://opf.test' },
      connection: nativeConnection,
      db,
      smtpUrl: inbox.smtpUrl,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    running = worker.run();
    client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await client.connection.close();
    await db.$disconnect();
    await inbox.stop();
  });

  function start(): Promise<{ input: ImprovementInput; handle: ReturnType<Client['workflow']['getHandle']> }> {
    const input: ImprovementInput = {
      id: randomUUID(),
      title: 'Shorten recovery drills',
      description: 'Drills take a full day.',
      proposerEmail: 'proposer@example.org',
    };
    return client.workflow
      .start('improvementLifecycle', { workflowId: improvementWorkflowId(input.id), taskQueue, args: [input] })
      .then((handle) => ({ input, handle }));
  }

  it('when the proposer withdraws with a reason, the improvement ends as withdrawn, recorded in the database', async () => {
    const { input, handle } = await start();
    const state = await handle.executeUpdate(withdrawUpdate, {
      args: [{ actor: 'proposer@example.org', reason: 'Superseded by the new drill policy' }],
    });
    expect(state).toMatchObject({ stage: 'withdrawn', status: 'withdrawn' });
    expect(await handle.result()).toMatchObject({ status: 'withdrawn' });

    const row = await db.improvement.findUniqueOrThrow({ where: { id: input.id }, include: { events: { orderBy: { at: 'asc' } } } });
    expect(row.status).toBe('withdrawn');
    expect(row.events.map((event) => event.action)).toEqual(['submitted', 'awaiting ORPG review', 'withdrawn']);
    expect(row.events[2]?.comment).toBe('Superseded by the new drill policy');
    const notifications = await db.notification.findMany({ where: { improvementId: input.id } });
    expect(notifications).toMatchObject([{ kind: 'acknowledgement', status: 'sent', recipient: 'proposer@example.org' }]);
  });

  it('a withdrawal without a reason is refused and changes nothing', async () => {
    const { handle } = await start();
    await expect(handle.executeUpdate(withdrawUpdate, { args: [{ actor: 'proposer@example.org', reason: ' ' }] })).rejects.toThrow(
      WorkflowUpdateFailedError,
    );
    const state = await handle.query(getStatusQuery);
    expect(state.status).toBe('active');
    await handle.terminate('test cleanup');
  });
});
