import type { Database } from '../prisma/database';
import type { ImprovementState } from '../workflows/improvement/definitions';
import {
  acceptanceRate,
  deploymentElapsed,
  elapsedByStage,
  type ImprovementFacts,
  implementationRate,
  issueTrend,
  scheduleStatus,
  shareBySource,
  type StageSpan,
  tailoringCounts,
  unitsOnCurrentVersion,
  waiversPerProcess,
} from './measures';

/** The facts the measures need, read from one improvement row of the read model. */
export function factsOf(row: { id: string; stage: string; status: string; source: string; process: string; createdAt: Date; updatedAt: Date; details: unknown }): ImprovementFacts {
  const details = (row.details ?? {}) as Partial<ImprovementState>;
  const actions = details.plan?.actions ?? [];
  const dueDates = actions.map((action) => Date.parse(action.due)).filter((time) => !Number.isNaN(time));
  const implemented = actions.length > 0 && actions.every((action) => action.completedAt);
  return {
    id: row.id,
    stage: row.stage,
    status: row.status,
    source: row.source,
    process: row.process,
    createdAt: row.createdAt,
    closedAt: row.status === 'active' ? undefined : row.updatedAt,
    planned: Boolean(details.plan) && !['planning', 'review', 'revision', 'prioritisation', 'deferred'].includes(row.stage),
    implemented: Boolean(implemented),
    plannedFinish: dueDates.length > 0 ? new Date(Math.max(...dueDates)) : undefined,
    units: (details.units ?? []).map((unit) => ({
      unitId: unit.unitId,
      status: unit.status,
      tailored: Boolean(unit.tailoring),
      waiverRequested: unit.status === 'waived' || unit.waiverRefusals > 0,
      waiverRefused: unit.waiverRefusals,
    })),
  };
}

/** Time spent in each stage, from the recorded stage transitions (event keys `n:from->to`). */
export function spansOf(events: { improvementId: string; eventKey: string; at: Date }[]): StageSpan[] {
  const spans: StageSpan[] = [];
  const open = new Map<string, StageSpan>();
  const ordered = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const event of ordered) {
    const transition = /:([\w-]+)->([\w-]+)$/.exec(event.eventKey);
    const key = event.improvementId;
    if (event.eventKey === 'submitted') {
      const span = { improvementId: key, stage: 'review', enteredAt: event.at };
      open.set(key, span);
      spans.push(span);
      continue;
    }
    if (!transition) continue;
    const current = open.get(key);
    if (current) current.leftAt = event.at;
    const next = { improvementId: key, stage: transition[2]!, enteredAt: event.at };
    open.set(key, next);
    spans.push(next);
  }
  return spans;
}

/** Every OPF GG2.GP8 measure over the whole read model. */
export async function computeMeasures(db: Database, now = new Date()) {
  const rows = await db.improvement.findMany({
    select: { id: true, stage: true, status: true, source: true, process: true, createdAt: true, updatedAt: true, details: true },
  });
  const facts = rows.map(factsOf);
  const events = await db.improvementEvent.findMany({
    where: { OR: [{ eventKey: 'submitted' }, { eventKey: { contains: '->' } }] },
    select: { improvementId: true, eventKey: true, at: true },
  });
  const spans = spansOf(events);
  const from = new Date(now.getTime() - 180 * 86_400_000);
  return {
    computedAt: now.toISOString(),
    improvements: facts.length,
    acceptance: acceptanceRate(facts),
    implementation: implementationRate(facts),
    sources: shareBySource(facts),
    elapsedByStage: elapsedByStage(spans),
    deployment: deploymentElapsed(spans),
    schedule: scheduleStatus(facts, now),
    unitsOnCurrentVersion: unitsOnCurrentVersion(facts),
    waivers: waiversPerProcess(facts),
    tailoring: tailoringCounts(facts),
    trend: issueTrend(facts, { from, to: now, bucket: 'month' }),
  };
}

export type Measures = Awaited<ReturnType<typeof computeMeasures>>;
