// Improvements opened and closed per week or month [GG2.GP8 sp2].
import type { ImprovementFacts } from './facts';

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
