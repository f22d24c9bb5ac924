import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../prisma/database';
import { libraryUptake, type UnitProcessFact } from '../../reports/measures/library-uptake';
import { computeLibraryUptake, computeMeasures } from '../../reports/read-model';
import { createStandardProcess, draftVersion, publishVersion, recordAdoption, recordWaiver, setUnitProcesses } from '../../repositories/process-library';
import { createMigratedDatabase } from '../support/database';

/**
 * A seeded library with known answers. Incident (current v2) applies to Claims, Payments and
 * Underwriting; Change (current v1) to Claims and Payments; Continuity (nothing published) to
 * Underwriting; nothing applies to Legal.
 *   Claims:       Incident v2 (tailored), Change v1            -> on the current set
 *   Payments:     Incident v1, Change v1 but waived            -> not
 *   Underwriting: Incident v2, Continuity not adopted          -> on the current set (Continuity has no version)
 *   Legal:        nothing applies                              -> not
 */
const expected = {
  processes: [
    // Published 1 January, Claims adopted on the 2nd, Payments is waived: fully adopted in 24 hours.
    { process: 'Change', currentVersion: 1, units: 2, onCurrent: 1, waived: 1, percent: 50, waivedPercent: 50, tailored: 0, hoursToFullAdoption: 24 },
    { process: 'Continuity', currentVersion: null, units: 1, onCurrent: 0, waived: 0, percent: null, waivedPercent: 0, tailored: 0, hoursToFullAdoption: null },
    // Payments still runs v1: not fully adopted.
    { process: 'Incident', currentVersion: 2, units: 3, onCurrent: 2, waived: 0, percent: 66.7, waivedPercent: 0, tailored: 1, hoursToFullAdoption: null },
  ],
  overall: { units: 4, onCurrentSet: 2, percent: 50 },
  pairs: { applying: 5, onCurrent: 3, percent: 60 },
  tailoring: { Claims: 50, Payments: 0, Underwriting: 0, Legal: null },
};

describe('% of units on the current version of the standard processes [GG2.GP8]', () => {
  it('from plain facts: per process, per unit pair and overall, every registered unit in the denominator', () => {
    const fact = (unitId: string, processId: string, version: number | null, extra: Partial<UnitProcessFact> = {}): UnitProcessFact => ({ unitId, processId, version, tailored: false, waived: false, ...extra });
    const uptake = libraryUptake(
      [
        { processId: 'change', name: 'Change', currentVersion: 1, publishedAt: new Date('2027-01-01T00:00:00Z') },
        { processId: 'continuity', name: 'Continuity', currentVersion: null, publishedAt: null },
        { processId: 'incident', name: 'Incident', currentVersion: 2, publishedAt: new Date('2027-02-01T00:00:00Z') },
      ],
      ['claims', 'payments', 'underwriting', 'legal'],
      [
        fact('claims', 'incident', 2, { tailored: true, since: new Date('2027-02-03T00:00:00Z') }),
        fact('claims', 'change', 1, { since: new Date('2027-01-02T00:00:00Z') }),
        fact('payments', 'incident', 1, { since: new Date('2027-01-10T00:00:00Z') }),
        fact('payments', 'change', 1, { waived: true, since: new Date('2027-01-03T00:00:00Z') }),
        fact('underwriting', 'incident', 2, { since: new Date('2027-02-05T00:00:00Z') }),
        fact('underwriting', 'continuity', null),
      ],
    );
    expect(uptake.processes.map(({ processId: _id, ...rest }) => rest)).toEqual(expected.processes);
    expect(uptake.overall).toEqual(expected.overall);
    expect(uptake.pairs).toEqual(expected.pairs);
    expect(Object.fromEntries(uptake.tailoringByUnit.map((unit) => [unit.unitId, unit.percent]))).toEqual({ claims: 50, payments: 0, underwriting: 0, legal: null });
  });

  it('with nothing registered, every percentage is null', () => {
    expect(libraryUptake([], [], [])).toEqual({ processes: [], overall: { units: 0, onCurrentSet: 0, percent: null }, pairs: { applying: 0, onCurrent: 0, percent: null }, tailoringByUnit: [] });
  });

  describe('from the library tables', () => {
    let db: Database;
    const units: Record<string, string> = {};
    beforeAll(async () => {
      db = createDatabase(await createMigratedDatabase(), 2);
      for (const name of ['Claims', 'Payments', 'Underwriting', 'Legal']) {
        units[name] = (await db.orgUnit.create({ data: { id: randomUUID(), name, managerEmail: `${name.toLowerCase()}@example.org` } })).id;
      }
      const process = async (name: string, published: number) => {
        const { id } = await createStandardProcess(db, { name, ownerEmail: 'owner@example.org' });
        const versions: string[] = [];
        for (let number = 1; number <= published; number += 1) {
          const draft = await draftVersion(db, { processId: id, summary: `${name} v${number}`, createdBy: 'owner@example.org' });
          await publishVersion(db, { versionId: draft.id, at: `2027-0${number}-01T00:00:00Z` });
          versions.push(draft.id);
        }
        return { id, versions };
      };
      const incident = await process('Incident', 2);
      const change = await process('Change', 1);
      const continuity = await process('Continuity', 0);
      await setUnitProcesses(db, units.Claims!, [incident.id, change.id]);
      await setUnitProcesses(db, units.Payments!, [incident.id, change.id]);
      await setUnitProcesses(db, units.Underwriting!, [incident.id, continuity.id]);
      await recordAdoption(db, { unitId: units.Claims!, processId: incident.id, versionId: incident.versions[1]!, tailoring: 'Weekly review instead of daily', at: '2027-02-03T00:00:00Z' });
      await recordAdoption(db, { unitId: units.Claims!, processId: change.id, versionId: change.versions[0]!, at: '2027-01-02T00:00:00Z' });
      await recordAdoption(db, { unitId: units.Payments!, processId: incident.id, versionId: incident.versions[0]!, at: '2027-01-10T00:00:00Z' });
      await recordAdoption(db, { unitId: units.Payments!, processId: change.id, versionId: change.versions[0]!, at: '2027-01-03T00:00:00Z' });
      await recordWaiver(db, { unitId: units.Payments!, processId: change.id, reason: 'Change freeze during the merger', grantedBy: 'orpg@example.org' });
      await recordAdoption(db, { unitId: units.Underwriting!, processId: incident.id, versionId: incident.versions[1]!, at: '2027-02-05T00:00:00Z' });
    });
    afterAll(async () => {
      await db?.$disconnect();
    });

    it('gives the same known answers, and /api/measures carries them', async () => {
      const uptake = await computeLibraryUptake(db);
      expect(uptake.processes.map(({ processId: _id, ...rest }) => rest)).toEqual(expected.processes);
      expect(uptake.overall).toEqual(expected.overall);
      expect(uptake.pairs).toEqual(expected.pairs);
      const byName = Object.fromEntries(Object.entries(units).map(([name, id]) => [id, name]));
      expect(Object.fromEntries(uptake.tailoringByUnit.map((unit) => [byName[unit.unitId], unit.percent]))).toEqual(expected.tailoring);
      const measures = await computeMeasures(db);
      expect(measures.processLibrary.overall).toEqual(expected.overall);
    });
  });
});
