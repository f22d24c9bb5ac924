-- A task keeps the self-approval rule that held when it opened, so the API and the workflow agree.
ALTER TABLE "task" ADD COLUMN "proposer_blocked" BOOLEAN;
