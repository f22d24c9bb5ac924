import type pg from 'pg';

/** The floor's one activity: a row per step in the same PostgreSQL the project uses. */
export function createFloorActivities(pool: pg.Pool) {
  return {
    async recordFloorStep(row: { workflowId: string; step: number; outcome: string }): Promise<void> {
      await pool.query('INSERT INTO floor_step (workflow_id, step, outcome) VALUES ($1, $2, $3)', [row.workflowId, row.step, row.outcome]);
    },
  };
}
