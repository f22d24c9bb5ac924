-- AlterTable
ALTER TABLE "session" ADD COLUMN     "api_token_id" UUID;

-- CreateIndex
CREATE INDEX "session_api_token_id_idx" ON "session"("api_token_id");
