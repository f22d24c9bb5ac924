import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DurationOverrides } from '../improvement/definitions';
import type { AdoptionStep } from './steps';

/** How a unit is told to take up a version [SG3.SP2 sp3]: dates, material to read, who to ask. */
export interface DeploymentPlan {
  /** When units may start using the version (ISO date); defaults to the publication. */
  startsAt?: string;
  /** When every unit should have adopted it (ISO date); the deployment records itself late after. */
  adoptBy?: string;
  /** Training or support material to read, as titles or links. */
  material: string[];
  /** Who answers questions about the version. */
  contact: string;
}

/** An organisational unit that runs the process, and who decides for it. */
export interface UnitToDeploy {
  unitId: string;
  unitName: string;
  manager: string;
}

/** The published version being deployed, as the emails and the read model name it. */
export interface PublishedVersion {
  processId: string;
  processName: string;
  versionId: string;
  version: number;
  summary: string;
}

/** Deploys one published version of one standard process to every unit that runs it. */
export interface VersionDeploymentInput extends PublishedVersion {
  plan: DeploymentPlan;
  /** The units to deploy to; omitted: every unit the process applies to, as the library lists them. */
  units?: UnitToDeploy[];
  durations?: DurationOverrides;
  /** The version this one replaces: its deployment, if still running, is superseded at the start. */
  supersedes?: number;
}

/** Where one unit is with one version: asked, settled (adopted, tailored, waived) or superseded. */
export type UnitAdoptionStatus = 'pending' | 'waiver-requested' | 'adopted' | 'tailored' | 'waived' | 'superseded';

/** The statuses at which a unit has reached an end of this deployment. */
export const settledStatuses: readonly UnitAdoptionStatus[] = ['adopted', 'tailored', 'waived'];

export interface UnitAdoptionInput extends PublishedVersion {
  unit: UnitToDeploy;
  plan: DeploymentPlan;
  durations: DurationOverrides;
}

/** One unit's adoption of one version, as its status query returns it. */
export interface UnitAdoptionState {
  unit: UnitToDeploy;
  version: number;
  status: UnitAdoptionStatus;
  tailoring?: string;
  waiver?: { reason: string; expiresAt: string; grantedBy: string };
  waiverRefusals: number;
  /** How many times a granted waiver expired and adoption reopened. */
  reopenings: number;
  supersededBy?: number;
  openTasks: AdoptionTask[];
}

/** A human step of adoption waiting for one person, with its clock. */
export interface AdoptionTask {
  id: string;
  step: AdoptionStep;
  assignee: string;
  onBehalfOf?: string;
  dueAt: string;
  remindAt: string;
  escalateAt: string;
  /** 0: on time; 1: escalated to the assignee's manager; 2: escalated to management. */
  escalationLevel: 0 | 1 | 2;
}

/** A unit's row in the deployment's state. */
export interface DeployedUnit extends UnitToDeploy {
  status: UnitAdoptionStatus;
  workflowId: string;
}

export type DeploymentStatus = 'deploying' | 'deployed' | 'superseded';

/** The whole live state of one version's deployment. */
export interface VersionDeploymentState {
  processId: string;
  version: number;
  status: DeploymentStatus;
  supersededBy?: number;
  /** Set once the plan's adopt-by date passed with units still unsettled. */
  lateSince?: string;
  units: DeployedUnit[];
}

/** What a unit's child workflow reports to its deployment when its status changes. */
export interface UnitProgress {
  unitId: string;
  status: UnitAdoptionStatus;
}

/** One deployment per published version; its id derives from the process and version. */
export function versionDeploymentWorkflowId(processId: string, version: number): string {
  return `process-${processId}-v${version}`;
}

/** The child workflow that takes one unit through adoption of one version. */
export function unitAdoptionWorkflowId(processId: string, version: number, unitId: string): string {
  return `process-${processId}-v${version}-unit-${unitId}`;
}

/** Refusal types the API turns into HTTP statuses. */
export const deploymentRefusals = {
  deploymentEnded: 'DeploymentEnded',
} as const;

/** A unit starts running the process while the version deploys: it joins the deployment. */
export const unitJoinedUpdate = defineUpdate<VersionDeploymentState, [UnitToDeploy]>('unitJoined');

/** A newer version was published: units not yet done stop adopting this one. */
export const supersededSignal = defineSignal<[{ byVersion: number }]>('superseded');

/** A unit's child workflow reports a change of its status to the deployment. */
export const unitProgressSignal = defineSignal<[UnitProgress]>('unitProgress');

/** Returns the deployment's whole live state. */
export const getDeploymentStatusQuery = defineQuery<VersionDeploymentState>('getDeploymentStatus');

/** Returns one unit's whole live adoption state. */
export const getAdoptionStatusQuery = defineQuery<UnitAdoptionState>('getAdoptionStatus');
