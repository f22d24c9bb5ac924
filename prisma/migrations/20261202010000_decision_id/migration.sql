-- AlterTable
ALTER TABLE "task" ADD COLUMN     "decision_id" TEXT;
