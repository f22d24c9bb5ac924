import { percentOf } from './facts';

/**
 * How the deployments of published process versions went [GG2.GP8 sp2], recomputed from the
 * library's deployment history (what each unit was asked and did, per version): elapsed time from
 * publication to every unit adopted, status against the deployment plan's adopt-by date, times
 * each process was tailored, and waivers granted and refused. Pure: read-model.ts reads the facts.
 */

/** A published version and the date its deployment plan asked every unit to adopt it by. */
export interface VersionFact {
  processId: string;
  process: string;
  versionId: string;
  version: number;
  publishedAt: Date;
  /** The plan's adopt-by date, read as the workflow reads it (a date alone is midnight UTC); null without one. */
  adoptBy: Date | null;
}

/** One change of one unit's adoption of one version, as the deployment history records it. */
export interface AdoptionEventFact {
  versionId: string;
  unitId: string;
  /** asked, waiver-requested, waiver-refused, waived, waiver-expired, adopted, tailored, superseded */
  action: string;
  at: Date;
}

/** Where one unit ended up with one version: still asked, settled (adopted, tailored, waived) or superseded. */
export type UnitOutcome = 'pending' | 'adopted' | 'tailored' | 'waived' | 'superseded';

/** met: settled by the adopt-by date; late: settled after it, or still pending past it; on-track: pending, date not yet passed. */
export type PlanStatus = 'met' | 'late' | 'on-track' | 'no-plan' | 'superseded';

export interface UnitSchedule {
  processId: string;
  process: string;
  version: number;
  unitId: string;
  unitName: string;
  outcome: UnitOutcome;
  settledAt: string | null;
  adoptBy: string | null;
  status: PlanStatus;
  /** How late, in hours (settled after the date, or pending and past it until now); null when not late. */
  lateByHours: number | null;
  lateByDays: number | null;
}

export interface VersionDeploymentMeasure {
  processId: string;
  process: string;
  version: number;
  publishedAt: string;
  adoptBy: string | null;
  units: number;
  adopted: number;
  tailored: number;
  waived: number;
  pending: number;
  superseded: number;
  /** complete: every unit asked adopted, tailored or was waived; open: some still asked; superseded: a newer version replaced it first. */
  state: 'complete' | 'open' | 'superseded';
  /** When the last unit settled; null unless complete. */
  everyUnitAdoptedAt: string | null;
  /** Hours from publication to every unit adopted; null unless complete. */
  hoursToEveryUnit: number | null;
  /** The worst of its units: late if any is, else on-track while any is pending before the date, else met. */
  planStatus: PlanStatus;
  unitsMet: number;
  unitsLate: number;
  /** The most any unit was (or is) late. */
  lateByHours: number | null;
  lateByDays: number | null;
}

export interface ProcessDeploymentMeasure {
  processId: string;
  process: string;
  /** Adoptions recorded with tailoring, over every version. */
  timesTailored: number;
  waiverRequests: number;
  waiversGranted: number;
  waiversRefused: number;
  /** Granted and refused as percentages of the requests ruled on; null while none was. */
  grantedPercent: number | null;
  refusedPercent: number | null;
}

export interface LibraryDeployment {
  versions: VersionDeploymentMeasure[];
  units: UnitSchedule[];
  processes: ProcessDeploymentMeasure[];
}

const settling = new Set(['adopted', 'tailored', 'waived']);
const reopening = new Set(['asked', 'waiver-requested', 'waiver-refused', 'waiver-expired']);
const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;
const days = (ms: number) => Math.round((ms / 86_400_000) * 10) / 10;

/** A unit's last word on a version: its outcome and, when settled, since when. */
function outcomeOf(events: readonly AdoptionEventFact[]): { outcome: UnitOutcome; settledAt: Date | null } {
  let outcome: UnitOutcome = 'pending';
  let settledAt: Date | null = null;
  for (const event of events) {
    if (settling.has(event.action)) {
      outcome = event.action as UnitOutcome;
      settledAt = event.at;
    } else if (event.action === 'superseded') {
      outcome = 'superseded';
      settledAt = null;
    } else if (reopening.has(event.action)) {
      outcome = 'pending';
      settledAt = null;
    }
  }
  return { outcome, settledAt };
}

function scheduleOf(outcome: UnitOutcome, settledAt: Date | null, adoptBy: Date | null, now: Date): Pick<UnitSchedule, 'status' | 'lateByHours' | 'lateByDays'> {
  const late = (ms: number) => ({ status: 'late' as const, lateByHours: hours(ms), lateByDays: days(ms) });
  if (outcome === 'superseded') return { status: 'superseded', lateByHours: null, lateByDays: null };
  if (!adoptBy) return { status: 'no-plan', lateByHours: null, lateByDays: null };
  if (settledAt) return settledAt > adoptBy ? late(settledAt.getTime() - adoptBy.getTime()) : { status: 'met', lateByHours: null, lateByDays: null };
  return now > adoptBy ? late(now.getTime() - adoptBy.getTime()) : { status: 'on-track', lateByHours: null, lateByDays: null };
}

function versionStatus(units: readonly UnitSchedule[], adoptBy: Date | null): PlanStatus {
  if (!adoptBy) return 'no-plan';
  if (units.some((unit) => unit.status === 'late')) return 'late';
  if (units.some((unit) => unit.status === 'on-track')) return 'on-track';
  if (units.length > 0 && units.every((unit) => unit.status === 'superseded')) return 'superseded';
  return 'met';
}

function versionMeasure(version: VersionFact, units: UnitSchedule[]): VersionDeploymentMeasure {
  const count = (outcome: UnitOutcome) => units.filter((unit) => unit.outcome === outcome).length;
  const pending = count('pending');
  const superseded = count('superseded');
  const state = pending > 0 || units.length === 0 ? 'open' : superseded > 0 ? 'superseded' : 'complete';
  const last = state === 'complete' ? Math.max(...units.map((unit) => Date.parse(unit.settledAt!))) : null;
  const worst = Math.max(0, ...units.map((unit) => unit.lateByHours ?? 0));
  const worstDays = Math.max(0, ...units.map((unit) => unit.lateByDays ?? 0));
  return {
    processId: version.processId,
    process: version.process,
    version: version.version,
    publishedAt: version.publishedAt.toISOString(),
    adoptBy: version.adoptBy?.toISOString() ?? null,
    units: units.length,
    adopted: count('adopted'),
    tailored: count('tailored'),
    waived: count('waived'),
    pending,
    superseded,
    state,
    everyUnitAdoptedAt: last === null ? null : new Date(last).toISOString(),
    hoursToEveryUnit: last === null ? null : hours(last - version.publishedAt.getTime()),
    planStatus: versionStatus(units, version.adoptBy),
    unitsMet: units.filter((unit) => unit.status === 'met').length,
    unitsLate: units.filter((unit) => unit.status === 'late').length,
    lateByHours: worst > 0 ? worst : null,
    lateByDays: worst > 0 ? worstDays : null,
  };
}

/** The deployment measures of every published version (by process, then version) and every process. */
export function libraryDeployment(versions: readonly VersionFact[], events: readonly AdoptionEventFact[], now: Date, unitNames: ReadonlyMap<string, string> = new Map()): LibraryDeployment {
  const ordered = [...versions].sort((a, b) => a.process.localeCompare(b.process) || a.version - b.version);
  const byVersion = new Map<string, AdoptionEventFact[]>();
  for (const event of [...events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    byVersion.set(event.versionId, [...(byVersion.get(event.versionId) ?? []), event]);
  }
  const allUnits: UnitSchedule[] = [];
  const perVersion = ordered.map((version) => {
    const own = byVersion.get(version.versionId) ?? [];
    const unitIds = [...new Set(own.map((event) => event.unitId))];
    const units = unitIds.map((unitId): UnitSchedule => {
      const { outcome, settledAt } = outcomeOf(own.filter((event) => event.unitId === unitId));
      return {
        processId: version.processId,
        process: version.process,
        version: version.version,
        unitId,
        unitName: unitNames.get(unitId) ?? unitId,
        outcome,
        settledAt: settledAt?.toISOString() ?? null,
        adoptBy: version.adoptBy?.toISOString() ?? null,
        ...scheduleOf(outcome, settledAt, version.adoptBy, now),
      };
    });
    allUnits.push(...units);
    return versionMeasure(version, units);
  });
  const processes = [...new Map(ordered.map((version) => [version.processId, version.process]))].map(([processId, process]): ProcessDeploymentMeasure => {
    const own = new Set(ordered.filter((version) => version.processId === processId).map((version) => version.versionId));
    const actions = events.filter((event) => own.has(event.versionId)).map((event) => event.action);
    const count = (action: string) => actions.filter((candidate) => candidate === action).length;
    const granted = count('waived');
    const refused = count('waiver-refused');
    return {
      processId,
      process,
      timesTailored: count('tailored'),
      waiverRequests: count('waiver-requested'),
      waiversGranted: granted,
      waiversRefused: refused,
      grantedPercent: percentOf(granted, granted + refused),
      refusedPercent: percentOf(refused, granted + refused),
    };
  });
  return { versions: perVersion, units: allUnits, processes };
}
