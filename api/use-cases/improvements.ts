import { randomUUID } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Request } from 'express';
import type { z } from 'zod';
import type { Config } from '../../config';
import type { Database } from '../../prisma/database';
import {
  type DurationOverrides,
  type ImprovementInput,
  type ImprovementState,
  improvementWorkflowId,
  withdrawSignal,
  withdrawUpdate,
  type WithdrawRequest,
} from '../../workflows/improvement/definitions';
import { audit } from '../audit';
import { type Caller, callerHolds } from '../auth';
import { AppError } from '../errors';
import { updateOrSignal } from '../handoff';
import type { proposalSchema } from '../routes/improvements';
import { processForImprovement } from './process-library';

export interface ImprovementDeps {
  temporal: Client;
  db: Database;
  config: Pick<
    Config,
    'TEMPORAL_TASK_QUEUE' | 'STEP_DUE' | 'STEP_REMIND_BEFORE' | 'STEP_ESCALATE_AFTER' | 'AUDIT_SETTLING_PERIOD' | 'DECISION_WAIT_MS' | 'selfApprovalBlockedSteps'
  >;
}

type Proposal = z.infer<typeof proposalSchema>;

/** Configured durations, overridden by the submission's own. */
function effectiveDurations(config: ImprovementDeps['config'], requested: DurationOverrides = {}): DurationOverrides {
  return {
    default: { due: config.STEP_DUE, remindBefore: config.STEP_REMIND_BEFORE, escalateAfter: config.STEP_ESCALATE_AFTER, ...requested.default },
    steps: requested.steps,
    settlingPeriod: requested.settlingPeriod ?? config.AUDIT_SETTLING_PERIOD,
  };
}

/** Checks what the proposal refers to; answers the process it changes and who owns it. */
async function resolveReferences(db: Database, proposal: Proposal): Promise<{ process: string; processOwner: string }> {
  const units = await db.orgUnit.findMany({ where: { id: { in: proposal.orgUnits } }, select: { id: true } });
  const missing = proposal.orgUnits.filter((id) => !units.some((unit) => unit.id === id));
  if (missing.length > 0) throw new AppError('unprocessable', 422, `orgUnits: no organisational unit ${missing.join(', ')}`);
  const fromLibrary = proposal.processId ? await processForImprovement(db, proposal.processId) : undefined;
  const processOwner = (proposal.processOwner ?? fromLibrary?.ownerEmail)!.toLowerCase();
  const owner = await db.person.findUnique({ where: { email: processOwner } });
  if (!owner?.roles.includes('process-owner')) {
    throw new AppError('unprocessable', 422, `processOwner: ${processOwner} is not a registered process owner`);
  }
  return { process: fromLibrary?.name ?? proposal.process!, processOwner };
}

/** Submits a proposal [SG3.SP4 sp8]: starts its lifecycle workflow, and audits it. */
export async function submitImprovement({ temporal, db, config }: ImprovementDeps, req: Request, caller: Caller, proposal: Proposal): Promise<ImprovementInput> {
  const proposer = proposal.proposer ?? (caller.admin ? undefined : caller.email);
  if (!proposer) throw new AppError('invalid_input', 400, 'body.proposer: required when the admin submits');
  if (proposer.toLowerCase() !== caller.email && !callerHolds(caller, 'orpg')) {
    throw new AppError('forbidden', 403, 'body.proposer: you may only submit proposals as yourself');
  }
  const { process, processOwner } = await resolveReferences(db, proposal);
  const { processOwner: _owner, processId: _processId, durations, proposer: _proposer, ...details } = proposal;
  const input: ImprovementInput = {
    ...details,
    process,
    orgUnits: [...new Set(details.orgUnits)],
    id: randomUUID(),
    proposerEmail: proposer.toLowerCase(),
    processOwnerEmail: processOwner,
    durations: effectiveDurations(config, durations),
    selfApprovalBlockedSteps: config.selfApprovalBlockedSteps,
  };
  try {
    await temporal.workflow.start('improvementLifecycle', {
      workflowId: improvementWorkflowId(input.id),
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      memo: { title: input.title },
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) throw new AppError('conflict', 409, `improvement ${input.id} already exists`);
    throw error;
  }
  await audit(db, req, { action: 'improvement.submit', target: input.id, outcome: 'ok', details: { title: input.title, proposer: input.proposerEmail } });
  return input;
}

/** The proposer or the ORPG withdraws the improvement, any time before deployment; audited. */
export async function withdrawImprovement(
  { temporal, db, config }: ImprovementDeps,
  req: Request,
  withdrawal: { id: string; actor: string; reason: string },
): Promise<{ id: string; status: string; stage?: string; applied: boolean }> {
  const { id, actor, reason } = withdrawal;
  const improvement = await db.improvement.findUnique({ where: { id } });
  if (!improvement) throw new AppError('not_found', 404, `id: no improvement ${id}`);
  const person = await db.person.findUnique({ where: { email: actor } });
  if (actor !== improvement.proposerEmail && !person?.roles.includes('orpg')) {
    throw new AppError('forbidden', 403, 'actor: only the proposer or a member of the ORPG can withdraw an improvement');
  }
  const handle = temporal.workflow.getHandle(improvement.workflowId);
  const handoff = await updateOrSignal<ImprovementState, [WithdrawRequest]>(
    temporal,
    handle,
    { update: withdrawUpdate, signal: withdrawSignal },
    [{ actor, reason }],
    { waitMs: config.DECISION_WAIT_MS },
  );
  await audit(db, req, { action: 'improvement.withdraw', target: id, outcome: handoff.status === 'applied' ? 'ok' : 'received', details: { actor, reason } });
  if (handoff.status === 'applied') return { id, stage: handoff.result.stage, status: handoff.result.status, applied: true };
  return { id, status: 'received', applied: false };
}
