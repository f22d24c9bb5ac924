-- AlterTable
ALTER TABLE "notification" ADD COLUMN     "lease_until" TIMESTAMPTZ(3);
