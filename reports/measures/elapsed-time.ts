// Elapsed time per stage and of deployment, and status against schedule [GG2.GP8 sp1-sp2].
import type { ImprovementFacts, StageSpan } from './facts';

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

const hourMs = 3_600_000;

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
