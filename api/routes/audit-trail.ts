import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../prisma/database';
import { toCsv } from '../../reports/csv';
import { allow } from '../auth';
import { parse } from '../errors';

export const auditQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  actor: z.string().max(320).optional(),
  action: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
  format: z.enum(['json', 'csv']).default('json'),
});

/** The append-only audit trail, for the ORPG and auditors; exportable as CSV. */
export function auditRoutes({ db }: { db: Database }): Router {
  const router = Router();

  router.get('/', allow('audit:read'), async (req, res) => {
    const query = parse(auditQuery, req.query, 'query');
    const entries = await db.auditEntry.findMany({
      where: {
        ...(query.from || query.to ? { at: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lt: new Date(query.to) } : {}) } } : {}),
        ...(query.actor ? { actor: query.actor.toLowerCase() } : {}),
        ...(query.action ? { action: query.action } : {}),
      },
      orderBy: { at: 'asc' },
      take: query.limit,
    });
    const rows = entries.map((entry) => ({
      at: entry.at.toISOString(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      outcome: entry.outcome,
      details: JSON.stringify(entry.details),
      requestId: entry.requestId,
    }));
    if (query.format === 'csv') {
      res.type('text/csv').attachment('opf-audit-trail.csv').send(toCsv(rows));
      return;
    }
    res.json({ items: rows.map((row) => ({ ...row, details: JSON.parse(row.details) as unknown })) });
  });

  return router;
}
