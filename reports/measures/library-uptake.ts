import { percentOf } from './facts';

/**
 * The GG2.GP8 measure "% of organisational units using the current set of standard processes",
 * computed from the process library: what each unit actually runs, with every registered unit in
 * the denominator (not only the units some improvement was deployed to). Pure: read-model.ts
 * reads the facts.
 */

/** A standard process and its current (published) version number, null while none is published. */
export interface ProcessFact {
  processId: string;
  name: string;
  currentVersion: number | null;
  /** When the current version was published. */
  publishedAt?: Date | null;
}

/** Where one unit stands with one process that applies to it. */
export interface UnitProcessFact {
  unitId: string;
  processId: string;
  /** The version number it runs; null before it adopts any. */
  version: number | null;
  tailored: boolean;
  waived: boolean;
  /** When it adopted the version it runs. */
  since?: Date | null;
}

export interface ProcessUptake {
  processId: string;
  process: string;
  currentVersion: number | null;
  /** Units the process applies to. */
  units: number;
  onCurrent: number;
  waived: number;
  /** Of the units it applies to, those on the current version; null while it applies to none or none is published. */
  percent: number | null;
  /** Units holding a waiver, as a percentage of those it applies to. */
  waivedPercent: number | null;
  /** Units that run it tailored. */
  tailored: number;
  /** Hours from the current version's publication to the last unit's adoption; null until every unit without a waiver runs it. */
  hoursToFullAdoption: number | null;
}

export interface LibraryUptake {
  processes: ProcessUptake[];
  /**
   * Units on the current version of every process that applies to them (at least one, with a
   * published version), out of every registered unit. A waived process counts as not current.
   */
  overall: { units: number; onCurrentSet: number; percent: number | null };
  /** Unit × process pairs (of processes with a published version) on the current version. */
  pairs: { applying: number; onCurrent: number; percent: number | null };
  /** Per unit: how many of its processes it tailored, as a percentage of those that apply to it. */
  tailoringByUnit: { unitId: string; processes: number; tailored: number; percent: number | null }[];
}

const isCurrent = (fact: UnitProcessFact, current: number | null) => current !== null && !fact.waived && fact.version === current;

function hoursToFullAdoption(process: ProcessFact, applying: readonly UnitProcessFact[]): number | null {
  const expected = applying.filter((fact) => !fact.waived);
  if (!process.publishedAt || expected.length === 0 || !expected.every((fact) => isCurrent(fact, process.currentVersion) && fact.since)) return null;
  const last = Math.max(...expected.map((fact) => fact.since!.getTime()));
  return Math.round(((last - process.publishedAt.getTime()) / 3_600_000) * 10) / 10;
}

/** The uptake of the current standard processes, per process, per unit and overall. */
export function libraryUptake(processes: readonly ProcessFact[], unitIds: readonly string[], facts: readonly UnitProcessFact[]): LibraryUptake {
  const current = new Map(processes.map((process) => [process.processId, process.currentVersion]));
  const perProcess = processes.map((process): ProcessUptake => {
    const applying = facts.filter((fact) => fact.processId === process.processId);
    const onCurrent = applying.filter((fact) => isCurrent(fact, process.currentVersion)).length;
    return {
      processId: process.processId,
      process: process.name,
      currentVersion: process.currentVersion,
      units: applying.length,
      onCurrent,
      waived: applying.filter((fact) => fact.waived).length,
      percent: process.currentVersion === null ? null : percentOf(onCurrent, applying.length),
      waivedPercent: percentOf(applying.filter((fact) => fact.waived).length, applying.length),
      tailored: applying.filter((fact) => fact.tailored).length,
      hoursToFullAdoption: hoursToFullAdoption(process, applying),
    };
  });
  const published = facts.filter((fact) => (current.get(fact.processId) ?? null) !== null);
  const onCurrentPairs = published.filter((fact) => isCurrent(fact, current.get(fact.processId) ?? null));
  const onCurrentSet = unitIds.filter((unitId) => {
    const own = published.filter((fact) => fact.unitId === unitId);
    return own.length > 0 && own.every((fact) => isCurrent(fact, current.get(fact.processId) ?? null));
  }).length;
  return {
    processes: perProcess,
    overall: { units: unitIds.length, onCurrentSet, percent: percentOf(onCurrentSet, unitIds.length) },
    pairs: { applying: published.length, onCurrent: onCurrentPairs.length, percent: percentOf(onCurrentPairs.length, published.length) },
    tailoringByUnit: unitIds.map((unitId) => {
      const own = facts.filter((fact) => fact.unitId === unitId);
      const tailored = own.filter((fact) => fact.tailored).length;
      return { unitId, processes: own.length, tailored, percent: percentOf(tailored, own.length) };
    }),
  };
}
