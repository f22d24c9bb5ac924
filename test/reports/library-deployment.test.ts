import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryDeploymentSections } from '../../api/pages/library-measures';
import { measureRows } from '../../api/pages/measures';
import { toCsv } from '../../reports/csv';
import { type AdoptionEventFact, libraryDeployment, type VersionFact } from '../../reports/measures/library-deployment';
import { computeMeasures } from '../../reports/read-model';
import { createDatabase, type Database } from '../../prisma/database';
import { createStandardProcess, draftVersion, publishVersion } from '../../repositories/process-library';
import { createMigratedDatabase } from '../support/database';

/**
 * A seeded deployment history with known answers, "now" being 2027-03-12 12:00 UTC.
 *   Incident v1, published 1 Jan, adopt by 15 Jan: Claims adopts on the 5th (met), Payments tailors on
 *     the 20th (5 days late), Underwriting is refused a waiver once and granted one on the 10th (met):
 *     every unit settled on the 20th, 456 h after publication; late by 5 days.
 *   Incident v2, published 1 Mar, adopt by 10 Mar: Claims tailors on the 2nd (met); Payments has not
 *     answered and Underwriting was refused a waiver: both 2.5 days late now; open.
 *   Change v1, published 1 Feb, no plan: Claims adopts; Payments is superseded by v2 before answering.
 *   Change v2, published 10 Feb, adopt by 31 Mar: Payments adopts on the 11th (met), Claims still asked (on track).
 *   Tailored: Incident twice, Change never. Waivers: Incident 3 requested, 1 granted (33.3%), 2 refused (66.7%).
 */
const now = new Date('2027-03-12T12:00:00Z');
const day = (date: string) => new Date(`2027-${date}T00:00:00Z`);

const history: [process: string, version: number, unit: string, action: string, at: string][] = [
  ['Incident', 1, 'Claims', 'asked', '01-01'],
  ['Incident', 1, 'Claims', 'adopted', '01-05'],
  ['Incident', 1, 'Payments', 'asked', '01-01'],
  ['Incident', 1, 'Payments', 'tailored', '01-20'],
  ['Incident', 1, 'Underwriting', 'asked', '01-01'],
  ['Incident', 1, 'Underwriting', 'waiver-requested', '01-03'],
  ['Incident', 1, 'Underwriting', 'waiver-refused', '01-04'],
  ['Incident', 1, 'Underwriting', 'waiver-requested', '01-06'],
  ['Incident', 1, 'Underwriting', 'waived', '01-10'],
  ['Incident', 2, 'Claims', 'asked', '03-01'],
  ['Incident', 2, 'Claims', 'tailored', '03-02'],
  ['Incident', 2, 'Payments', 'asked', '03-01'],
  ['Incident', 2, 'Underwriting', 'asked', '03-01'],
  ['Incident', 2, 'Underwriting', 'waiver-requested', '03-02'],
  ['Incident', 2, 'Underwriting', 'waiver-refused', '03-03'],
  ['Change', 1, 'Claims', 'asked', '02-01'],
  ['Change', 1, 'Claims', 'adopted', '02-03'],
  ['Change', 1, 'Payments', 'asked', '02-01'],
  ['Change', 1, 'Payments', 'superseded', '02-10'],
  ['Change', 2, 'Payments', 'asked', '02-10'],
  ['Change', 2, 'Payments', 'adopted', '02-11'],
  ['Change', 2, 'Claims', 'asked', '02-10'],
];

const published: [process: string, version: number, at: string, adoptBy: string | null][] = [
  ['Incident', 1, '01-01', '2027-01-15'],
  ['Incident', 2, '03-01', '2027-03-10'],
  ['Change', 1, '02-01', null],
  ['Change', 2, '02-10', '2027-03-31'],
];

const expected = {
  versions: [
    { process: 'Change', version: 1, units: 2, adopted: 1, tailored: 0, waived: 0, pending: 0, superseded: 1, state: 'superseded', hoursToEveryUnit: null, planStatus: 'no-plan', unitsMet: 0, unitsLate: 0, lateByDays: null },
    { process: 'Change', version: 2, units: 2, adopted: 1, tailored: 0, waived: 0, pending: 1, superseded: 0, state: 'open', hoursToEveryUnit: null, planStatus: 'on-track', unitsMet: 1, unitsLate: 0, lateByDays: null },
    { process: 'Incident', version: 1, units: 3, adopted: 1, tailored: 1, waived: 1, pending: 0, superseded: 0, state: 'complete', hoursToEveryUnit: 456, planStatus: 'late', unitsMet: 2, unitsLate: 1, lateByDays: 5 },
    { process: 'Incident', version: 2, units: 3, adopted: 0, tailored: 1, waived: 0, pending: 2, superseded: 0, state: 'open', hoursToEveryUnit: null, planStatus: 'late', unitsMet: 1, unitsLate: 2, lateByDays: 2.5 },
  ],
  units: {
    'Change v1': { Claims: ['adopted', 'no-plan', null], Payments: ['superseded', 'superseded', null] },
    'Change v2': { Payments: ['adopted', 'met', null], Claims: ['pending', 'on-track', null] },
    'Incident v1': { Claims: ['adopted', 'met', null], Payments: ['tailored', 'late', 120], Underwriting: ['waived', 'met', null] },
    'Incident v2': { Claims: ['tailored', 'met', null], Payments: ['pending', 'late', 60], Underwriting: ['pending', 'late', 60] },
  },
  processes: [
    { process: 'Change', timesTailored: 0, waiverRequests: 0, waiversGranted: 0, waiversRefused: 0, grantedPercent: null, refusedPercent: null },
    { process: 'Incident', timesTailored: 2, waiverRequests: 3, waiversGranted: 1, waiversRefused: 2, grantedPercent: 33.3, refusedPercent: 66.7 },
  ],
};

type Measured = ReturnType<typeof libraryDeployment>;

function expectKnownAnswers(measured: Measured) {
  expect(measured.versions.map(({ processId: _p, publishedAt: _at, adoptBy: _by, everyUnitAdoptedAt: _every, lateByHours: _h, ...rest }) => rest)).toEqual(expected.versions);
  expect(measured.versions.find((version) => version.process === 'Incident' && version.version === 1)?.everyUnitAdoptedAt).toBe('2027-01-20T00:00:00.000Z');
  const units: Record<string, Record<string, unknown[]>> = {};
  for (const unit of measured.units) (units[`${unit.process} v${unit.version}`] ??= {})[unit.unitName] = [unit.outcome, unit.status, unit.lateByHours];
  expect(units).toEqual(expected.units);
  expect(measured.processes.map(({ processId: _id, ...rest }) => rest)).toEqual(expected.processes);
}

describe('deployment of process versions against the plan, tailoring and waivers [GG2.GP8]', () => {
  it('from plain facts: time to every unit, met or late by how much, times tailored, waivers as percentages', () => {
    const versions: VersionFact[] = published.map(([process, version, at, adoptBy]) => ({
      processId: process,
      process,
      versionId: `${process}-v${version}`,
      version,
      publishedAt: day(at),
      adoptBy: adoptBy ? new Date(Date.parse(adoptBy)) : null,
    }));
    const events: AdoptionEventFact[] = history.map(([process, version, unit, action, at]) => ({ versionId: `${process}-v${version}`, unitId: unit, action, at: day(at) }));
    expectKnownAnswers(libraryDeployment(versions, events, now, new Map(['Claims', 'Payments', 'Underwriting'].map((name) => [name, name]))));
  });

  it('with nothing published, there is nothing to measure', () => {
    expect(libraryDeployment([], [], now)).toEqual({ versions: [], units: [], processes: [] });
  });

  describe('from the library tables', () => {
    let db: Database;
    beforeAll(async () => {
      db = createDatabase(await createMigratedDatabase(), 2);
      const units: Record<string, string> = {};
      for (const name of ['Claims', 'Payments', 'Underwriting']) {
        units[name] = (await db.orgUnit.create({ data: { id: randomUUID(), name, managerEmail: `${name.toLowerCase()}@example.org` } })).id;
      }
      const versions: Record<string, { processId: string; versionId: string }> = {};
      for (const name of ['Incident', 'Change']) {
        const { id } = await createStandardProcess(db, { name, ownerEmail: 'owner@example.org' });
        for (const [process, number, at, adoptBy] of published.filter(([process]) => process === name)) {
          const draft = await draftVersion(db, { processId: id, summary: `${process} v${number}`, createdBy: 'owner@example.org' });
          await db.processVersion.update({ where: { id: draft.id }, data: { deploymentPlan: { material: [], contact: 'owner@example.org', ...(adoptBy ? { adoptBy } : {}) } } });
          await publishVersion(db, { versionId: draft.id, at: day(at).toISOString() });
          versions[`${process} v${number}`] = { processId: id, versionId: draft.id };
        }
      }
      // As the deployments record them: one event per change, keyed by workflow and change.
      for (const [index, [process, number, unit, action, at]] of history.entries()) {
        const { processId, versionId } = versions[`${process} v${number}`]!;
        await db.deploymentEvent.create({ data: { eventKey: `seed:${index}:${action}`, processId, versionId, unitId: units[unit]!, action, actor: 'seed', at: day(at) } });
        if (action === 'asked') await db.deploymentEvent.create({ data: { eventKey: `seed:${index}:started`, processId, versionId, action: 'deployment started', actor: 'system', at: day(at) } });
      }
    });
    afterAll(async () => {
      await db?.$disconnect();
    });

    it('gives the same known answers in /api/measures, on /measures and in the CSV downloads', async () => {
      const measures = await computeMeasures(db, now);
      expectKnownAnswers(measures.libraryDeployments);

      const rows = measureRows(measures);
      const csv = (name: string) => toCsv(rows[name]!).split('\r\n');
      expect(csv('library-deployments')[0]).toBe('process,version,publishedAt,adoptBy,units,adopted,tailored,waived,pending,superseded,state,everyUnitAdoptedAt,hoursToEveryUnit,planStatus,unitsMet,unitsLate,lateByHours,lateByDays');
      expect(csv('library-deployments')).toContain('Incident,1,2027-01-01T00:00:00.000Z,2027-01-15T00:00:00.000Z,3,1,1,1,0,0,complete,2027-01-20T00:00:00.000Z,456,late,2,1,120,5');
      expect(csv('library-schedule')).toContain('Incident,2,Underwriting,pending,,2027-03-10T00:00:00.000Z,late,60,2.5');
      expect(csv('library-tailoring-waivers')).toContain('Incident,2,3,1,2,33.3,66.7');
      // Units named by the read model; no ids in what people read.
      expect(csv('library-schedule').join('\n')).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);

      const page = libraryDeploymentSections(measures, (name) => `<a href="/measures/${name}.csv">CSV</a>`).join('');
      expect(page).toMatch(/Incident v1<\/th><td>2027-01-01 00:00 UTC<\/td><td><span class="badge ok">complete<\/span><\/td>\s*<td>3 of 3<\/td><td>456 h<\/td>/);
      expect(page).toMatch(/Payments<\/th><td>Incident v1<\/td><td>tailored<\/td><td>2027-01-20 00:00 UTC<\/td>\s*<td>2027-01-15 00:00 UTC<\/td><td><span class="badge late">late<\/span><\/td><td>5 day\(s\)<\/td>/);
      expect(page).toContain('<th scope="row">Incident</th><td>2</td><td>3</td>\n<td>1 (33.3%)</td><td>2 (66.7%)</td>');
    });
  });
});
