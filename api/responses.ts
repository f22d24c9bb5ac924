import { z } from 'zod';
import { improvementStages, improvementStatuses } from '../workflows/improvement/definitions';
import { versionStatuses } from '../repositories/process-library';
import { roles } from './permissions';

/**
 * The JSON the API answers with, as zod schemas: the OpenAPI document declares them, so a client
 * (and schemathesis) can check every success response against them. Times are ISO 8601 strings.
 */
const at = z.iso.datetime();
const nullableAt = at.nullable();

/** Every error: a code for machines, a message naming what was wrong, and the request's id. */
export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});

const openTask = z.object({
  id: z.uuid(),
  step: z.string(),
  assignee: z.string(),
  dueAt: at,
  escalationLevel: z.int(),
  unitId: z.string().nullable(),
});

export const improvementCreated = z.object({
  id: z.uuid(),
  title: z.string(),
  proposer: z.string(),
  processOwner: z.string(),
  stage: z.enum(improvementStages),
  status: z.enum(improvementStatuses),
});

export const improvementList = z.object({
  total: z.int().min(0),
  limit: z.int(),
  offset: z.int(),
  items: z.array(
    z.object({
      id: z.uuid(),
      title: z.string(),
      stage: z.string(),
      status: z.string(),
      priority: z.int().nullable(),
      processOwner: z.string(),
      escalationLevel: z.int(),
      overdue: z.boolean(),
      openTasks: z.array(openTask),
      createdAt: at,
    }),
  ),
});

const recordedImprovement = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  proposer: z.string(),
  processOwner: z.string(),
  process: z.string(),
  processId: z.uuid().nullable(),
  source: z.string(),
  pilot: z.boolean(),
  orgUnits: z.array(z.string()),
  priority: z.int().nullable(),
  stage: z.string(),
  status: z.string(),
  escalationLevel: z.int(),
  details: z.unknown(),
  createdAt: at,
  updatedAt: at,
  openTasks: z.array(openTask),
  history: z.array(
    z.object({ at, step: z.string(), actor: z.string(), action: z.string(), comment: z.string().nullable(), channel: z.string(), taskId: z.string().nullable() }),
  ),
  notifications: z.array(
    z.object({ kind: z.string(), recipient: z.string(), subject: z.string(), status: z.string(), sentAt: nullableAt, createdAt: at }),
  ),
});

/** Just after submission, before the worker records it: what Temporal knows. */
const notYetRecordedImprovement = z.object({
  id: z.uuid(),
  title: z.string().optional(),
  stage: z.string(),
  status: z.string(),
  openTasks: z.array(openTask).max(0),
  history: z.array(z.unknown()).max(0),
});

export const improvementView = z.union([recordedImprovement, notYetRecordedImprovement]);

export const withdrawn = z.object({ id: z.uuid(), stage: z.string(), status: z.string() });
export const withdrawalReceived = z.object({ id: z.uuid(), status: z.literal('received') });

export const task = z.object({
  id: z.uuid(),
  improvementId: z.uuid(),
  workflowId: z.string(),
  step: z.string(),
  assignee: z.string(),
  onBehalfOf: z.string().nullable(),
  status: z.string(),
  dueAt: at,
  remindAt: at,
  escalateAt: at,
  escalationLevel: z.int(),
  proposerBlocked: z.boolean().nullable(),
  unitId: z.string().nullable(),
  outcome: z.string().nullable(),
  decision: z.unknown(),
  decidedBy: z.string().nullable(),
  channel: z.string().nullable(),
  decisionId: z.string().nullable(),
  closedAt: nullableAt,
  createdAt: at,
});

export const decisionApplied = z.object({ status: z.literal('applied'), taskId: z.uuid(), outcome: z.string(), stage: z.string() });
export const decisionReceived = z.object({ status: z.literal('received'), taskId: z.uuid(), outcome: z.string() });

export const reassignment = z.object({ status: z.enum(['applied', 'received']), taskId: z.uuid(), assignee: z.string() });

export const orgUnit = z.object({ id: z.uuid(), name: z.string(), manager: z.string(), processes: z.array(z.uuid()) });
export const orgUnitList = z.object({ items: z.array(orgUnit) });
export const unitProcessesSet = orgUnit.extend({ added: z.array(z.uuid()), removed: z.array(z.uuid()) });

export const processVersion = z.object({
  id: z.uuid(),
  number: z.int().min(1),
  status: z.enum(versionStatuses),
  summary: z.string(),
  content: z.string().nullable(),
  url: z.string().nullable(),
  effectiveFrom: nullableAt,
  approvedAt: nullableAt,
  approvedBy: z.string().nullable(),
  publishedAt: nullableAt,
  improvementId: z.uuid().nullable(),
  lessons: z.string().nullable(),
  createdBy: z.string(),
  createdAt: at,
});

/** Lag: versions behind the current one (null while none is published). */
const lag = z.int().min(0).nullable();

/** What the library list and a process's page both say of a standard process. */
const standardProcess = z.object({
  id: z.uuid(),
  name: z.string(),
  owner: z.string(),
  purpose: z.string(),
  url: z.string().nullable(),
  currentVersion: z.int().nullable(),
});

export const processView = standardProcess.extend({
  content: z.string().nullable(),
  tailoringGuidelines: z.string(),
  createdAt: at,
  versions: z.array(processVersion),
  units: z.array(
    z.object({
      unitId: z.uuid(),
      unitName: z.string(),
      version: z.int().nullable(),
      tailored: z.boolean(),
      tailoring: z.string().optional(),
      waiver: z.object({ reason: z.string(), expiresAt: nullableAt, grantedBy: z.string().nullable() }).optional(),
      since: nullableAt,
      lag,
    }),
  ),
  improvements: z.array(
    z.object({
      id: z.uuid(),
      title: z.string(),
      stage: z.string(),
      status: z.string(),
      producedVersion: z.int().nullable(),
      lessons: z.string().optional(),
      measuredEffect: z.string().optional(),
    }),
  ),
});

export const processList = z.object({
  items: z.array(
    standardProcess.extend({
      versions: z.int().min(0),
      units: z.int().min(0),
      unitsOnCurrent: z.int().min(0),
    }),
  ),
});

export const adoptionMatrix = z.object({
  processes: z.array(z.object({ id: z.uuid(), name: z.string(), currentVersion: z.int().nullable() })),
  units: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      cells: z.array(z.object({ processId: z.uuid(), version: z.int().nullable(), lag, tailored: z.boolean(), waived: z.boolean(), since: nullableAt })),
    }),
  ),
});

export const person = z.object({
  email: z.string(),
  name: z.string(),
  roles: z.array(z.enum(roles)),
  manager: z.string().nullable(),
  orgUnit: z.uuid().nullable(),
});
export const personList = z.object({ items: z.array(person) });

export const tokenIssued = z.object({ id: z.uuid(), name: z.string(), token: z.string().regex(/^opf_[\w-]{43}$/), expiresAt: at });
export const tokenList = z.object({
  items: z.array(z.object({ id: z.uuid(), name: z.string(), createdAt: at, expiresAt: at, revokedAt: nullableAt, lastUsedAt: nullableAt })),
});

const delegation = z.object({ id: z.uuid(), person: z.string(), delegate: z.string(), from: at, until: at, cancelledAt: nullableAt });
export const delegationCreated = delegation.extend({
  reroutedTasks: z.array(z.uuid()),
  keptTasks: z.array(z.object({ taskId: z.uuid(), reason: z.string() })),
});
export const delegationList = z.object({ items: z.array(delegation) });

export const auditTrail = z.object({
  items: z.array(
    z.object({ at, actor: z.string(), action: z.string(), target: z.string(), outcome: z.string(), details: z.unknown(), requestId: z.string().nullable() }),
  ),
});
/** The same entries as CSV: a header row, then one row per entry. */
export const auditTrailCsv = z.string();
