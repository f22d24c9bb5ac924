import type { Database } from '../prisma/database';
import { stableUuid } from '../tokens';

export interface DelegatedTask {
  taskId: string;
  workflowId: string;
}

const onceId = stableUuid;

/** What the delegation workflow reads and records [out of office]. */
export function createDelegationActivities({ db }: { db: Database }) {
  return {
    /** The person's open tasks, when their delegation is (still) in force; none once it was cancelled. */
    async openTasksToDelegate({ delegationId }: { delegationId: string }): Promise<DelegatedTask[]> {
      const delegation = await db.delegation.findUnique({ where: { id: delegationId } });
      const now = new Date();
      if (!delegation || delegation.cancelledAt || delegation.endsAt <= now) return [];
      const tasks = await db.task.findMany({ where: { assignee: delegation.personEmail, status: 'open' } });
      return tasks.map((task) => ({ taskId: task.id, workflowId: task.workflowId }));
    },

    /**
     * When a delegation ends (its last day passes or it is cancelled): the open tasks the delegate
     * still holds for the person, which go back to the person (none while another delegation to the
     * same delegate is in force). Records the end in the audit trail once.
     */
    async delegatedTasksToReturn({ delegationId }: { delegationId: string }): Promise<DelegatedTask[]> {
      const delegation = await db.delegation.findUnique({ where: { id: delegationId } });
      if (!delegation) return [];
      const now = new Date();
      const stillCovered = await db.delegation.count({
        where: { id: { not: delegationId }, personEmail: delegation.personEmail, delegateEmail: delegation.delegateEmail, cancelledAt: null, startsAt: { lte: now }, endsAt: { gt: now } },
      });
      const tasks = stillCovered > 0 ? [] : await db.task.findMany({
        where: { assignee: delegation.delegateEmail, onBehalfOf: delegation.personEmail, status: 'open' },
        orderBy: { createdAt: 'asc' },
      });
      await db.auditEntry.createMany({
        data: [
          {
            id: onceId(`delegation-ended:${delegationId}`),
            actor: 'system',
            action: 'delegation.end',
            target: delegation.personEmail,
            outcome: 'ok',
            details: { delegationId, delegate: delegation.delegateEmail, cancelled: delegation.cancelledAt !== null, returned: tasks.map((task) => task.id) },
          },
        ],
        skipDuplicates: true,
      });
      return tasks.map((task) => ({ taskId: task.id, workflowId: task.workflowId }));
    },
  };
}
