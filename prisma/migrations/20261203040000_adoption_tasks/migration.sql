-- Tasks and emails of a process version's deployment belong to a process version and a unit, not
-- to an improvement: improvement_id becomes optional, and the task or email names its process and
-- version. Existing rows all belong to an improvement and keep it.
ALTER TABLE "task" ALTER COLUMN "improvement_id" DROP NOT NULL;
ALTER TABLE "task" ADD COLUMN "process_id" UUID;
ALTER TABLE "task" ADD COLUMN "version_id" UUID;
ALTER TABLE "task" ADD CONSTRAINT "task_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "standard_process"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "task" ADD CONSTRAINT "task_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "process_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE INDEX "task_version_id_idx" ON "task"("version_id");

ALTER TABLE "notification" ALTER COLUMN "improvement_id" DROP NOT NULL;
ALTER TABLE "notification" ADD COLUMN "process_id" UUID;
ALTER TABLE "notification" ADD COLUMN "version_id" UUID;

-- The history of a version's deployment (started, unit asked, adopted, waived, superseded), once per key.
CREATE TABLE "deployment_event" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "event_key" TEXT NOT NULL,
    "process_id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "unit_id" UUID,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "deployment_event_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "deployment_event_version_id_event_key_key" ON "deployment_event"("version_id", "event_key");
CREATE INDEX "deployment_event_process_id_idx" ON "deployment_event"("process_id");
ALTER TABLE "deployment_event" ADD CONSTRAINT "deployment_event_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "standard_process"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deployment_event" ADD CONSTRAINT "deployment_event_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "process_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The deployment plan a version was published with (dates, material, contact): a unit that joins
-- later is asked with the same plan.
ALTER TABLE "process_version" ADD COLUMN "deployment_plan" JSONB;
