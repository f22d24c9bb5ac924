import { condition, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import {
  getStatusQuery,
  type HistoryEntry,
  type ImprovementInput,
  type ImprovementStage,
  type ImprovementState,
  type ImprovementStatus,
  searchAttributes,
  withdrawUpdate,
  type WithdrawRequest,
} from './definitions';

type Activities = ReturnType<typeof createActivities>;

const { recordImprovement, sendNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** Carries one process improvement through the OPF lifecycle, from proposal to an end state. */
export async function improvementLifecycle(input: ImprovementInput): Promise<ImprovementState> {
  const state: ImprovementState = {
    id: input.id,
    title: input.title,
    description: input.description,
    proposerEmail: input.proposerEmail,
    stage: 'proposed',
    status: 'active',
    history: [],
  };
  let pendingWithdrawal: WithdrawRequest | undefined;

  setHandler(getStatusQuery, () => state);
  setHandler(
    withdrawUpdate,
    async (request) => {
      pendingWithdrawal = request;
      await condition(() => state.status === 'withdrawn');
      return state;
    },
    {
      validator: (request: WithdrawRequest) => {
        if (state.status !== 'active') throw new Error(`the improvement has already ended (${state.status})`);
        if (!request.reason?.trim()) throw new Error('reason: a withdrawal needs a reason');
      },
    },
  );

  async function moveTo(stage: ImprovementStage, status: ImprovementStatus, entry: Omit<HistoryEntry, 'at'>) {
    state.stage = stage;
    state.status = status;
    const recorded: HistoryEntry = { at: new Date().toISOString(), ...entry };
    state.history.push(recorded);
    upsertSearchAttributes([{ key: searchAttributes.stage, value: stage }]);
    await recordImprovement({
      improvement: { ...snapshotOf(state), workflowId: workflowInfo().workflowId },
      event: { ...recorded, key: `${state.history.length}:${stage}:${entry.action}` },
    });
  }

  await moveTo('proposed', 'active', { step: 'proposal', actor: input.proposerEmail, action: 'submitted' });
  await sendNotification({
    key: `${input.id}:proposal:acknowledgement`,
    improvementId: input.id,
    kind: 'acknowledgement',
    to: input.proposerEmail,
    template: { name: 'acknowledgement', title: input.title },
  });
  await moveTo('awaiting-review', 'active', { step: 'review', actor: 'system', action: 'awaiting ORPG review' });

  await condition(() => pendingWithdrawal !== undefined);
  if (pendingWithdrawal) {
    await moveTo('withdrawn', 'withdrawn', {
      step: state.stage,
      actor: pendingWithdrawal.actor,
      action: 'withdrawn',
      comment: pendingWithdrawal.reason,
    });
  }
  return state;
}

function snapshotOf({ id, title, description, proposerEmail, stage, status }: ImprovementState) {
  return { id, title, description, proposerEmail, stage, status };
}
