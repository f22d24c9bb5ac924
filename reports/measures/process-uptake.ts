// How organisational units take up each standard process: current version, waivers, tailoring [GG2.GP8 sp2].
import { type ImprovementFacts, percentOf, type UnitFacts } from './facts';

export interface UnitUptake {
  units: number;
  current: number;
  percent: number | null;
}

export interface WaiverCounts {
  granted: number;
  refused: number;
}

/** Improvements grouped by process, each group in input order. */
function byProcess(improvements: readonly ImprovementFacts[]): Map<string, ImprovementFacts[]> {
  const groups = new Map<string, ImprovementFacts[]>();
  for (const improvement of improvements) {
    const group = groups.get(improvement.process) ?? [];
    group.push(improvement);
    groups.set(improvement.process, group);
  }
  return groups;
}

/** Each unit's status in its latest deployment (by improvement createdAt; a tie goes to the later input). */
function latestUnitStatus(improvements: readonly ImprovementFacts[]): Map<string, UnitFacts['status']> {
  const latest = new Map<string, { at: number; status: UnitFacts['status'] }>();
  for (const improvement of improvements) {
    const at = improvement.createdAt.getTime();
    for (const unit of improvement.units) {
      const seen = latest.get(unit.unitId);
      if (!seen || at >= seen.at) latest.set(unit.unitId, { at, status: unit.status });
    }
  }
  return new Map([...latest].map(([unitId, { status }]) => [unitId, status]));
}

/**
 * Percentage of organisational units using the current version of each standard process
 * (or a tailored version of it) [GG2.GP8 sp2]: of the distinct units that any improvement
 * of the process was deployed to, those whose latest deployment of it was adopted.
 * A unit still pending, or with a waiver, on the latest change is not current.
 */
export function unitsOnCurrentVersion(improvements: readonly ImprovementFacts[]): Record<string, UnitUptake> {
  const result: Record<string, UnitUptake> = {};
  for (const [process, group] of byProcess(improvements)) {
    const statuses = [...latestUnitStatus(group).values()];
    const current = statuses.filter((status) => status === 'adopted').length;
    result[process] = { units: statuses.length, current, percent: percentOf(current, statuses.length) };
  }
  return result;
}

/**
 * Waivers approved and rejected by standard process [GG2.GP8 sp2]: granted = unit
 * deployments that ended waived; refused = the number of waiver requests refused.
 */
export function waiversPerProcess(improvements: readonly ImprovementFacts[]): Record<string, WaiverCounts> {
  const result: Record<string, WaiverCounts> = {};
  for (const [process, group] of byProcess(improvements)) {
    const units = group.flatMap((i) => i.units);
    result[process] = {
      granted: units.filter((unit) => unit.status === 'waived').length,
      refused: units.reduce((sum, unit) => sum + unit.waiverRefused, 0),
    };
  }
  return result;
}

/**
 * Number of times each standard process has been tailored [GG2.GP8 sp2]: unit deployments
 * adopted with tailoring. Every process seen appears, with 0 when never tailored.
 */
export function tailoringCounts(improvements: readonly ImprovementFacts[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [process, group] of byProcess(improvements)) {
    result[process] = group.flatMap((i) => i.units).filter((unit) => unit.status === 'adopted' && unit.tailored).length;
  }
  return result;
}
