/**
 * The measures the ORPG tracks to measure and control the organisational process focus
 * process [OPF GG2.GP8 sp1-sp2]: acceptance and implementation of proposals, where
 * improvements come from, elapsed time and schedule of deployment, uptake of the current
 * standard processes by organisational units, waivers, tailoring and issue trends.
 *
 * The files of reports/measures/ each hold one family of them. Every function there is pure: it takes plain arrays built from the read model
 * (`Improvement`, `ImprovementEvent`, `Task` rows) and returns plain data. No I/O.
 */

/** Facts about one improvement, flattened from its read-model row and `details`. */
export interface ImprovementFacts {
  id: string;
  stage: string;
  status: string;
  source: string;
  /** The standard process the improvement changes. */
  process: string;
  createdAt: Date;
  /** When the improvement ended (closed, rejected, withdrawn or abandoned). */
  closedAt?: Date;
  /** true once a process action plan was approved */
  planned: boolean;
  /** true once implementation finished (all actions complete) */
  implemented: boolean;
  /** planned completion date, if any (latest action due) */
  plannedFinish?: Date;
  /** How each organisational unit took up the improvement [SG3.SP2]; empty before deployment. */
  units: UnitFacts[];
}

/** One organisational unit's deployment of one improvement. */
export interface UnitFacts {
  unitId: string;
  status: 'pending' | 'adopted' | 'waived';
  tailored: boolean;
  waiverRequested: boolean;
  waiverRefused: number;
}

/** A period an improvement spent in one stage, from its history; `leftAt` is absent while it is still there. */
export interface StageSpan {
  improvementId: string;
  stage: string;
  enteredAt: Date;
  leftAt?: Date;
}

/** A count out of a total, with the percentage (null when the total is 0). */
export interface Share {
  count: number;
  percent: number | null;
}

/** `count / total` as a percentage rounded to one decimal; null when the total is 0. */
export function percentOf(count: number, total: number): number | null {
  if (total === 0) return null;
  return Math.round((count / total) * 1000) / 10;
}

/** `count` out of `total`, with its percentage. */
export function share(count: number, total: number): Share {
  return { count, percent: percentOf(count, total) };
}
