/**
 * The measures the ORPG tracks to measure and control the organisational process focus
 * process [OPF GG2.GP8 sp1-sp2]: acceptance and implementation of proposals, where
 * improvements come from, elapsed time and schedule of deployment, uptake of the current
 * standard processes by organisational units, waivers, tailoring and issue trends.
 *
 * Every function here is pure: it takes plain arrays built from the read model
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

export interface AcceptanceRate {
  accepted: number;
  decided: number;
  percent: number | null;
}

export interface ImplementationRate {
  implemented: number;
  planned: number;
  percent: number | null;
}

export interface SourceShares {
  appraisal: Share;
  'lessons-learned': Share;
  other: Share;
  total: number;
}

/** Elapsed-time statistics in hours; the hours are null when there are no completed spans. */
export interface ElapsedStats {
  count: number;
  medianHours: number | null;
  p90Hours: number | null;
}

export interface ScheduleStatus {
  onSchedule: number;
  late: number;
  /** Active improvements with no planned completion date yet. */
  unplanned: number;
}

export interface UnitUptake {
  units: number;
  current: number;
  percent: number | null;
}

export interface WaiverCounts {
  granted: number;
  refused: number;
}

export interface TrendOptions {
  from: Date;
  to: Date;
  bucket: 'week' | 'month';
}

export interface TrendBucket {
  /** 'YYYY-MM-DD' of the Monday starting the ISO week, or 'YYYY-MM' of the month (UTC). */
  bucket: string;
  opened: number;
  closed: number;
}

export type CsvRow = Record<string, string | number | null>;

const hourMs = 3_600_000;

/** Stages an improvement reaches only after the ORPG accepted the proposal at review. */
const stagesPastReview: ReadonlySet<string> = new Set([
  'prioritisation',
  'deferred',
  'planning',
  'implementation',
  'pilot',
  'deployment',
  'audit',
  'lessons',
  'closed',
]);

/** `count / total` as a percentage rounded to one decimal; null when the total is 0. */
export function percentOf(count: number, total: number): number | null {
  if (total === 0) return null;
  return Math.round((count / total) * 1000) / 10;
}

function share(count: number, total: number): Share {
  return { count, percent: percentOf(count, total) };
}

function isAccepted(improvement: ImprovementFacts): boolean {
  return improvement.planned || stagesPastReview.has(improvement.stage);
}

/**
 * Percentage of process improvement proposals accepted [GG2.GP8 sp2].
 *
 * accepted = an approved action plan exists, or the improvement is in a stage past review
 * (prioritisation through closed). decided = accepted + rejected (status 'rejected' and not
 * accepted). Proposals still in review or revision, and those withdrawn or abandoned before
 * a plan was approved, are not counted at all.
 */
export function acceptanceRate(improvements: readonly ImprovementFacts[]): AcceptanceRate {
  const accepted = improvements.filter(isAccepted).length;
  const rejected = improvements.filter((i) => !isAccepted(i) && i.status === 'rejected').length;
  const decided = accepted + rejected;
  return { accepted, decided, percent: percentOf(accepted, decided) };
}

/**
 * Percentage of planned process improvements implemented [GG2.GP8 sp2]: of the improvements
 * with an approved action plan, how many finished all their actions.
 */
export function implementationRate(improvements: readonly ImprovementFacts[]): ImplementationRate {
  const plannedOnes = improvements.filter((i) => i.planned);
  const implemented = plannedOnes.filter((i) => i.implemented).length;
  return { implemented, planned: plannedOnes.length, percent: percentOf(implemented, plannedOnes.length) };
}

/**
 * Percentage of improvements resulting from appraisals, and from experience reports and
 * lessons learned [GG2.GP8 sp2]; every other source (incident, measurement, audit,
 * staff proposal) is grouped as 'other'.
 */
export function shareBySource(improvements: readonly ImprovementFacts[]): SourceShares {
  const total = improvements.length;
  const appraisal = improvements.filter((i) => i.source === 'appraisal').length;
  const lessons = improvements.filter((i) => i.source === 'lessons-learned').length;
  return {
    appraisal: share(appraisal, total),
    'lessons-learned': share(lessons, total),
    other: share(total - appraisal - lessons, total),
    total,
  };
}

/** Median of an ascending list: the middle value, or the mean of the two middle values. */
function median(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const upper = sorted[Math.floor(n / 2)] ?? 0;
  if (n % 2 === 1) return upper;
  const lower = sorted[n / 2 - 1] ?? 0;
  return (lower + upper) / 2;
}

/** Nearest-rank percentile of an ascending list: the value at rank ceil(p/100 × n). */
function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** Hours spent in the span, or null while it is still open (or when it ends before it starts). */
function spanHours(span: StageSpan): number | null {
  if (!span.leftAt) return null;
  const ms = span.leftAt.getTime() - span.enteredAt.getTime();
  return ms >= 0 ? ms / hourMs : null;
}

function stats(hours: readonly number[]): ElapsedStats {
  const sorted = [...hours].sort((a, b) => a - b);
  return { count: sorted.length, medianHours: median(sorted), p90Hours: nearestRank(sorted, 90) };
}

/**
 * Elapsed time per lifecycle stage [GG2.GP8 sp1]: count, median and 90th percentile (nearest
 * rank) in hours over completed spans. Open spans, and spans that end before they start,
 * are left out; a stage appears only when it has at least one completed span.
 */
export function elapsedByStage(spans: readonly StageSpan[]): Record<string, ElapsedStats> {
  const byStage = new Map<string, number[]>();
  for (const span of spans) {
    const hours = spanHours(span);
    if (hours === null) continue;
    const list = byStage.get(span.stage) ?? [];
    list.push(hours);
    byStage.set(span.stage, list);
  }
  const result: Record<string, ElapsedStats> = {};
  for (const [stage, hours] of byStage) result[stage] = stats(hours);
  return result;
}

/**
 * Elapsed time for deployment of an organisational process asset [GG2.GP8 sp2]: the
 * statistics of `elapsedByStage` for the 'deployment' stage (count 0 and null hours when
 * no deployment has finished).
 */
export function deploymentElapsed(spans: readonly StageSpan[]): ElapsedStats {
  return elapsedByStage(spans.filter((span) => span.stage === 'deployment')).deployment ?? stats([]);
}

/**
 * Status against schedule [GG2.GP8 sp2] of the active improvements. With a planned finish:
 * on schedule when implemented, or not yet implemented and `now` is not past the planned
 * finish; late when not implemented and `now` is past it. Without one: unplanned.
 */
export function scheduleStatus(improvements: readonly ImprovementFacts[], now: Date): ScheduleStatus {
  const result: ScheduleStatus = { onSchedule: 0, late: 0, unplanned: 0 };
  for (const improvement of improvements) {
    if (improvement.status !== 'active') continue;
    const finish = improvement.plannedFinish;
    if (!finish) result.unplanned += 1;
    else if (!improvement.implemented && now.getTime() > finish.getTime()) result.late += 1;
    else result.onSchedule += 1;
  }
  return result;
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

/** Start (UTC midnight) of the ISO week (Monday) or calendar month holding `date`. */
function bucketStart(date: Date, bucket: TrendOptions['bucket']): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  if (bucket === 'month') return new Date(Date.UTC(y, m, 1));
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(y, m, date.getUTCDate() - sinceMonday));
}

function nextBucket(start: Date, bucket: TrendOptions['bucket']): Date {
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  if (bucket === 'month') return new Date(Date.UTC(y, m + 1, 1));
  return new Date(Date.UTC(y, m, start.getUTCDate() + 7));
}

function bucketLabel(start: Date, bucket: TrendOptions['bucket']): string {
  const day = start.toISOString().slice(0, 10);
  return bucket === 'month' ? day.slice(0, 7) : day;
}

/**
 * Issue trends [GG2.GP8 sp2]: improvements opened (createdAt) and closed (closedAt) per
 * ISO week (Monday, UTC) or calendar month (UTC), every bucket from the one holding `from`
 * to the one holding `to`, in order, empty ones included. Only dates within [from, to]
 * (inclusive) count, so the first and last buckets may be partial. from > to gives [].
 */
export function issueTrend(improvements: readonly ImprovementFacts[], options: TrendOptions): TrendBucket[] {
  const { from, to, bucket } = options;
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new RangeError('issueTrend: invalid from or to date');
  if (from.getTime() > to.getTime()) return [];
  const buckets = new Map<string, TrendBucket>();
  for (let start = bucketStart(from, bucket); start.getTime() <= to.getTime(); start = nextBucket(start, bucket)) {
    const label = bucketLabel(start, bucket);
    buckets.set(label, { bucket: label, opened: 0, closed: 0 });
  }
  const bucketFor = (date: Date | undefined): TrendBucket | undefined => {
    if (!date || date.getTime() < from.getTime() || date.getTime() > to.getTime()) return undefined;
    return buckets.get(bucketLabel(bucketStart(date, bucket), bucket));
  };
  for (const improvement of improvements) {
    const opened = bucketFor(improvement.createdAt);
    if (opened) opened.opened += 1;
    const closed = bucketFor(improvement.closedAt);
    if (closed) closed.closed += 1;
  }
  return [...buckets.values()];
}

/** Text a spreadsheet would read as a formula (OWASP CSV injection): `=`, `+`, `-`, `@`, tab or CR first. */
const formulaStart = /^[=+\-@\t\r]/;

function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  // Numbers (negative ones too) stay numbers; text that could be a formula is prefixed with ' so it stays text.
  const text = typeof value === 'string' && formulaStart.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * RFC 4180 CSV of report rows, for the ORPG's periodic reviews [GG2.GP8 sp3]: a header row
 * from the first row's keys, then one record per row (keys missing from a row and null
 * values give empty fields), CRLF after every record. No rows give ''. Text beginning with
 * `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`, so a spreadsheet does not run it.
 */
export function toCsv(rows: readonly CsvRow[]): string {
  const first = rows[0];
  if (!first) return '';
  const columns = Object.keys(first);
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column])).join(','));
  return lines.map((line) => `${line}\r\n`).join('');
}
