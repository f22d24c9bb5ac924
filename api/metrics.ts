import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../prisma/database';

/** Prometheus metrics for operators, read from the read model at each scrape. */
export function createMetrics(db: Database) {
  const registry = new Registry();
  new Gauge({
    name: 'opf_improvements',
    help: 'Improvements by stage and status',
    labelNames: ['stage', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const groups = await db.improvement.groupBy({ by: ['stage', 'status'], _count: { _all: true } });
      for (const group of groups) this.set({ stage: group.stage, status: group.status }, group._count._all);
    },
  });
  new Gauge({
    name: 'opf_overdue_tasks',
    help: 'Open tasks past their due time',
    registers: [registry],
    async collect() {
      this.set(await db.task.count({ where: { status: 'open', dueAt: { lt: new Date() } } }));
    },
  });
  new Gauge({
    name: 'opf_outbox_depth',
    help: 'Emails recorded in the outbox and not yet sent',
    registers: [registry],
    async collect() {
      this.set(await db.notification.count({ where: { status: 'pending' } }));
    },
  });
  new Gauge({
    name: 'opf_outbox_send_failures',
    help: 'Unsent emails whose last attempt failed',
    registers: [registry],
    async collect() {
      this.set(await db.notification.count({ where: { status: 'pending', lastError: { not: null } } }));
    },
  });
  const decisionLatency = new Histogram({
    name: 'opf_decision_latency_seconds',
    help: 'Time from a task opening to its decision being submitted',
    labelNames: ['step'],
    buckets: [60, 600, 3600, 4 * 3600, 86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400],
    registers: [registry],
  });
  const decisions = new Counter({ name: 'opf_decisions_total', help: 'Decisions submitted, by outcome of the hand-off', labelNames: ['result'], registers: [registry] });

  const route: RequestHandler = async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
  return {
    route,
    /** Called when a decision is handed to the workflow. */
    observeDecision: (step: string, taskOpenedAt: Date, result: 'applied' | 'received') => {
      decisionLatency.observe({ step }, (Date.now() - taskOpenedAt.getTime()) / 1000);
      decisions.inc({ result });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
