import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../workflows/improvement/definitions';
import { commentsAfter } from '../../workflows/improvement/stages/context';

const entry = (step: string, action: string, comment?: string): HistoryEntry => ({ at: '2026-12-02T10:00:00.000Z', step, action, actor: 'a@example.org', channel: 'web', comment });

describe('the comments a step is shown again, kept without the history', () => {
  it('keeps the latest change request, returned plan and returned lessons, as the whole history would show them', () => {
    const history = [
      entry('review', 'Request changes', 'Add the cost'),
      entry('revise', 'Resubmit'),
      entry('review', 'Request changes', 'Name the owner'),
      entry('plan-approval', 'asked boss@example.org'),
      entry('plan-approval', 'Return', 'Too vague'),
      entry('lessons-confirm', 'Return', 'Say what you measured'),
      entry('pilot-decision', 'Revise the plan', 'Pilot missed its target'),
    ];
    expect(history.reduce(commentsAfter, {})).toEqual({
      changesRequested: 'Name the owner',
      planReturned: 'Pilot missed its target',
      lessonsReturned: 'Say what you measured',
    });
  });

  it('a later entry of the same step without a comment clears it, as the latest entry of that step did before', () => {
    const history = [entry('plan-approval', 'Return', 'Too vague'), entry('plan-approval', 'Approve')];
    expect(history.reduce(commentsAfter, {}).planReturned).toBeUndefined();
  });
});
