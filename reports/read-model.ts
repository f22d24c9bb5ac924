import type { Database } from '../prisma/database';
import type { ImprovementState } from '../workflows/improvement/definitions';
import { type ElapsedStats, scheduleStatus } from './measures/elapsed-time';
import type { ImprovementFacts } from './measures/facts';
import { issueTrend } from './measures/issue-trend';
import { type LibraryDeployment, libraryDeployment } from './measures/library-deployment';
import { type LibraryUptake, libraryUptake } from './measures/library-uptake';
import { tailoringCounts, unitsOnCurrentVersion, waiversPerProcess } from './measures/process-uptake';
import { acceptanceRate, implementationRate, shareBySource } from './measures/proposals';

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

interface FactRow extends Pick<ImprovementFacts, 'id' | 'stage' | 'status' | 'source' | 'process' | 'createdAt'> {
  updatedAt: Date;
  plan: ImprovementState['plan'] | null;
  units: ImprovementState['units'] | null;
}

/** Reads only the parts of each improvement's details the measures need (not whole documents). */
async function readFacts(db: Database): Promise<ImprovementFacts[]> {
  const rows = await db.$queryRaw<FactRow[]>`
    SELECT id::text AS id, stage, status, source, process, created_at AS "createdAt", updated_at AS "updatedAt",
           details->'plan' AS plan, details->'units' AS units
    FROM improvement`;
  return rows.map((row) => factsOf({ ...row, details: { plan: row.plan ?? undefined, units: row.units ?? undefined } }));
}

/**
 * Hours spent per stage (finished spans only), computed where the events are: the same
 * statistics as `elapsedByStage` (median = mean of the middle two; p90 = nearest rank), without
 * moving every event to the application.
 */
async function elapsedStatsInDatabase(db: Database): Promise<Record<string, ElapsedStats>> {
  const rows = await db.$queryRaw<{ stage: string; count: number; median: number; p90: number }[]>`
    WITH transitions AS (
      SELECT improvement_id, at, event_key,
             CASE WHEN event_key = 'submitted' THEN 'review' ELSE substring(event_key from '->([A-Za-z_-]+)$') END AS stage
      FROM improvement_event
      WHERE event_key = 'submitted' OR event_key LIKE '%->%'
    ), spans AS (
      SELECT stage, EXTRACT(EPOCH FROM (LEAD(at) OVER (PARTITION BY improvement_id ORDER BY at, event_key) - at)) / 3600.0 AS hours
      FROM transitions
    )
    SELECT stage, count(*)::int AS count,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)::float8 AS median,
           percentile_disc(0.9) WITHIN GROUP (ORDER BY hours)::float8 AS p90
    FROM spans WHERE hours IS NOT NULL AND hours >= 0 GROUP BY stage`;
  return Object.fromEntries(rows.map((row) => [row.stage, { count: row.count, medianHours: row.median, p90Hours: row.p90 }]));
}

/** Reads the library's facts (one row per unit, process and applying link) and computes the uptake. */
export async function computeLibraryUptake(db: Database): Promise<LibraryUptake> {
  const [processes, units, links] = await Promise.all([
    db.standardProcess.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, versions: { where: { status: 'published' }, orderBy: { number: 'desc' }, take: 1, select: { number: true, publishedAt: true } } } }),
    db.orgUnit.findMany({ orderBy: { name: 'asc' }, select: { id: true } }),
    db.unitProcess.findMany({ where: { applies: true }, select: { unitId: true, processId: true, tailored: true, waiverReason: true, since: true, version: { select: { number: true } } } }),
  ]);
  return libraryUptake(
    processes.map((process) => ({ processId: process.id, name: process.name, currentVersion: process.versions[0]?.number ?? null, publishedAt: process.versions[0]?.publishedAt ?? null })),
    units.map((unit) => unit.id),
    links.map((link) => ({ unitId: link.unitId, processId: link.processId, version: link.version?.number ?? null, tailored: link.tailored, waived: link.waiverReason !== null, since: link.since })),
  );
}

/** Reads every published version with its plan's adopt-by date, and every unit's adoption changes, and computes the deployment measures. */
export async function computeLibraryDeployment(db: Database, now = new Date()): Promise<LibraryDeployment> {
  const [versions, events, units] = await Promise.all([
    db.processVersion.findMany({ where: { publishedAt: { not: null } }, select: { id: true, number: true, publishedAt: true, deploymentPlan: true, process: { select: { id: true, name: true } } } }),
    db.deploymentEvent.findMany({ where: { unitId: { not: null } }, select: { versionId: true, unitId: true, action: true, at: true } }),
    db.orgUnit.findMany({ select: { id: true, name: true } }),
  ]);
  return libraryDeployment(
    versions.map((version) => {
      const adoptBy = (version.deploymentPlan as { adoptBy?: string } | null)?.adoptBy;
      const parsed = adoptBy ? Date.parse(adoptBy) : Number.NaN;
      return { processId: version.process.id, process: version.process.name, versionId: version.id, version: version.number, publishedAt: version.publishedAt!, adoptBy: Number.isNaN(parsed) ? null : new Date(parsed) };
    }),
    events.map((event) => ({ versionId: event.versionId, unitId: event.unitId!, action: event.action, at: event.at })),
    now,
    new Map(units.map((unit) => [unit.id, unit.name])),
  );
}

/** Every OPF GG2.GP8 measure over the whole read model. */
export async function computeMeasures(db: Database, now = new Date()) {
  const facts = await readFacts(db);
  const stageStats = await elapsedStatsInDatabase(db);
  const processLibrary = await computeLibraryUptake(db);
  const libraryDeployments = await computeLibraryDeployment(db, now);
  const from = new Date(now.getTime() - 180 * 86_400_000);
  return {
    computedAt: now.toISOString(),
    improvements: facts.length,
    acceptance: acceptanceRate(facts),
    implementation: implementationRate(facts),
    sources: shareBySource(facts),
    elapsedByStage: stageStats,
    deployment: stageStats.deployment ?? { count: 0, medianHours: null, p90Hours: null },
    schedule: scheduleStatus(facts, now),
    unitsOnCurrentVersion: unitsOnCurrentVersion(facts),
    waivers: waiversPerProcess(facts),
    tailoring: tailoringCounts(facts),
    trend: issueTrend(facts, { from, to: now, bucket: 'month' }),
    /** From the process asset library: every unit's version of every process that applies to it. */
    processLibrary,
    /** From the library's deployment history: time to every unit adopted, the plan's dates, tailoring and waivers, per version and process. */
    libraryDeployments,
  };
}

export type Measures = Awaited<ReturnType<typeof computeMeasures>>;

/** One improvement with its full history, open tasks and every email sent, from the read model. */
export function findImprovementRecord(db: Database, id: string) {
  return db.improvement.findUnique({
    where: { id },
    include: {
      events: { orderBy: [{ at: 'asc' }, { eventKey: 'asc' }] },
      tasks: { where: { status: 'open' }, orderBy: { dueAt: 'asc' } },
      notifications: { orderBy: { createdAt: 'asc' } },
    },
  });
}
