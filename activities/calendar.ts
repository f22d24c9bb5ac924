/** The organisation's working calendar. */
export interface BusinessCalendar {
  /** IANA time zone, e.g. 'Europe/Berlin', in which weekends, holidays and times of day are read. */
  timeZone: string;
  /** Local dates ('YYYY-MM-DD') in `timeZone` that are not working days. */
  holidays: string[];
}

/** The clock of one human task created at `now`. */
export interface TaskClock {
  dueAt: Date;
  remindAt: Date;
  escalateAt: Date;
}

type DurationUnit = 'bd' | 'd' | 'h' | 'm' | 's';
type ElapsedUnit = Exclude<DurationUnit, 'bd'>;

const DURATION_UNITS: readonly DurationUnit[] = ['bd', 'd', 'h', 'm', 's'];
const MILLISECONDS_PER_UNIT: Record<ElapsedUnit, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MILLISECONDS_PER_DAY = 86_400_000;
const DURATION_EXAMPLES = '"2bd", "3d", "4h", "30m" or "45s"';
/** Business days are counted one day at a time; beyond this (some 380 years) the count would stall the worker. */
const MAX_BUSINESS_DAYS = 100_000;

const START_OF_DAY: TimeOfDay = { hour: 0, minute: 0, second: 0, millisecond: 0 };
/** Where counting starts when a business-day duration begins on a weekend or holiday. */
const START_OF_BUSINESS_DAY: TimeOfDay = { hour: 9, minute: 0, second: 0, millisecond: 0 };

/** A local date as whole days since 1970-01-01, so stepping a day is `+ 1` and never meets a DST change. */
type EpochDay = number;

interface TimeOfDay {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

interface LocalDateTime extends TimeOfDay {
  year: number;
  month: number;
  day: number;
}

/** A calendar whose time zone and holidays have been checked. */
interface WorkingDays {
  timeZone: string;
  holidays: ReadonlySet<string>;
}

/** Throws an Error whose message names the problem when the text is not a valid duration. */
export function parseDuration(text: string): { amount: number; unit: DurationUnit } {
  if (text === '') {
    throw new Error(`Duration is empty; expected a whole number and a unit, e.g. ${DURATION_EXAMPLES}`);
  }
  const match = /^(\d+)([a-z]+)$/i.exec(text);
  if (!match) {
    throw new Error(`Invalid duration "${text}": expected a whole number directly followed by a unit, e.g. ${DURATION_EXAMPLES}`);
  }
  const [, digits = '', unit = ''] = match;
  if (!isDurationUnit(unit)) {
    throw new Error(`Unknown unit "${unit}" in duration "${text}"; use bd, d, h, m or s`);
  }
  const amount = Number(digits);
  if (!Number.isSafeInteger(amount) || (unit === 'bd' && amount > MAX_BUSINESS_DAYS)) {
    throw new Error(`Duration "${text}" is too large`);
  }
  return { amount, unit };
}

/**
 * Adds a duration to `start`. Text is `<n>bd` (business days), `<n>d` (calendar days of 24h),
 * `<n>h`, `<n>m`, `<n>s`.
 *
 * `<n>bd` keeps the local time of day of `start` and moves forward n days that are Monday–Friday
 * and not holidays. A `start` on a weekend or holiday first moves to the next business day at
 * 09:00 local time, so 0bd from Saturday 10:00 is Monday 09:00 and 1bd is Tuesday 09:00: work
 * handed over outside working hours is taken to arrive when the next working day begins.
 */
export function addDuration(start: Date, duration: string, calendar: BusinessCalendar): Date {
  const { amount, unit } = parseDuration(duration);
  const workingDays = checkCalendar(calendar);
  assertValidDate(start, 'start');
  if (unit === 'bd') return addBusinessDays(start, amount, workingDays);
  return shiftedBy(start, amount * MILLISECONDS_PER_UNIT[unit], duration);
}

/**
 * Subtracts a duration from `end` (same units as `addDuration`).
 *
 * `<n>bd` keeps the local time of day of `end` and steps back one local day at a time, counting
 * only business days. There is no 09:00 rule backwards: from Saturday 10:00, 1bd back is Friday
 * 10:00, the latest moment one business day earlier. From a business day this undoes `addDuration`.
 */
export function subtractDuration(end: Date, duration: string, calendar: BusinessCalendar): Date {
  const { amount, unit } = parseDuration(duration);
  const workingDays = checkCalendar(calendar);
  assertValidDate(end, 'end');
  if (unit === 'bd') return subtractBusinessDays(end, amount, workingDays);
  return shiftedBy(end, -amount * MILLISECONDS_PER_UNIT[unit], duration);
}

/**
 * dueAt = now + due; remindAt = dueAt - remindBefore, but never before now (then it is halfway
 * between now and dueAt); escalateAt = dueAt + escalateAfter.
 */
export function computeTaskClock(
  now: Date,
  timing: { due: string; remindBefore: string; escalateAfter: string },
  calendar: BusinessCalendar,
): TaskClock {
  const dueAt = addDuration(now, timing.due, calendar);
  const remindAt = subtractDuration(dueAt, timing.remindBefore, calendar);
  const escalateAt = addDuration(dueAt, timing.escalateAfter, calendar);
  if (remindAt.getTime() >= now.getTime()) return { dueAt, remindAt, escalateAt };
  const halfway = new Date(now.getTime() + Math.floor((dueAt.getTime() - now.getTime()) / 2));
  return { dueAt, remindAt: halfway, escalateAt };
}

function isDurationUnit(unit: string): unit is DurationUnit {
  return (DURATION_UNITS as readonly string[]).includes(unit);
}

function assertValidDate(date: Date, name: string): void {
  if (Number.isNaN(date.getTime())) throw new Error(`${name} is not a valid date`);
}

function shiftedBy(date: Date, milliseconds: number, duration: string): Date {
  const shifted = new Date(date.getTime() + milliseconds);
  if (Number.isNaN(shifted.getTime())) throw new Error(`Duration "${duration}" goes beyond the dates a Date can hold`);
  return shifted;
}

function addBusinessDays(start: Date, count: number, workingDays: WorkingDays): Date {
  const local = readLocal(start, workingDays.timeZone);
  const startDay = epochDayOf(local);
  if (isBusinessDay(startDay, workingDays)) {
    // Returned as is: converting back could pick the other occurrence of a repeated DST hour.
    if (count === 0) return new Date(start.getTime());
    return atLocalTime(stepBusinessDays(startDay, count, 1, workingDays), timeOfDay(local), workingDays.timeZone);
  }
  const firstBusinessDay = stepBusinessDays(startDay, 1, 1, workingDays);
  return atLocalTime(stepBusinessDays(firstBusinessDay, count, 1, workingDays), START_OF_BUSINESS_DAY, workingDays.timeZone);
}

function subtractBusinessDays(end: Date, count: number, workingDays: WorkingDays): Date {
  if (count === 0) return new Date(end.getTime());
  const local = readLocal(end, workingDays.timeZone);
  return atLocalTime(stepBusinessDays(epochDayOf(local), count, -1, workingDays), timeOfDay(local), workingDays.timeZone);
}

/** The day reached by stepping `direction` one day at a time until `count` business days have been passed. */
function stepBusinessDays(day: EpochDay, count: number, direction: 1 | -1, workingDays: WorkingDays): EpochDay {
  let remaining = count;
  let current = day;
  while (remaining > 0) {
    current += direction;
    if (isBusinessDay(current, workingDays)) remaining -= 1;
  }
  return current;
}

function isBusinessDay(day: EpochDay, workingDays: WorkingDays): boolean {
  const date = new Date(day * MILLISECONDS_PER_DAY);
  const weekday = date.getUTCDay();
  const isWeekend = weekday === 0 || weekday === 6;
  return !isWeekend && !workingDays.holidays.has(isoDateOf(date));
}

function checkCalendar(calendar: BusinessCalendar): WorkingDays {
  formatterFor(calendar.timeZone);
  for (const holiday of calendar.holidays) assertIsoDate(holiday);
  return { timeZone: calendar.timeZone, holidays: new Set(calendar.holidays) };
}

function assertIsoDate(text: string): void {
  const isWellFormed = /^\d{4}-\d{2}-\d{2}$/.test(text);
  // Date.parse rolls impossible dates over (2026-02-30 becomes 2026-03-02), so compare the round trip.
  if (!isWellFormed || isoDateOf(new Date(Date.parse(text))) !== text) {
    throw new Error(`Holiday "${text}" is not a date in the form YYYY-MM-DD`);
  }
}

function isoDateOf(utcMidnight: Date): string {
  return Number.isNaN(utcMidnight.getTime()) ? '' : utcMidnight.toISOString().slice(0, 10);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter that shows the numeric local date and 24-hour time in `timeZone`; throws for an unknown zone. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new Error(`Unknown time zone "${timeZone}" in the business calendar`);
  }
  formatters.set(timeZone, formatter);
  return formatter;
}

function readLocal(instant: Date, timeZone: string): LocalDateTime {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const field = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value);
  return {
    year: field('year'),
    month: field('month'),
    day: field('day'),
    hour: field('hour'),
    minute: field('minute'),
    second: field('second'),
    millisecond: ((instant.getTime() % 1_000) + 1_000) % 1_000,
  };
}

/**
 * The instant at which clocks in `timeZone` show `local`. The offsets in force a day before and a
 * day after bracket any DST change near that wall time (as the Temporal polyfill does); each gives a
 * candidate instant, kept if the zone really shows `local` then. A time shown twice (clocks going
 * back) resolves to the earlier instant; a time skipped (clocks going forward) moves forward by the
 * gap, so 02:30 on a 02:00→03:00 day becomes 03:30. This is Temporal's 'compatible' disambiguation.
 */
function localToInstant(local: LocalDateTime, timeZone: string): Date {
  const wallClock = wallClockMilliseconds(local);
  const offsetBefore = offsetAt(wallClock - MILLISECONDS_PER_DAY, timeZone);
  const offsetAfter = offsetAt(wallClock + MILLISECONDS_PER_DAY, timeZone);
  const matching = [wallClock - offsetBefore, wallClock - offsetAfter].filter(
    (instant) => instant + offsetAt(instant, timeZone) === wallClock,
  );
  if (matching.length === 0) return new Date(wallClock - offsetBefore);
  return new Date(Math.min(...matching));
}

/** How far local clocks in `timeZone` are ahead of UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  return wallClockMilliseconds(readLocal(new Date(instant), timeZone)) - instant;
}

/** The wall-clock reading as if it were UTC: milliseconds since 1970-01-01T00:00 on the same clock. */
function wallClockMilliseconds(local: LocalDateTime): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(local.year, local.month - 1, local.day);
  date.setUTCHours(local.hour, local.minute, local.second, local.millisecond);
  return date.getTime();
}

function epochDayOf(local: LocalDateTime): EpochDay {
  return Math.floor(wallClockMilliseconds({ ...local, ...START_OF_DAY }) / MILLISECONDS_PER_DAY);
}

function atLocalTime(day: EpochDay, time: TimeOfDay, timeZone: string): Date {
  return localToInstant({ ...localDateOf(day), ...time }, timeZone);
}

function localDateOf(day: EpochDay): Pick<LocalDateTime, 'year' | 'month' | 'day'> {
  const date = new Date(day * MILLISECONDS_PER_DAY);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function timeOfDay({ hour, minute, second, millisecond }: TimeOfDay): TimeOfDay {
  return { hour, minute, second, millisecond };
}
