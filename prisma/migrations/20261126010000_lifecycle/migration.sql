-- AlterTable
ALTER TABLE "improvement" ADD COLUMN     "details" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "escalation_level" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "org_unit_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "pilot" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "priority" INTEGER,
ADD COLUMN     "process" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "process_owner_email" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'staff-proposal';

-- AlterTable
ALTER TABLE "improvement_event" ADD COLUMN     "channel" TEXT NOT NULL DEFAULT 'system',
ADD COLUMN     "task_id" TEXT;

-- AlterTable
ALTER TABLE "notification" ADD COLUMN     "task_id" TEXT;

-- CreateTable
CREATE TABLE "task" (
    "id" UUID NOT NULL,
    "improvement_id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "assignee" TEXT NOT NULL,
    "on_behalf_of" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "remind_at" TIMESTAMPTZ(3) NOT NULL,
    "escalate_at" TIMESTAMPTZ(3) NOT NULL,
    "escalation_level" INTEGER NOT NULL DEFAULT 0,
    "unit_id" TEXT,
    "outcome" TEXT,
    "decision" JSONB,
    "decided_by" TEXT,
    "channel" TEXT,
    "closed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "org_unit" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "manager_email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "org_unit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "person" (
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "roles" TEXT[],
    "manager_email" TEXT,
    "org_unit_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "person_pkey" PRIMARY KEY ("email")
);

-- CreateIndex
CREATE INDEX "task_improvement_id_idx" ON "task"("improvement_id");

-- CreateIndex
CREATE INDEX "task_assignee_status_idx" ON "task"("assignee", "status");

-- CreateIndex
CREATE INDEX "task_status_due_at_idx" ON "task"("status", "due_at");

-- CreateIndex
CREATE UNIQUE INDEX "org_unit_name_key" ON "org_unit"("name");

-- CreateIndex
CREATE INDEX "person_org_unit_id_idx" ON "person"("org_unit_id");

-- CreateIndex
CREATE INDEX "improvement_process_owner_email_idx" ON "improvement"("process_owner_email");

-- AddForeignKey
ALTER TABLE "task" ADD CONSTRAINT "task_improvement_id_fkey" FOREIGN KEY ("improvement_id") REFERENCES "improvement"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "person" ADD CONSTRAINT "person_org_unit_id_fkey" FOREIGN KEY ("org_unit_id") REFERENCES "org_unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;
