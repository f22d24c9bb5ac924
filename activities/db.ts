import type { Database } from '../prisma/database';
import type { HistoryEntry, ImprovementStage, ImprovementStatus } from '../workflows/improvement/definitions';

/** A snapshot of the improvement for the read model, and the history entry that caused it. */
export interface ImprovementRecord {
  improvement: {
    id: string;
    workflowId: string;
    title: string;
    description: string;
    proposerEmail: string;
    stage: ImprovementStage;
    status: ImprovementStatus;
  };
  event: HistoryEntry & { key: string };
}

/** Activities that keep the PostgreSQL read model in step with the workflow. */
export function createDbActivities({ db }: { db: Database }) {
  return {
    /** Upserts the improvement and appends its history entry once, keyed by the event key. */
    async recordImprovement({ improvement, event }: ImprovementRecord): Promise<void> {
      const { id, workflowId, title, description, proposerEmail, stage, status } = improvement;
      await db.$transaction([
        db.improvement.upsert({
          where: { id },
          create: { id, workflowId, title, description, proposerEmail, stage, status },
          update: { title, description, stage, status },
        }),
        db.improvementEvent.upsert({
          where: { improvementId_eventKey: { improvementId: id, eventKey: event.key } },
          create: {
            improvementId: id,
            eventKey: event.key,
            at: new Date(event.at),
            step: event.step,
            actor: event.actor,
            action: event.action,
            comment: event.comment ?? null,
          },
          update: {},
        }),
      ]);
    },
  };
}
