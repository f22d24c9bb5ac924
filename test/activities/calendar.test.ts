import { describe, expect, it } from 'vitest';
import {
  addDuration,
  computeTaskClock,
  parseDuration,
  subtractDuration,
  type BusinessCalendar,
} from '../../activities/calendar';

const berlin: BusinessCalendar = { timeZone: 'Europe/Berlin', holidays: [] };
const berlinWithGoodFriday: BusinessCalendar = { timeZone: 'Europe/Berlin', holidays: ['2026-04-03'] };

/** Adds `duration` and returns the result as an ISO string, which makes failures readable. */
function add(start: string, duration: string, calendar: BusinessCalendar = berlin): string {
  return addDuration(new Date(start), duration, calendar).toISOString();
}

function subtract(end: string, duration: string, calendar: BusinessCalendar = berlin): string {
  return subtractDuration(new Date(end), duration, calendar).toISOString();
}

function iso(text: string): string {
  return new Date(text).toISOString();
}

describe('addDuration with business days', () => {
  it('moves Friday + 1bd to Monday at the same local time', () => {
    expect(add('2026-03-20T10:00:00+01:00', '1bd')).toBe(iso('2026-03-23T10:00:00+01:00'));
  });

  it('skips a holiday Friday and the weekend: Thursday + 2bd is Tuesday', () => {
    expect(add('2026-04-02T10:00:00+02:00', '2bd', berlinWithGoodFriday)).toBe(iso('2026-04-07T10:00:00+02:00'));
  });

  it('starts a Saturday at 09:00 on Monday, then counts', () => {
    expect(add('2026-03-21T10:00:00+01:00', '0bd')).toBe(iso('2026-03-23T09:00:00+01:00'));
    expect(add('2026-03-21T10:00:00+01:00', '1bd')).toBe(iso('2026-03-24T09:00:00+01:00'));
  });

  it('treats a holiday start like a weekend start', () => {
    expect(add('2026-04-03T15:00:00+02:00', '1bd', berlinWithGoodFriday)).toBe(iso('2026-04-07T09:00:00+02:00'));
  });

  it('returns a business-day start unchanged for 0bd', () => {
    expect(add('2026-03-20T10:00:12.345+01:00', '0bd')).toBe(iso('2026-03-20T10:00:12.345+01:00'));
  });

  it('keeps the local time across the spring DST change in Berlin', () => {
    // Friday 10:00 CET is 09:00Z; Monday 10:00 CEST is 08:00Z.
    expect(add('2026-03-27T09:00:00Z', '1bd')).toBe('2026-03-30T08:00:00.000Z');
  });

  it('keeps the local time across the autumn DST change in Berlin', () => {
    // Friday 10:00 CEST is 08:00Z; Monday 10:00 CET is 09:00Z.
    expect(add('2026-10-23T08:00:00Z', '1bd')).toBe('2026-10-26T09:00:00.000Z');
  });

  it('reads weekends in the calendar time zone, not in UTC', () => {
    // Friday 23:30Z is Saturday 00:30 in Berlin.
    expect(add('2026-03-20T23:30:00Z', '1bd')).toBe(iso('2026-03-24T09:00:00+01:00'));
    // Friday 22:00 in New York is Saturday 02:00Z, yet still a Friday there.
    const newYork: BusinessCalendar = { timeZone: 'America/New_York', holidays: [] };
    expect(add('2026-03-20T22:00:00-04:00', '1bd', newYork)).toBe(iso('2026-03-23T22:00:00-04:00'));
  });

  it('moves a local time that a weekday DST change skips forward by the gap', () => {
    // Jerusalem springs forward on Friday 2026-03-27 at 02:00, so Friday 02:30 does not exist.
    const jerusalem: BusinessCalendar = { timeZone: 'Asia/Jerusalem', holidays: [] };
    expect(add('2026-03-26T02:30:00+02:00', '1bd', jerusalem)).toBe(iso('2026-03-27T03:30:00+03:00'));
  });

  it('takes the earlier of a local time that a weekday DST change repeats', () => {
    // Cairo falls back at midnight ending Thursday 2026-10-29, so Thursday 23:30 happens twice.
    const cairo: BusinessCalendar = { timeZone: 'Africa/Cairo', holidays: [] };
    expect(add('2026-10-28T23:30:00+03:00', '1bd', cairo)).toBe(iso('2026-10-29T23:30:00+03:00'));
  });
});

describe('addDuration with elapsed units', () => {
  const start = '2026-03-27T09:00:00Z';

  it.each([
    ['30s', '2026-03-27T09:00:30.000Z'],
    ['5m', '2026-03-27T09:05:00.000Z'],
    ['2h', '2026-03-27T11:00:00.000Z'],
    // 72 hours, so the Berlin wall clock moves from 10:00 to 11:00 across the DST change.
    ['3d', '2026-03-30T09:00:00.000Z'],
  ])('adds %s', (duration, expected) => {
    expect(add(start, duration)).toBe(expected);
  });
});

describe('subtractDuration', () => {
  it('goes back from Monday over the weekend to Friday at the same local time', () => {
    expect(subtract('2026-03-23T10:00:00+01:00', '1bd')).toBe(iso('2026-03-20T10:00:00+01:00'));
  });

  it('goes back over a holiday and across the DST change', () => {
    expect(subtract('2026-04-07T10:00:00+02:00', '2bd', berlinWithGoodFriday)).toBe(iso('2026-04-02T10:00:00+02:00'));
    expect(subtract('2026-03-30T10:00:00+02:00', '1bd')).toBe(iso('2026-03-27T10:00:00+01:00'));
  });

  it('counts the business day before a weekend end as the first one back', () => {
    expect(subtract('2026-03-21T10:00:00+01:00', '1bd')).toBe(iso('2026-03-20T10:00:00+01:00'));
  });

  it('undoes addDuration from a business day', () => {
    const start = '2026-03-25T16:45:00+01:00';
    const due = add(start, '5bd', berlinWithGoodFriday);
    expect(subtract(due, '5bd', berlinWithGoodFriday)).toBe(iso(start));
  });

  it('subtracts elapsed units', () => {
    expect(subtract('2026-03-27T09:00:00Z', '2h')).toBe('2026-03-27T07:00:00.000Z');
    expect(subtract('2026-03-27T09:00:00Z', '0bd')).toBe('2026-03-27T09:00:00.000Z');
  });
});

describe('computeTaskClock', () => {
  const now = new Date('2026-03-23T10:00:00Z');

  it('reminds before and escalates after the due time', () => {
    const clock = computeTaskClock(now, { due: '6s', remindBefore: '3s', escalateAfter: '3s' }, berlin);
    expect(clock).toEqual({
      dueAt: new Date('2026-03-23T10:00:06Z'),
      remindAt: new Date('2026-03-23T10:00:03Z'),
      escalateAt: new Date('2026-03-23T10:00:09Z'),
    });
  });

  it('reminds halfway to the due time when the reminder would fall before now', () => {
    const clock = computeTaskClock(now, { due: '2h', remindBefore: '3h', escalateAfter: '1h' }, berlin);
    expect(clock.dueAt).toEqual(new Date('2026-03-23T12:00:00Z'));
    expect(clock.remindAt).toEqual(new Date('2026-03-23T11:00:00Z'));
    expect(clock.escalateAt).toEqual(new Date('2026-03-23T13:00:00Z'));
  });

  it('keeps a reminder that falls exactly at now', () => {
    const clock = computeTaskClock(now, { due: '3s', remindBefore: '3s', escalateAfter: '0s' }, berlin);
    expect(clock.remindAt).toEqual(now);
  });

  it('counts every part in business days', () => {
    const friday = new Date('2026-03-20T10:00:00+01:00');
    const clock = computeTaskClock(friday, { due: '2bd', remindBefore: '1bd', escalateAfter: '1bd' }, berlin);
    expect(clock).toEqual({
      dueAt: new Date('2026-03-24T10:00:00+01:00'),
      remindAt: new Date('2026-03-23T10:00:00+01:00'),
      escalateAt: new Date('2026-03-25T10:00:00+01:00'),
    });
  });
});

describe('parseDuration', () => {
  it.each([
    ['2bd', { amount: 2, unit: 'bd' }],
    ['3d', { amount: 3, unit: 'd' }],
    ['4h', { amount: 4, unit: 'h' }],
    ['30m', { amount: 30, unit: 'm' }],
    ['0s', { amount: 0, unit: 's' }],
  ])('reads %s', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each([
    ['', /^Duration is empty/],
    ['5 days', /^Invalid duration "5 days": expected a whole number directly followed by a unit/],
    ['1w', /^Unknown unit "w" in duration "1w"; use bd, d, h, m or s$/],
    ['-1h', /^Invalid duration "-1h"/],
    ['1.5h', /^Invalid duration "1.5h"/],
    ['h', /^Invalid duration "h"/],
    ['1000000bd', /^Duration "1000000bd" is too large$/],
  ])('rejects %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });
});

describe('calendar and date checks', () => {
  const start = new Date('2026-03-20T10:00:00Z');

  it('names an unknown time zone', () => {
    expect(() => addDuration(start, '1bd', { timeZone: 'Mars/Olympus', holidays: [] })).toThrow(
      'Unknown time zone "Mars/Olympus" in the business calendar',
    );
  });

  it('names a holiday that is not a YYYY-MM-DD date', () => {
    for (const holiday of ['2026-02-30', '3.4.2026']) {
      expect(() => addDuration(start, '1bd', { timeZone: 'Europe/Berlin', holidays: [holiday] })).toThrow(
        `Holiday "${holiday}" is not a date in the form YYYY-MM-DD`,
      );
    }
  });

  it('rejects an invalid start date and a result beyond what a Date can hold', () => {
    expect(() => addDuration(new Date('not a date'), '1h', berlin)).toThrow('start is not a valid date');
    expect(() => addDuration(start, '9007199254740991s', berlin)).toThrow('goes beyond the dates a Date can hold');
  });
});
