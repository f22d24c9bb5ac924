import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../prisma/database';
import {
  approveVersion,
  clearWaiver,
  createStandardProcess,
  currentVersion,
  draftVersion,
  expiredWaivers,
  LibraryRefusal,
  processesOfUnit,
  publishVersion,
  recordAdoption,
  recordWaiver,
  setUnitProcesses,
  unitsOnProcess,
} from '../../repositories/process-library';
import { createMigratedDatabase } from '../support/database';

/** What the deployment workflows rely on: publication supersedes, retries change nothing, waivers expire. */
describe('the process library repository', () => {
  let db: Database;
  beforeAll(async () => {
    db = createDatabase(await createMigratedDatabase(), 2);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  const unit = async (name: string) => (await db.orgUnit.create({ data: { id: randomUUID(), name: `${name} ${randomUUID().slice(0, 8)}`, managerEmail: 'boss@example.org' } })).id;
  const newProcess = async () => (await createStandardProcess(db, { name: `Process ${randomUUID()}`, ownerEmail: 'Owner@Example.org' })).id;

  it('publishing a version makes it current and supersedes the one before; publishing it again changes nothing', async () => {
    const processId = await newProcess();
    const claims = await unit('Claims');
    await setUnitProcesses(db, claims, [processId]);
    const v1 = await draftVersion(db, { processId, summary: 'v1', createdBy: 'owner@example.org' });
    expect((await approveVersion(db, { versionId: v1.id, by: 'ORPG@example.org', at: '2027-01-01T00:00:00Z' })).status).toBe('approved');
    const first = await publishVersion(db, { versionId: v1.id, at: '2027-01-02T00:00:00Z' });
    expect(first).toMatchObject({ version: { number: 1, status: 'published', publishedAt: '2027-01-02T00:00:00.000Z', approvedBy: 'orpg@example.org' }, superseded: null });
    expect(first.units.map((entry) => entry.unitId)).toEqual([claims]);

    const v2 = await draftVersion(db, { processId, summary: 'v2', createdBy: 'owner@example.org' });
    const second = await publishVersion(db, { versionId: v2.id });
    expect(second.superseded).toMatchObject({ number: 1, status: 'superseded' });
    expect((await currentVersion(db, processId))?.number).toBe(2);
    const again = await publishVersion(db, { versionId: v2.id });
    expect(again).toMatchObject({ version: { number: 2, status: 'published', publishedAt: second.version.publishedAt }, superseded: null });
    await expect(publishVersion(db, { versionId: v1.id })).rejects.toThrow(LibraryRefusal);
  });

  it('a version older than the published one cannot be published after it', async () => {
    const processId = await newProcess();
    const older = await draftVersion(db, { processId, summary: 'older', createdBy: 'o@example.org' });
    const newer = await draftVersion(db, { processId, summary: 'newer', createdBy: 'o@example.org' });
    await publishVersion(db, { versionId: newer.id });
    await expect(publishVersion(db, { versionId: older.id })).rejects.toMatchObject({ type: 'invalid_state' });
  });

  it('one draft per improvement however often it is asked, numbered after the last', async () => {
    const processId = await newProcess();
    const improvementId = randomUUID();
    const drafts = await Promise.all([1, 2, 3].map(() => draftVersion(db, { processId, summary: 'From lessons', improvementId, lessons: 'Name the root cause', createdBy: 'o@example.org' })));
    expect(new Set(drafts.map((draft) => draft.id)).size).toBe(1);
    expect(drafts[0]).toMatchObject({ number: 1, improvementId, lessons: 'Name the root cause' });
    await expect(draftVersion(db, { processId: randomUUID(), summary: 'x', createdBy: 'o@example.org' })).rejects.toMatchObject({ type: 'not_found' });
  });

  it('adoption records the version and tailoring and ends a waiver; a waiver past its expiry is found and cleared', async () => {
    const processId = await newProcess();
    const payments = await unit('Payments');
    const v1 = await draftVersion(db, { processId, summary: 'v1', createdBy: 'o@example.org' });
    await publishVersion(db, { versionId: v1.id });
    await recordWaiver(db, { unitId: payments, processId, reason: 'Merger', expiresAt: '2027-02-01T00:00:00Z', grantedBy: 'orpg@example.org' });
    expect((await unitsOnProcess(db, processId))[0]).toMatchObject({ versionId: null, waiver: { reason: 'Merger', expiresAt: '2027-02-01T00:00:00.000Z' } });
    expect(await expiredWaivers(db, new Date('2027-01-31T00:00:00Z'))).not.toContainEqual(expect.objectContaining({ unitId: payments }));
    expect(await expiredWaivers(db, new Date('2027-02-01T00:00:00Z'))).toContainEqual({ unitId: payments, processId, expiresAt: '2027-02-01T00:00:00.000Z' });
    await clearWaiver(db, { unitId: payments, processId });
    expect((await unitsOnProcess(db, processId))[0]?.waiver).toBeNull();

    await recordAdoption(db, { unitId: payments, processId, versionId: v1.id, tailoring: '  Monthly instead of weekly ', at: '2027-03-01T00:00:00Z' });
    await recordAdoption(db, { unitId: payments, processId, versionId: v1.id, tailoring: '  Monthly instead of weekly ', at: '2027-03-01T00:00:00Z' });
    expect((await unitsOnProcess(db, processId))[0]).toMatchObject({ versionNumber: 1, since: '2027-03-01T00:00:00.000Z', tailored: true, tailoring: 'Monthly instead of weekly', waiver: null });
    expect(await processesOfUnit(db, payments)).toEqual([expect.objectContaining({ processId, versionNumber: 1, current: expect.objectContaining({ number: 1 }) })]);
    const otherProcess = await newProcess();
    await expect(recordAdoption(db, { unitId: payments, processId: otherProcess, versionId: v1.id })).rejects.toMatchObject({ type: 'not_found' });
  });

  it('setting a unit’s processes answers those added and removed; a removed one no longer counts as applying', async () => {
    const [a, b, c] = [await newProcess(), await newProcess(), await newProcess()];
    const legal = await unit('Legal');
    expect(await setUnitProcesses(db, legal, [a, b])).toEqual({ added: [a, b], removed: [] });
    expect(await setUnitProcesses(db, legal, [b, c])).toEqual({ added: [c], removed: [a] });
    expect(await setUnitProcesses(db, legal, [b, c])).toEqual({ added: [], removed: [] });
    expect(await unitsOnProcess(db, a)).toEqual([]);
    expect(await setUnitProcesses(db, legal, [a, b, c])).toEqual({ added: [a], removed: [] });
  });
});
