-- CreateTable
CREATE TABLE "improvement" (
    "id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "proposer_email" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "improvement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "improvement_event" (
    "id" UUID NOT NULL,
    "improvement_id" UUID NOT NULL,
    "event_key" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "step" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "comment" TEXT,

    CONSTRAINT "improvement_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification" (
    "id" UUID NOT NULL,
    "notification_key" TEXT NOT NULL,
    "improvement_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "improvement_workflow_id_key" ON "improvement"("workflow_id");

-- CreateIndex
CREATE INDEX "improvement_stage_idx" ON "improvement"("stage");

-- CreateIndex
CREATE INDEX "improvement_status_idx" ON "improvement"("status");

-- CreateIndex
CREATE INDEX "improvement_event_improvement_id_at_idx" ON "improvement_event"("improvement_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "improvement_event_improvement_id_event_key_key" ON "improvement_event"("improvement_id", "event_key");

-- CreateIndex
CREATE UNIQUE INDEX "notification_notification_key_key" ON "notification"("notification_key");

-- CreateIndex
CREATE INDEX "notification_improvement_id_idx" ON "notification"("improvement_id");

-- CreateIndex
CREATE INDEX "notification_status_idx" ON "notification"("status");

-- AddForeignKey
ALTER TABLE "improvement_event" ADD CONSTRAINT "improvement_event_improvement_id_fkey" FOREIGN KEY ("improvement_id") REFERENCES "improvement"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification" ADD CONSTRAINT "notification_improvement_id_fkey" FOREIGN KEY ("improvement_id") REFERENCES "improvement"("id") ON DELETE CASCADE ON UPDATE CASCADE;
