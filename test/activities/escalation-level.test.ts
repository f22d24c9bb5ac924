import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbActivities } from '../../activities/db';
import { createDatabase, type Database } from '../../prisma/database';
import { createMigratedDatabase } from '../support/database';
import { improvementSnapshot } from '../support/improvement-snapshot';

const timing = { due: '5bd', remindBefore: '1bd', escalateAfter: '2bd' };

/** What the lifecycle workflow records while its own tasks are none: the units' deployment tasks are theirs. */
const stateWithoutOwnTasks = (id: string) => improvementSnapshot(id, 'Escalation covers deployments', 'deployment');

describe("an improvement's escalation level", () => {
  let db: Database;
  let activities: ReturnType<typeof createDbActivities>;
  const improvementId = randomUUID();
  const workflowId = `improvement-${improvementId}`;

  beforeAll(async () => {
    db = createDatabase(await createMigratedDatabase(), 2);
    activities = createDbActivities({ db, calendar: { timeZone: 'UTC', holidays: [] } });
    await activities.recordImprovement({ workflowId, state: stateWithoutOwnTasks(improvementId) });
  });
  afterAll(() => db?.$disconnect());

  const level = async () => (await db.improvement.findUniqueOrThrow({ where: { id: improvementId } })).escalationLevel;

  it("rises when a unit's adoption task is escalated to management, and stays while the lifecycle records its own state", async () => {
    const adoption = randomUUID();
    await activities.openTask({ id: adoption, improvementId, workflowId: `${workflowId}-unit`, step: 'adoption', assignee: 'claims.manager@example.org', unitId: 'claims', timing });

    await activities.escalateTask({ taskId: adoption, level: 2 });
    expect(await level()).toBe(2);
    await activities.recordImprovement({ workflowId, state: stateWithoutOwnTasks(improvementId) });
    expect(await level()).toBe(2);

    await activities.closeTask({ taskId: adoption, status: 'decided', outcome: 'adopt', decidedBy: 'claims.manager@example.org', channel: 'api' });
    expect(await level()).toBe(0);
  });

  it('is the highest among the open tasks', async () => {
    const [waiver, adoption] = [randomUUID(), randomUUID()];
    for (const [id, unitId] of [[waiver, 'payments'], [adoption, 'claims']] as const) {
      await activities.openTask({ id, improvementId, workflowId: `${workflowId}-${unitId}`, step: 'adoption', assignee: 'manager@example.org', unitId, timing });
    }
    await activities.escalateTask({ taskId: waiver, level: 1 });
    await activities.escalateTask({ taskId: adoption, level: 2 });
    await activities.closeTask({ taskId: adoption, status: 'cancelled' });

    expect(await level()).toBe(1);
  });
});
