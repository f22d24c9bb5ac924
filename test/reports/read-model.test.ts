import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../prisma/database';
import { computeMeasures } from '../../reports/read-model';
import { createMigratedDatabase } from '../support/database';

/**
 * The measures over a small seeded read model whose answers were worked out by hand. Dates are
 * fixed; "now" is 2026-06-30.
 */
describe('the OPF measures over the PostgreSQL read model', () => {
  let db: Database;
  const now = new Date('2026-06-30T12:00:00Z');
  const day = (iso: string) => new Date(`${iso}T09:00:00Z`);

  interface Seed {
    stage: string;
    status: string;
    source: string;
    process: string;
    created: string;
    ended?: string;
    plan?: { due: string; done: boolean }[];
    units?: { unitId: string; status: 'adopted' | 'waived' | 'pending'; tailoring?: string; waiverRefusals?: number }[];
    /** Stage transitions after submission: [stage entered, hours after creation]. */
    moves?: [string, number][];
  }

  const seeds: Seed[] = [
    // 1. closed, appraisal, Incident Mgmt: planned+implemented, 2 units adopted (1 tailored)
    { stage: 'closed', status: 'closed', source: 'appraisal', process: 'Incident', created: '2026-03-02', ended: '2026-05-04', plan: [{ due: '2026-04-01', done: true }], units: [{ unitId: 'A', status: 'adopted', tailoring: 'lighter' }, { unitId: 'B', status: 'adopted' }], moves: [['prioritisation', 10], ['planning', 20], ['implementation', 30], ['deployment', 50], ['audit', 90], ['lessons', 100], ['closed', 110]] },
    // 2. rejected at review, incident
    { stage: 'rejected', status: 'rejected', source: 'incident', process: 'Incident', created: '2026-04-06', ended: '2026-04-08', moves: [['rejected', 30]] },
    // 3. implementation, lessons-learned, Change: planned, not implemented, due in the past -> late
    { stage: 'implementation', status: 'active', source: 'lessons-learned', process: 'Change', created: '2026-05-04', plan: [{ due: '2026-06-01', done: false }], moves: [['prioritisation', 2], ['planning', 4], ['implementation', 8]] },
    // 4. review, staff proposal: not yet decided
    { stage: 'review', status: 'active', source: 'staff-proposal', process: 'Change', created: '2026-06-01' },
    // 5. deployment, appraisal, Incident: unit A waived (newer than #1), unit C refused once then pending
    { stage: 'deployment', status: 'active', source: 'appraisal', process: 'Incident', created: '2026-06-08', plan: [{ due: '2026-07-31', done: true }], units: [{ unitId: 'A', status: 'waived', waiverRefusals: 0 }, { unitId: 'C', status: 'pending', waiverRefusals: 1 }], moves: [['prioritisation', 4], ['planning', 6], ['implementation', 12], ['deployment', 20]] },
  ];

  beforeAll(async () => {
    db = createDatabase(await createMigratedDatabase(), 2);
    for (const [index, seed] of seeds.entries()) {
      const id = randomUUID();
      const created = day(seed.created);
      const details = {
        plan: seed.plan ? { objectives: 'o', measures: 'm', actions: seed.plan.map((action) => ({ title: 't', owner: 'o@example.org', due: action.due, ...(action.done ? { completedAt: created.toISOString() } : {}) })) } : undefined,
        units: (seed.units ?? []).map((unit) => ({ unitName: unit.unitId, manager: 'm@example.org', waiverRefusals: 0, ...unit })),
      };
      await db.improvement.create({
        data: {
          id,
          workflowId: `improvement-${id}`,
          title: `Seed ${index + 1}`,
          description: 'd',
          proposerEmail: 'p@example.org',
          process: seed.process,
          source: seed.source,
          stage: seed.stage,
          status: seed.status,
          details,
          createdAt: created,
          events: {
            create: [
              { eventKey: 'submitted', at: created, step: 'proposal', actor: 'p@example.org', action: 'submitted' },
              ...(seed.moves ?? []).map(([stage, hours], move) => ({
                eventKey: `${move + 1}:x->${stage}`,
                at: new Date(created.getTime() + hours * 3_600_000),
                step: 's',
                actor: 'system',
                action: `to ${stage}`,
              })),
            ],
          },
        },
      });
      if (seed.ended) await db.$executeRaw`UPDATE improvement SET updated_at = ${day(seed.ended)} WHERE id = ${id}::uuid`;
    }
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it('gives the hand-computed answer for every measure', async () => {
    const measures = await computeMeasures(db, now);
    // Accepted = reached prioritisation or later: #1, #3, #5 = 3; rejected: #2; decided = 4 -> 75.0%.
    expect(measures.acceptance).toEqual({ accepted: 3, decided: 4, percent: 75 });
    // Planned (plan approved, past planning): #1, #3, #5; implemented: #1, #5 -> 2/3 = 66.7%.
    expect(measures.implementation).toEqual({ implemented: 2, planned: 3, percent: 66.7 });
    // Sources: appraisal 2/5 = 40%, lessons-learned 1/5 = 20%, other (incident, staff) 2/5 = 40%.
    expect(measures.sources).toMatchObject({ appraisal: { count: 2, percent: 40 }, 'lessons-learned': { count: 1, percent: 20 }, other: { count: 2, percent: 40 }, total: 5 });
    // Review spans (hours): #1 10, #2 30, #3 2, #5 4 -> sorted 2,4,10,30: median 7, p90 = rank ceil(3.6)=4 -> 30.
    expect(measures.elapsedByStage.review).toEqual({ count: 4, medianHours: 7, p90Hours: 30 });
    // Deployment spans: #1 50->90 = 40 h (only finished ones): median 40, p90 40.
    expect(measures.deployment).toEqual({ count: 1, medianHours: 40, p90Hours: 40 });
    // Active: #3 late (due 06-01, not done), #4 unplanned, #5 implemented -> on schedule.
    expect(measures.schedule).toEqual({ onSchedule: 1, late: 1, unplanned: 1 });
    // Incident units A, B, C; latest: A waived (#5), B adopted (#1), C pending (#5) -> 1/3 = 33.3%.
    expect(measures.unitsOnCurrentVersion.Incident).toEqual({ units: 3, current: 1, percent: 33.3 });
    // Waivers: Incident granted 1 (#5 A), refused 1 (#5 C); Change none.
    expect(measures.waivers).toEqual({ Incident: { granted: 1, refused: 1 }, Change: { granted: 0, refused: 0 } });
    // Tailored adoptions: Incident 1 (#1 A).
    expect(measures.tailoring).toEqual({ Incident: 1, Change: 0 });
    // Opened per month in the last 180 days: Mar 1, Apr 1, May 1, Jun 2; closed (ended): Apr 1 (#2), May 1 (#1).
    const trend = Object.fromEntries(measures.trend.map((bucket) => [bucket.bucket, [bucket.opened, bucket.closed]]));
    expect(trend).toMatchObject({ '2026-03': [1, 0], '2026-04': [1, 1], '2026-05': [1, 1], '2026-06': [2, 0] });
  });
});
