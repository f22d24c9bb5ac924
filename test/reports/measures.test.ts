import { describe, expect, it } from 'vitest';
import { toCsv } from '../../reports/csv';
import { deploymentElapsed, elapsedByStage, scheduleStatus } from '../../reports/measures/elapsed-time';
import type { ImprovementFacts, StageSpan, UnitFacts } from '../../reports/measures/facts';
import { issueTrend } from '../../reports/measures/issue-trend';
import { tailoringCounts, unitsOnCurrentVersion, waiversPerProcess } from '../../reports/measures/process-uptake';
import { acceptanceRate, implementationRate, shareBySource } from '../../reports/measures/proposals';

const hour = 3_600_000;
const t0 = new Date('2024-01-01T00:00:00Z');

let seq = 0;
function improvement(overrides: Partial<ImprovementFacts> = {}): ImprovementFacts {
  seq += 1;
  return {
    id: `imp-${seq}`,
    stage: 'review',
    status: 'active',
    source: 'staff-proposal',
    process: 'incident-management',
    createdAt: t0,
    planned: false,
    implemented: false,
    units: [],
    ...overrides,
  };
}

function unit(unitId: string, status: UnitFacts['status'], overrides: Partial<UnitFacts> = {}): UnitFacts {
  return { unitId, status, tailored: false, waiverRequested: status === 'waived', waiverRefused: 0, ...overrides };
}

function span(stage: string, hours: number | undefined, improvementId = 'imp'): StageSpan {
  return {
    improvementId,
    stage,
    enteredAt: t0,
    leftAt: hours === undefined ? undefined : new Date(t0.getTime() + hours * hour),
  };
}

describe('acceptanceRate', () => {
  it('counts 3 accepted of 5 reviewed as 60.0% and ignores proposals still under review', () => {
    // accepted: prioritisation, closed, and withdrawn-after-planning (planned) = 3
    // rejected: 2; still in review / revision: not decided → decided = 5, 3/5 = 60.0%
    const rows = [
      improvement({ stage: 'prioritisation' }),
      improvement({ stage: 'closed', status: 'closed', planned: true, implemented: true }),
      improvement({ stage: 'withdrawn', status: 'withdrawn', planned: true }),
      improvement({ stage: 'rejected', status: 'rejected' }),
      improvement({ stage: 'rejected', status: 'rejected' }),
      improvement({ stage: 'review' }),
      improvement({ stage: 'revision' }),
    ];
    expect(acceptanceRate(rows)).toEqual({ accepted: 3, decided: 5, percent: 60 });
  });

  it('rounds to one decimal: 2 of 3 → 66.7%', () => {
    // 2/3 = 66.666…% → 66.7
    const rows = [
      improvement({ stage: 'deployment' }),
      improvement({ stage: 'deferred' }),
      improvement({ stage: 'rejected', status: 'rejected' }),
    ];
    expect(acceptanceRate(rows)).toEqual({ accepted: 2, decided: 3, percent: 66.7 });
  });

  it('does not count a proposal withdrawn before any plan as decided', () => {
    // withdrawn in review: neither accepted nor rejected → nothing decided → null
    expect(acceptanceRate([improvement({ stage: 'withdrawn', status: 'withdrawn' })])).toEqual({
      accepted: 0,
      decided: 0,
      percent: null,
    });
  });

  it('gives a null percent for no improvements', () => {
    expect(acceptanceRate([])).toEqual({ accepted: 0, decided: 0, percent: null });
  });
});

describe('implementationRate', () => {
  it('counts 1 implemented of 4 planned as 25.0%, ignoring unplanned ones', () => {
    // planned: 4 (one implemented); the unplanned one, even if flagged implemented, is ignored
    const rows = [
      improvement({ planned: true, implemented: true, stage: 'closed' }),
      improvement({ planned: true, stage: 'implementation' }),
      improvement({ planned: true, stage: 'implementation' }),
      improvement({ planned: true, stage: 'abandoned', status: 'abandoned' }),
      improvement({ planned: false, implemented: true }),
    ];
    expect(implementationRate(rows)).toEqual({ implemented: 1, planned: 4, percent: 25 });
  });

  it('gives a null percent when nothing was planned', () => {
    expect(implementationRate([improvement()])).toEqual({ implemented: 0, planned: 0, percent: null });
  });
});

describe('shareBySource', () => {
  it('groups every source other than appraisal and lessons learned as other', () => {
    // 8 in all: appraisal 2 → 25.0%, lessons-learned 1 → 12.5%, other 5 → 62.5%
    const sources = ['appraisal', 'appraisal', 'lessons-learned', 'incident', 'measurement', 'audit', 'staff-proposal', 'staff-proposal'];
    expect(shareBySource(sources.map((source) => improvement({ source })))).toEqual({
      appraisal: { count: 2, percent: 25 },
      'lessons-learned': { count: 1, percent: 12.5 },
      other: { count: 5, percent: 62.5 },
      total: 8,
    });
  });

  it('gives null percents for no improvements', () => {
    expect(shareBySource([])).toEqual({
      appraisal: { count: 0, percent: null },
      'lessons-learned': { count: 0, percent: null },
      other: { count: 0, percent: null },
      total: 0,
    });
  });
});

describe('elapsedByStage', () => {
  it('gives median 5.5 and p90 9 for spans of 1..10 hours', () => {
    // sorted 1..10: median = (5 + 6) / 2 = 5.5; p90 rank = ceil(0.9 × 10) = 9 → 9 hours
    const spans = [7, 3, 10, 1, 9, 2, 8, 4, 6, 5].map((h) => span('review', h));
    expect(elapsedByStage(spans)).toEqual({ review: { count: 10, medianHours: 5.5, p90Hours: 9 } });
  });

  it('uses the middle value for odd counts and leaves open spans out', () => {
    // planning: 2, 4, 30 (+ one open span ignored) → median 4; p90 rank ceil(2.7) = 3 → 30
    // audit: a single 0.5-hour span → median 0.5, p90 rank ceil(0.9) = 1 → 0.5
    const spans = [span('planning', 30), span('planning', 2), span('planning', undefined), span('planning', 4), span('audit', 0.5)];
    expect(elapsedByStage(spans)).toEqual({
      planning: { count: 3, medianHours: 4, p90Hours: 30 },
      audit: { count: 1, medianHours: 0.5, p90Hours: 0.5 },
    });
  });

  it('omits stages with only open spans, and gives {} for no spans', () => {
    expect(elapsedByStage([span('pilot', undefined)])).toEqual({});
    expect(elapsedByStage([])).toEqual({});
  });

  it('leaves out a span that ends before it starts', () => {
    expect(elapsedByStage([span('review', -2), span('review', 6)])).toEqual({
      review: { count: 1, medianHours: 6, p90Hours: 6 },
    });
  });
});

describe('deploymentElapsed', () => {
  it('takes only deployment spans', () => {
    // deployment: 24, 48, 72, 96 → median (48 + 72) / 2 = 60; p90 rank ceil(3.6) = 4 → 96
    const spans = [span('deployment', 48), span('deployment', 96), span('review', 1000), span('deployment', 24), span('deployment', 72)];
    expect(deploymentElapsed(spans)).toEqual({ count: 4, medianHours: 60, p90Hours: 96 });
  });

  it('gives count 0 and null hours when no deployment has finished', () => {
    expect(deploymentElapsed([span('deployment', undefined), span('review', 3)])).toEqual({
      count: 0,
      medianHours: null,
      p90Hours: null,
    });
  });
});

describe('scheduleStatus', () => {
  it('sorts active improvements into on schedule, late and unplanned', () => {
    const now = new Date('2024-06-15T12:00:00Z');
    const before = new Date('2024-06-01T00:00:00Z');
    const after = new Date('2024-07-01T00:00:00Z');
    const rows = [
      improvement({ stage: 'implementation', plannedFinish: after }), // on schedule: not yet due
      improvement({ stage: 'implementation', plannedFinish: now }), // on schedule: due exactly now
      improvement({ stage: 'deployment', implemented: true, plannedFinish: before }), // on schedule: implemented
      improvement({ stage: 'implementation', plannedFinish: before }), // late
      improvement({ stage: 'prioritisation' }), // unplanned
      improvement({ stage: 'closed', status: 'closed', plannedFinish: before }), // not active: ignored
    ];
    expect(scheduleStatus(rows, now)).toEqual({ onSchedule: 3, late: 1, unplanned: 1 });
  });

  it('gives zeros for no improvements', () => {
    expect(scheduleStatus([], t0)).toEqual({ onSchedule: 0, late: 0, unplanned: 0 });
  });
});

describe('unitsOnCurrentVersion', () => {
  it("judges each unit by its latest deployment of the process, whatever the input order", () => {
    // incident-management, units A, B, C, D:
    //   older (Jan): A adopted, B adopted, C waived
    //   newer (Mar): A adopted (tailored), B pending, D adopted
    //   latest per unit: A adopted, B pending, C waived, D adopted → 2 of 4 = 50.0%
    // vulnerability-management: X adopted → 1 of 1 = 100%
    const rows = [
      improvement({
        createdAt: new Date('2024-03-01T00:00:00Z'),
        units: [unit('A', 'adopted', { tailored: true }), unit('B', 'pending'), unit('D', 'adopted')],
      }),
      improvement({
        createdAt: new Date('2024-01-01T00:00:00Z'),
        units: [unit('A', 'adopted'), unit('B', 'adopted'), unit('C', 'waived')],
      }),
      improvement({ process: 'vulnerability-management', units: [unit('X', 'adopted')] }),
    ];
    expect(unitsOnCurrentVersion(rows)).toEqual({
      'incident-management': { units: 4, current: 2, percent: 50 },
      'vulnerability-management': { units: 1, current: 1, percent: 100 },
    });
  });

  it('gives a null percent for a process never deployed to any unit', () => {
    expect(unitsOnCurrentVersion([improvement({ stage: 'planning' })])).toEqual({
      'incident-management': { units: 0, current: 0, percent: null },
    });
    expect(unitsOnCurrentVersion([])).toEqual({});
  });
});

describe('waiversPerProcess', () => {
  it('counts waived units as granted and sums refusals per process', () => {
    // incident-management: waived B and C → granted 2; refusals 1 (A) + 2 (D) = 3
    // asset-management: no waivers, 1 refusal
    const rows = [
      improvement({ units: [unit('A', 'adopted', { waiverRequested: true, waiverRefused: 1 }), unit('B', 'waived')] }),
      improvement({ units: [unit('C', 'waived'), unit('D', 'pending', { waiverRequested: true, waiverRefused: 2 })] }),
      improvement({ process: 'asset-management', units: [unit('E', 'adopted', { waiverRequested: true, waiverRefused: 1 })] }),
    ];
    expect(waiversPerProcess(rows)).toEqual({
      'incident-management': { granted: 2, refused: 3 },
      'asset-management': { granted: 0, refused: 1 },
    });
  });
});

describe('tailoringCounts', () => {
  it('counts tailored units that adopted, per process', () => {
    // incident-management: A tailored+adopted, C tailored+adopted; B tailored but pending; D adopted untailored → 2
    // asset-management: none tailored → 0
    const rows = [
      improvement({ units: [unit('A', 'adopted', { tailored: true }), unit('B', 'pending', { tailored: true })] }),
      improvement({ units: [unit('C', 'adopted', { tailored: true }), unit('D', 'adopted')] }),
      improvement({ process: 'asset-management', units: [unit('E', 'adopted')] }),
    ];
    expect(tailoringCounts(rows)).toEqual({ 'incident-management': 2, 'asset-management': 0 });
  });
});

describe('issueTrend', () => {
  it('puts a week crossing a month boundary under its Monday, with empty weeks included', () => {
    // 2024-01-29 is a Monday; its ISO week runs to Sun 2024-02-04.
    // from Wed 2024-01-24 (week of Mon 01-22) to Tue 2024-02-13 (week of Mon 02-12): 4 buckets.
    //   opened Tue 01-30 and Sat 02-03 → week 01-29; closed Sun 02-04 23:59 → week 01-29
    //   opened Mon 02-12 00:00 → week 02-12; week 02-05 empty
    //   created 2024-01-20 (before from) and closed 2024-02-20 (after to) are not counted
    const rows = [
      improvement({ createdAt: new Date('2024-01-30T10:00:00Z') }),
      improvement({ createdAt: new Date('2024-02-03T10:00:00Z'), closedAt: new Date('2024-02-04T23:59:00Z') }),
      improvement({ createdAt: new Date('2024-02-12T00:00:00Z') }),
      improvement({ createdAt: new Date('2024-01-20T00:00:00Z'), closedAt: new Date('2024-02-20T00:00:00Z') }),
    ];
    const trend = issueTrend(rows, { from: new Date('2024-01-24T00:00:00Z'), to: new Date('2024-02-13T00:00:00Z'), bucket: 'week' });
    expect(trend).toEqual([
      { bucket: '2024-01-22', opened: 0, closed: 0 },
      { bucket: '2024-01-29', opened: 2, closed: 1 },
      { bucket: '2024-02-05', opened: 0, closed: 0 },
      { bucket: '2024-02-12', opened: 1, closed: 0 },
    ]);
  });

  it('buckets by calendar month in UTC, across a year end', () => {
    // Nov: opened 11-30T23:30Z; Dec: nothing; Jan: opened 01-01T00:00Z, closed 01-31 (the Nov one)
    const rows = [
      improvement({ createdAt: new Date('2023-11-30T23:30:00Z'), closedAt: new Date('2024-01-31T12:00:00Z') }),
      improvement({ createdAt: new Date('2024-01-01T00:00:00Z') }),
    ];
    const trend = issueTrend(rows, { from: new Date('2023-11-01T00:00:00Z'), to: new Date('2024-01-31T23:59:59Z'), bucket: 'month' });
    expect(trend).toEqual([
      { bucket: '2023-11', opened: 1, closed: 0 },
      { bucket: '2023-12', opened: 0, closed: 0 },
      { bucket: '2024-01', opened: 1, closed: 1 },
    ]);
  });

  it('gives empty buckets for no improvements and [] when from is after to', () => {
    // Sun 2024-03-03 is in the week of Mon 02-26; Mon 03-04 starts the next week
    expect(issueTrend([], { from: new Date('2024-03-03T12:00:00Z'), to: new Date('2024-03-04T00:00:00Z'), bucket: 'week' })).toEqual([
      { bucket: '2024-02-26', opened: 0, closed: 0 },
      { bucket: '2024-03-04', opened: 0, closed: 0 },
    ]);
    expect(issueTrend([], { from: new Date('2024-03-05T00:00:00Z'), to: new Date('2024-03-04T00:00:00Z'), bucket: 'month' })).toEqual([]);
  });
});

describe('toCsv', () => {
  it('quotes fields holding a comma, quote, CR or LF and doubles the quotes', () => {
    // `a,"b"` + LF → "a,""b""<LF>"; CR alone is quoted too; null → empty; numbers as written
    const csv = toCsv([
      { process: 'a,"b"\n', percent: 62.5, note: null },
      { process: 'plain', percent: null, note: 'x\ry' },
    ]);
    expect(csv).toBe('process,percent,note\r\n"a,""b""\n",62.5,\r\nplain,,"x\ry"\r\n');
  });

  it('prefixes text that a spreadsheet would read as a formula with a quote, but not numbers', () => {
    expect(toCsv([{ a: '=1+1', b: '+1', c: '-x', d: '@SUM(A1)', e: '\tx', f: '\rx', g: -5, h: 'a=b' }])).toBe(
      `a,b,c,d,e,f,g,h\r\n'=1+1,'+1,'-x,'@SUM(A1),'\tx,"'\rx",-5,a=b\r\n`,
    );
  });

  it('takes the columns from the first row, leaving missing keys empty', () => {
    expect(toCsv([{ a: 1, b: 'two' }, { b: 'only b', c: 'ignored' }])).toBe('a,b\r\n1,two\r\n,only b\r\n');
  });

  it('quotes a header that needs it, and gives an empty string for no rows', () => {
    expect(toCsv([{ 'units, current': 3 }])).toBe('"units, current"\r\n3\r\n');
    expect(toCsv([])).toBe('');
  });
});
