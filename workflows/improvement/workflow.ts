import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import {
  type ActionPlan,
  getStatusQuery,
  type HistoryEntry,
  type ImprovementInput,
  type ImprovementStage,
  type ImprovementState,
  type ImprovementStatus,
  type PilotPlan,
  type PlannedAction,
  type PriorityScores,
  searchAttributes,
  type UnitDeployment,
  unitDeploymentWorkflowId,
  withdrawSignal,
  withdrawUpdate,
  type WithdrawRequest,
} from './definitions';
import { computePriority } from './steps';
import { type Decision, TaskBoard } from './tasks';
import { unitDeployment } from './unit-deployment';

type Activities = ReturnType<typeof createActivities>;

const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** Stages in which the proposer or the ORPG may still withdraw the improvement. */
const withdrawableStages: ImprovementStage[] = ['review', 'revision', 'prioritisation', 'deferred', 'planning', 'implementation', 'pilot'];

function initialState(input: ImprovementInput): ImprovementState {
  return {
    id: input.id,
    proposal: {
      title: input.title,
      description: input.description,
      proposedChange: input.proposedChange,
      process: input.process,
      source: input.source,
      expectedBenefit: input.expectedBenefit,
      estimatedCost: input.estimatedCost,
      estimatedEffort: input.estimatedEffort,
      orgUnits: input.orgUnits,
      pilot: input.pilot,
    },
    proposerEmail: input.proposerEmail,
    processOwnerEmail: input.processOwnerEmail,
    stage: 'review',
    status: 'active',
    revision: 0,
    planRevision: 0,
    units: [],
    openTasks: [],
    history: [],
    escalations: [],
  };
}

/** Carries one process improvement through the OPF lifecycle, from proposal to an end state. */
export async function improvementLifecycle(input: ImprovementInput): Promise<ImprovementState> {
  const state = input.carriedOver ?? initialState(input);
  const durations = input.durations ?? {};
  let withdrawal: WithdrawRequest | undefined;
  let stageScope: CancellationScope | undefined;

  setHandler(getStatusQuery, () => state);
  const requestWithdrawal = (request: WithdrawRequest) => {
    withdrawal ??= request;
    stageScope?.cancel();
  };
  setHandler(withdrawUpdate, async (request) => {
    requestWithdrawal(request);
    await condition(() => state.status !== 'active');
    return state;
  }, { validator: (request: WithdrawRequest) => assertWithdrawable(state, request) });
  setHandler(withdrawSignal, (request) => {
    if (state.status === 'active' && withdrawableStages.includes(state.stage) && request.reason?.trim()) {
      requestWithdrawal(request);
    }
  });

  let historyKey = state.history.length;
  async function addHistory(entry: Omit<HistoryEntry, 'at'>, key: string) {
    const recorded: HistoryEntry = { at: new Date().toISOString(), ...entry };
    state.history.push(recorded);
    historyKey += 1;
    await recordState({ ...recorded, key });
  }

  async function recordState(event?: HistoryEntry & { key: string }) {
    upsertSearchAttributes([{ key: searchAttributes.stage, value: state.stage }]);
    await activities.recordImprovement({ workflowId: workflowInfo().workflowId, state: withoutHistory(state), event });
  }

  async function moveTo(stage: ImprovementStage, entry: Omit<HistoryEntry, 'at' | 'step'> & { step?: string }) {
    const from = state.stage;
    state.stage = stage;
    await addHistory({ step: entry.step ?? from, channel: 'system', ...entry }, `${historyKey}:${from}->${stage}`);
  }

  async function end(status: Exclude<ImprovementStatus, 'active'>, actor: string, reason?: string) {
    state.endReason = reason;
    state.status = status;
    await moveTo(status, { actor, action: status, comment: reason });
    await activities.sendNotification({
      key: `${state.id}:ended:${status}`,
      improvementId: state.id,
      kind: `improvement-${status}`,
      to: state.proposerEmail,
      template: { name: 'ended', improvementTitle: state.proposal.title, status, reason, actor },
    });
  }

  const board = new TaskBoard({
    improvementId: state.id,
    get improvementTitle() {
      return state.proposal.title;
    },
    workflowId: workflowInfo().workflowId,
    durations,
    proposerEmail: state.proposerEmail,
    selfApprovalBlockedSteps: input.selfApprovalBlockedSteps ?? [],
    openTasks: state.openTasks,
    escalations: state.escalations,
    stage: () => state.stage,
    addHistory,
    keyedEvent: (entry, key) => ({ ...entry, key }),
    remember: (entry) => {
      state.history.push(entry);
      historyKey += 1;
    },
  });

  const context = (...extra: string[]) => [...proposalContext(state), ...extra];

  // ---- The stages, each ending by moving to the next one ----

  async function reviewProposal() {
    const decision = await board.ask({ step: 'review', assignee: { role: 'orpg' }, context: context() });
    if (decision.outcome === 'accept') return moveTo('prioritisation', { actor: decision.actor, action: 'accepted for prioritisation' });
    if (decision.outcome === 'reject') return end('rejected', decision.actor, text(decision, 'reason'));
    return moveTo('revision', { actor: decision.actor, action: 'changes requested', comment: text(decision, 'comment') });
  }

  async function reviseProposal() {
    const lastRequest = [...state.history].reverse().find((entry) => entry.action === 'Request changes');
    const decision = await board.ask({
      step: 'revise',
      assignee: { email: state.proposerEmail },
      context: context(`Changes requested: ${lastRequest?.comment ?? ''}`),
    });
    if (decision.outcome === 'withdraw') return end('withdrawn', decision.actor, text(decision, 'reason'));
    const { title, description, proposedChange } = decision.fields as Record<string, string | undefined>;
    state.proposal = {
      ...state.proposal,
      title: title || state.proposal.title,
      description: description || state.proposal.description,
      proposedChange: proposedChange || state.proposal.proposedChange,
    };
    state.revision += 1;
    return moveTo('review', { actor: decision.actor, action: `resubmitted (revision ${state.revision})` });
  }

  async function prioritise() {
    if (!state.scores) {
      const scoring = await board.ask({ step: 'score', assignee: { role: 'orpg' }, context: context() });
      state.scores = scoring.fields as unknown as PriorityScores;
      state.priority = computePriority(state.scores);
      await recordState();
    }
    const decision = await board.ask({ step: 'steering', assignee: { role: 'management' }, context: context() });
    if (decision.outcome === 'approve') return moveTo('planning', { actor: decision.actor, action: 'approved for planning' });
    if (decision.outcome === 'reject') return end('rejected', decision.actor, text(decision, 'reason'));
    state.deferredUntil = text(decision, 'until');
    return moveTo('deferred', { actor: decision.actor, action: `deferred until ${state.deferredUntil}`, comment: text(decision, 'comment') });
  }

  async function waitForDeferral() {
    const ms = Date.parse(state.deferredUntil ?? '') - Date.now();
    if (ms > 0) await sleep(ms);
    return moveTo('prioritisation', { actor: 'system', action: 'deferral ended: back to management' });
  }

  async function planActions() {
    const returned = [...state.history].reverse().find((entry) => entry.step === 'plan-approval' || entry.step === 'pilot-decision');
    const submitted = await board.ask({
      step: 'plan',
      assignee: { email: state.processOwnerEmail },
      context: context(...(returned?.comment ? [`Comments on the previous plan: ${returned.comment}`] : [])),
    });
    const plan = submitted.fields as unknown as ActionPlan;
    state.plan = { ...plan, actions: plan.actions.map((action) => ({ ...action })) };
    state.planRevision += 1;
    await recordState();
    const approval = await board.ask({ step: 'plan-approval', assignee: { role: 'management' }, context: context(...planContext(state.plan)) });
    if (approval.outcome === 'approve') return moveTo('implementation', { actor: approval.actor, action: 'plan approved' });
    return moveTo('planning', { actor: approval.actor, action: 'plan returned', comment: text(approval, 'comment') });
  }

  async function implementActions() {
    const plan = state.plan as ActionPlan;
    await Promise.all(plan.actions.map((action, index) => (action.completedAt ? Promise.resolve() : completeAction(action, index))));
    const next = state.proposal.pilot ? 'pilot' : 'deployment';
    return moveTo(next, { actor: 'system', action: 'all actions complete' });
  }

  async function completeAction(action: PlannedAction, index: number) {
    const decision = await board.ask({
      step: 'action',
      assignee: { email: action.owner },
      context: context(`Action: ${action.title}`, `Due: ${action.due}`),
      actionIndex: index,
      due: action.due,
    });
    action.completedAt = new Date().toISOString();
    action.completedBy = decision.actor;
    await recordState();
  }

  async function runPilot() {
    let pilotPlan: PilotPlan | undefined;
    let returnedComment: string | undefined;
    while (!pilotPlan) {
      const comments = returnedComment ? [`Comments on the previous pilot plan: ${returnedComment}`] : [];
      const submitted = await board.ask({ step: 'pilot-plan', assignee: { email: state.processOwnerEmail }, context: context(...comments) });
      const candidate = submitted.fields as unknown as PilotPlan;
      const approval = await board.ask({
        step: 'pilot-approval',
        assignee: { role: 'orpg' },
        context: context(`Pilot units: ${candidate.units.join(', ')}`, `Success criteria: ${candidate.successCriteria}`, `Duration: ${candidate.duration}`),
      });
      if (approval.outcome === 'approve') pilotPlan = candidate;
      else returnedComment = text(approval, 'comment');
    }
    state.pilotPlan = pilotPlan;
    await addHistory({ step: 'pilot', actor: 'system', action: `pilot running for ${pilotPlan.duration}`, channel: 'system' }, `${historyKey}:pilot-started`);
    await sleep(await activities.durationToMs({ duration: pilotPlan.duration }));
    const results = await board.ask({ step: 'pilot-results', assignee: { email: state.processOwnerEmail }, context: context(`Success criteria: ${pilotPlan.successCriteria}`) });
    state.pilotResult = { results: text(results, 'results') ?? '', criteriaMet: results.fields.criteriaMet === true };
    const decision = await board.ask({
      step: 'pilot-decision',
      assignee: { role: 'orpg' },
      context: context(`Pilot results: ${state.pilotResult.results}`, `Success criteria met: ${state.pilotResult.criteriaMet ? 'yes' : 'no'}`),
    });
    if (decision.outcome === 'go') return moveTo('deployment', { actor: decision.actor, action: 'pilot succeeded: deploy' });
    if (decision.outcome === 'abandon') return end('abandoned', decision.actor, text(decision, 'reason'));
    state.pilotPlan = undefined;
    state.pilotResult = undefined;
    return moveTo('planning', { actor: decision.actor, action: 'revise the plan after the pilot', comment: text(decision, 'comment') });
  }

  async function deployToUnits() {
    const units = await activities.getOrgUnits({ ids: state.proposal.orgUnits });
    state.units = units.map((unit) => ({ unitId: unit.id, unitName: unit.name, manager: unit.manager, status: 'pending', waiverRefusals: 0 }));
    await recordState();
    await Promise.all(
      state.units.map(async (unit, index) => {
        const result = await executeChild(unitDeployment, {
          workflowId: unitDeploymentWorkflowId(state.id, unit.unitId),
          args: [
            {
              improvementId: state.id,
              improvementTitle: state.proposal.title,
              proposerEmail: state.proposerEmail,
              selfApprovalBlockedSteps: input.selfApprovalBlockedSteps,
              unit,
              durations,
              context: context(),
            },
          ],
        });
        state.units[index] = { ...unit, ...result };
        await recordState();
      }),
    );
    return moveTo('audit', { actor: 'system', action: 'every unit adopted or holds a waiver' });
  }

  async function auditCompliance() {
    await sleep(await activities.durationToMs({ duration: durations.settlingPeriod ?? '20bd' }));
    await Promise.all(state.units.map((unit) => (unit.status === 'adopted' && !unit.audit ? auditUnit(unit) : Promise.resolve())));
    return moveTo('lessons', { actor: 'system', action: 'every adopting unit audited' });
  }

  async function auditUnit(unit: UnitDeployment) {
    const unitContext = context(`Organisational unit: ${unit.unitName}`, ...(unit.tailoring ? [`Tailoring: ${unit.tailoring}`] : []));
    const audit = await board.ask({ step: 'audit', assignee: { role: 'auditor' }, context: unitContext, unitId: unit.unitId });
    if (audit.outcome === 'compliant') {
      unit.audit = 'compliant';
      return recordState();
    }
    unit.audit = 'non-compliant';
    unit.findings = text(audit, 'findings');
    await recordState();
    const correction = await board.ask({
      step: 'corrective-action',
      assignee: { email: unit.manager },
      context: [...unitContext, `Audit findings: ${unit.findings ?? ''}`],
      unitId: unit.unitId,
    });
    unit.audit = 'corrected';
    unit.correctiveAction = text(correction, 'action');
    return recordState();
  }

  async function learnLessons() {
    const returned = [...state.history].reverse().find((entry) => entry.step === 'lessons-confirm');
    const comments = returned?.comment ? [`Comments on the previous lessons: ${returned.comment}`] : [];
    const recorded = await board.ask({ step: 'lessons', assignee: { email: state.processOwnerEmail }, context: context(...comments) });
    state.lessons = { lessons: text(recorded, 'lessons') ?? '', measuredEffect: text(recorded, 'measuredEffect') ?? '' };
    await recordState();
    const confirmation = await board.ask({
      step: 'lessons-confirm',
      assignee: { role: 'orpg' },
      context: context(`Lessons: ${state.lessons.lessons}`, `Measured effect: ${state.lessons.measuredEffect}`),
    });
    if (confirmation.outcome === 'confirm') return end('closed', confirmation.actor);
    return moveTo('lessons', { actor: confirmation.actor, action: 'lessons returned', comment: text(confirmation, 'comment') });
  }

  const stageSteps: Partial<Record<ImprovementStage, () => Promise<unknown>>> = {
    review: reviewProposal,
    revision: reviseProposal,
    prioritisation: prioritise,
    deferred: waitForDeferral,
    planning: planActions,
    implementation: implementActions,
    pilot: runPilot,
    deployment: deployToUnits,
    audit: auditCompliance,
    lessons: learnLessons,
  };

  // ---- The story ----

  if (!input.carriedOver) {
    await addHistory({ step: 'proposal', actor: state.proposerEmail, action: 'submitted', channel: 'api' }, 'submitted');
    await activities.sendNotification({
      key: `${state.id}:proposal:acknowledgement`,
      improvementId: state.id,
      kind: 'acknowledgement',
      to: state.proposerEmail,
      template: { name: 'acknowledgement', improvementTitle: state.proposal.title },
    });
  }

  while (state.status === 'active') {
    const runStage = stageSteps[state.stage] as () => Promise<unknown>;
    if (withdrawal) {
      await end('withdrawn', withdrawal.actor, withdrawal.reason);
      break;
    }
    stageScope = withdrawableStages.includes(state.stage) ? new CancellationScope() : undefined;
    try {
      await (stageScope ? stageScope.run(runStage) : runStage());
    } catch (error) {
      if (!(withdrawal && isCancellation(error))) throw error;
    } finally {
      stageScope = undefined;
    }
    if (state.status === 'active' && shouldContinueAsNew(input)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof improvementLifecycle>({ ...input, carriedOver: state });
    }
  }
  await condition(allHandlersFinished);
  return state;
}

function shouldContinueAsNew(input: ImprovementInput): boolean {
  const info = workflowInfo();
  if (info.continueAsNewSuggested) return true;
  // A deployment may ask for shorter histories (tests use it to prove state survives).
  return input.continueAsNewAfterEvents !== undefined && info.historyLength > input.continueAsNewAfterEvents;
}

function assertWithdrawable(state: ImprovementState, request: WithdrawRequest): void {
  if (state.status !== 'active') throw new Error(`the improvement has already ended (${state.status})`);
  if (!withdrawableStages.includes(state.stage)) {
    throw new Error(`an improvement cannot be withdrawn once deployment has started (stage: ${state.stage})`);
  }
  if (!request.reason?.trim()) throw new Error('reason: a withdrawal needs a reason');
}

function text(decision: Decision, field: string): string | undefined {
  const value = decision.fields[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function withoutHistory(state: ImprovementState): Omit<ImprovementState, 'history'> {
  const { history: _history, ...rest } = state;
  return rest;
}

function proposalContext(state: ImprovementState): string[] {
  const { proposal } = state;
  return [
    `Improvement: ${proposal.title}`,
    `Standard process: ${proposal.process}`,
    `Source: ${proposal.source}`,
    `Problem: ${proposal.description}`,
    ...(proposal.proposedChange ? [`Proposed change: ${proposal.proposedChange}`] : []),
    ...(proposal.expectedBenefit ? [`Expected benefit: ${proposal.expectedBenefit}`] : []),
    ...(proposal.estimatedCost ? [`Estimated cost: ${proposal.estimatedCost}`] : []),
    ...(proposal.estimatedEffort ? [`Estimated effort: ${proposal.estimatedEffort}`] : []),
    `Proposer: ${state.proposerEmail}`,
    `Process owner: ${state.processOwnerEmail}`,
    ...(state.priority !== undefined ? [`Priority: ${state.priority} (scores ${JSON.stringify(state.scores)})`] : []),
  ];
}

function planContext(plan: ActionPlan): string[] {
  return [
    `Objectives: ${plan.objectives}`,
    ...plan.actions.map((action, index) => `Action ${index + 1}: ${action.title} — ${action.owner}, due ${action.due}`),
    `Measures: ${plan.measures}`,
    ...(plan.pilotStrategy ? [`Pilot strategy: ${plan.pilotStrategy}`] : []),
    ...(plan.risks ? [`Risks: ${plan.risks}`] : []),
  ];
}
