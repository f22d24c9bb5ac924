import { type LifecycleContext, type Next, text, verdict } from './context';

/** The process owner records lessons learned and the measured effect; the ORPG confirms or returns them [SG3.SP4]. */
export async function learnLessons({ state, board, context, recordState }: LifecycleContext, next: Next<'confirm' | 'return'>): Promise<void> {
  const returned = state.comments?.lessonsReturned;
  const comments = returned ? [`Comments on the previous lessons: ${returned}`] : [];
  const recorded = await board.ask({ step: 'lessons', assignee: { email: state.processOwnerEmail }, context: context(...comments) });
  state.lessons = { lessons: text(recorded, 'lessons') ?? '', measuredEffect: text(recorded, 'measuredEffect') ?? '' };
  await recordState();
  const confirmation = await board.ask({
    step: 'lessons-confirm',
    assignee: { role: 'orpg' },
    context: context(`Lessons: ${state.lessons.lessons}`, `Measured effect: ${state.lessons.measuredEffect}`),
  });
  if (confirmation.outcome === 'confirm') return next.confirm(verdict(confirmation));
  return next.return(verdict(confirmation));
}
