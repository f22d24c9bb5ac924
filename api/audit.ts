import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { Prisma } from '../generated/prisma/client';
import type { Database } from '../prisma/database';

/** One line of the append-only audit trail. */
export interface AuditRecord {
  action: string;
  target: string;
  outcome: 'ok' | 'received' | 'refused';
  details?: Record<string, unknown>;
  /** Who acted, when not the authenticated caller (e.g. a decision link's assignee). */
  actor?: string;
}

/** Appends to the audit trail who did (or tried) what to which thing, for this request. */
export async function audit(db: Pick<Database, 'auditEntry'>, req: Request, record: AuditRecord): Promise<void> {
  await db.auditEntry.create({
    data: {
      id: randomUUID(),
      actor: record.actor ?? req.caller?.email ?? `anonymous (${req.ip ?? 'unknown address'})`,
      action: record.action,
      target: record.target,
      outcome: record.outcome,
      details: (record.details ?? {}) as Prisma.InputJsonValue,
      requestId: typeof req.id === 'string' ? req.id : null,
    },
  });
}
