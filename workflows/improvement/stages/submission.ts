import { activities } from '../activity-proxy';
import type { LifecycleContext } from './context';

/** Records the submission and acknowledges it to the proposer [SG3.SP4 sp8]. */
export async function acknowledgeSubmission({ state, addHistory }: LifecycleContext): Promise<void> {
  await addHistory({ step: 'proposal', actor: state.proposerEmail, action: 'submitted', channel: 'api' }, 'submitted');
  await activities.sendNotification({
    key: `${state.id}:proposal:acknowledgement`,
    improvementId: state.id,
    kind: 'acknowledgement',
    to: state.proposerEmail,
    template: { name: 'acknowledgement', improvementTitle: state.proposal.title },
  });
}
