-- CreateTable
CREATE TABLE "code_lockout" (
    "person_email" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "window_started_at" TIMESTAMPTZ(3) NOT NULL,
    "lockouts" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),

    CONSTRAINT "code_lockout_pkey" PRIMARY KEY ("person_email")
);
