import type { ImprovementStage, ImprovementState } from '../../workflows/improvement/definitions';

/** The snapshot the lifecycle workflow records of an improvement with no open tasks of its own, for activity tests. */
export function improvementSnapshot(id: string, title: string, stage: ImprovementStage): Omit<ImprovementState, 'history'> {
  return {
    id,
    proposerEmail: 'proposer@example.org',
    processOwnerEmail: 'process.owner@example.org',
    proposal: { title, description: 'd', process: 'Incident Management', source: 'incident', pilot: false, orgUnits: [] },
    stage,
    status: 'active',
    openTasks: [],
  } as unknown as Omit<ImprovementState, 'history'>;
}
