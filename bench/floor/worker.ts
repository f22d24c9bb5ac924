import { NativeConnection, Worker } from '@temporalio/worker';
import pg from 'pg';
import { createFloorActivities } from './activities';

/** The floor's worker, its own process like the project's: TEMPORAL_ADDRESS, DATABASE_URL, FLOOR_TASK_QUEUE. */
async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 5 });
  await pool.query('CREATE TABLE IF NOT EXISTS floor_step (workflow_id text, step int, outcome text, at timestamptz DEFAULT now())');
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.FLOOR_TASK_QUEUE ?? 'opf-floor',
    workflowsPath: require.resolve('./workflow'),
    activities: createFloorActivities(pool),
  });
  process.stdout.write('floor worker started\n');
  await worker.run();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
