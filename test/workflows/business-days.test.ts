import { describe, expect, it } from 'vitest';
import { people } from '../support/activity-recorder';
import type { RequestedEmail } from '../support/activity-recorder';
import { type SimulatedWorld, useTimeSkipping } from '../support/time-skipping';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The first `weekday` (0 = Sunday) at `hour`:00 UTC at least a day after `after`. */
function next(weekday: number, hour: number, after: Date): Date {
  const day = new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate() + 1, hour));
  while (day.getUTCDay() !== weekday) day.setUTCDate(day.getUTCDate() + 1);
  return day;
}

const isoDate = (date: Date) => date.toISOString().slice(0, 10);
const weekday = (date: Date) => weekdays[date.getUTCDay()];

/** Simulated time moves to a Friday 10:00 UTC; the Monday after is a public holiday. */
async function fridayBeforeAHolidayMonday(world: SimulatedWorld): Promise<{ friday: Date; monday: Date }> {
  const friday = next(5, 10, await world.now());
  const monday = new Date(friday.getTime() + 3 * dayMs);
  world.calendar = { timeZone: 'UTC', holidays: [isoDate(monday)] };
  await world.skipPast(friday);
  return { friday, monday };
}

/** Sent when the clock said so: within a minute of `instant` (timers fire, then the activity runs). */
function expectSentAt(email: RequestedEmail, instant: Date): void {
  expect(email.at.getTime()).toBeGreaterThanOrEqual(instant.getTime());
  expect(email.at.getTime() - instant.getTime()).toBeLessThan(60_000);
}

describe('business days across a weekend and a holiday, in simulated days', () => {
  const simulate = useTimeSkipping();

  it('a task opened on Friday and due in 2 business days is reminded on Tuesday, overdue on Wednesday and escalated on Friday', () =>
    simulate(async (world) => {
      const { friday, monday } = await fridayBeforeAHolidayMonday(world);
      const improvement = await world.submit({ durations: { default: { due: '2bd', remindBefore: '1bd', escalateAfter: '2bd' } } });
      const review = await improvement.task('review');
      const opened = review.openedAt.getTime();
      expect(weekday(review.openedAt)).toBe('Friday');
      // Saturday, Sunday and the holiday Monday do not count; the time of day is kept.
      expect(review.remindAt).toEqual(new Date(opened + 4 * dayMs));
      expect(review.dueAt).toEqual(new Date(opened + 5 * dayMs));
      expect(review.escalateAt).toEqual(new Date(opened + 7 * dayMs));

      await world.skipPast(new Date(monday.getTime() + 13 * hourMs));
      expect(world.recorder.emailsAbout(review, 'reminder')).toEqual([]);

      await world.skipPast(review.remindAt);
      const reminder = await improvement.email('reminder', people.orpg);
      expectSentAt(reminder, review.remindAt);
      expect(weekday(reminder.at)).toBe('Tuesday');
      expect(world.recorder.emailsAbout(review, 'escalation-1')).toEqual([]);

      await world.skipPast(review.dueAt);
      const overdue = await improvement.email('escalation-1', people.management);
      expectSentAt(overdue, review.dueAt);
      expect(weekday(overdue.at)).toBe('Wednesday');

      await world.skip(review.escalateAt.getTime() - review.dueAt.getTime() - hourMs);
      expect(world.recorder.emailsAbout(review, 'escalation-2')).toEqual([]);
      await world.skipPast(review.escalateAt);
      const [escalated] = await world.recorder.waitFor('the escalation to management', () => {
        const sent = world.recorder.emailsAbout(review, 'escalation-2');
        return sent.length > 0 && sent;
      });
      expectSentAt(escalated!, review.escalateAt);
      expect(isoDate(escalated!.at)).toBe(isoDate(new Date(friday.getTime() + 7 * dayMs)));
      expect((await improvement.status()).openTasks).toEqual([expect.objectContaining({ id: review.id, escalationLevel: 2 })]);
    }));

  it('calendar days count the weekend and the holiday: due in 2d from Friday is Sunday', () =>
    simulate(async (world) => {
      await fridayBeforeAHolidayMonday(world);
      const improvement = await world.submit({ durations: { default: { due: '2d', remindBefore: '1d', escalateAfter: '1d' } } });
      const review = await improvement.task('review');
      expect(review.dueAt).toEqual(new Date(review.openedAt.getTime() + 2 * dayMs));
      expect(weekday(review.dueAt)).toBe('Sunday');

      await world.skipPast(review.dueAt);
      expectSentAt(await improvement.email('escalation-1', people.management), review.dueAt);
    }));

  it('a task opened on the holiday starts counting at 09:00 on the next business day', () =>
    simulate(async (world) => {
      const { monday } = await fridayBeforeAHolidayMonday(world);
      await world.skipPast(monday);
      const improvement = await world.submit({ durations: { default: { due: '1bd', remindBefore: '1bd', escalateAfter: '1bd' } } });
      const review = await improvement.task('review');
      expect(weekday(review.openedAt)).toBe('Monday');
      const tuesdayNine = new Date(monday.getTime() + dayMs - hourMs);
      expect(review.dueAt).toEqual(new Date(tuesdayNine.getTime() + dayMs));
      expect(weekday(review.dueAt)).toBe('Wednesday');
    }));

  it('a pilot of 5 business days started on Friday ends the Monday after next, the holiday not counted', () =>
    simulate(async (world) => {
      const { friday } = await fridayBeforeAHolidayMonday(world);
      const improvement = await world.submit({ pilot: true });
      await improvement.toPilot();
      await improvement.answer('pilot-plan', 'submit', { units: ['ops'], successCriteria: 'Fewer repeats', duration: '5bd' });
      await improvement.answer('pilot-approval', 'approve');
      const run = await world.recorder.waitFor('the pilot to start', () => world.recorder.waits[0]);
      // Started on the Friday (the tasks before took simulated seconds): Tue, Wed, Thu, Fri, Mon.
      expect(isoDate(run.from)).toBe(isoDate(friday));
      expect(run.until).toEqual(new Date(run.from.getTime() + 10 * dayMs));

      await world.skipPast(run.until);
      const results = await improvement.task('pilot-results');
      expect(weekday(results.openedAt)).toBe('Monday');
    }));
});
