-- The process asset library (issue 12): standard processes, their versions, and the version each unit runs.

-- AlterTable
ALTER TABLE "improvement" ADD COLUMN     "process_id" UUID;

-- CreateTable
CREATE TABLE "standard_process" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "purpose" TEXT NOT NULL DEFAULT '',
    "owner_email" TEXT NOT NULL,
    "content" TEXT,
    "url" TEXT,
    "tailoring_guidelines" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "standard_process_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "process_version" (
    "id" UUID NOT NULL,
    "process_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "summary" TEXT NOT NULL,
    "content" TEXT,
    "url" TEXT,
    "effective_from" TIMESTAMPTZ(3),
    "approved_at" TIMESTAMPTZ(3),
    "approved_by" TEXT,
    "published_at" TIMESTAMPTZ(3),
    "improvement_id" UUID,
    "lessons" TEXT,
    "created_by" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "process_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "unit_process" (
    "unit_id" UUID NOT NULL,
    "process_id" UUID NOT NULL,
    "applies" BOOLEAN NOT NULL DEFAULT true,
    "version_id" UUID,
    "since" TIMESTAMPTZ(3),
    "tailored" BOOLEAN NOT NULL DEFAULT false,
    "tailoring" TEXT,
    "waiver_reason" TEXT,
    "waiver_expires_at" TIMESTAMPTZ(3),
    "waiver_granted_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "unit_process_pkey" PRIMARY KEY ("unit_id","process_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "standard_process_name_key" ON "standard_process"("name");

-- CreateIndex
CREATE INDEX "process_version_improvement_id_idx" ON "process_version"("improvement_id");

-- CreateIndex
CREATE UNIQUE INDEX "process_version_process_id_number_key" ON "process_version"("process_id", "number");

-- CreateIndex
CREATE INDEX "unit_process_process_id_idx" ON "unit_process"("process_id");

-- CreateIndex
CREATE INDEX "improvement_process_id_idx" ON "improvement"("process_id");

-- AddForeignKey
ALTER TABLE "improvement" ADD CONSTRAINT "improvement_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "standard_process"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "process_version" ADD CONSTRAINT "process_version_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "standard_process"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "unit_process" ADD CONSTRAINT "unit_process_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "org_unit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "unit_process" ADD CONSTRAINT "unit_process_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "standard_process"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "unit_process" ADD CONSTRAINT "unit_process_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "process_version"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Carry over: each distinct free-text process of the existing improvements becomes a library entry,
-- owned by the process owner of its earliest improvement, with a published version 1.
INSERT INTO "standard_process" ("id", "name", "owner_email", "created_at", "updated_at")
SELECT gen_random_uuid(), named."process", named."process_owner_email", named."created_at", CURRENT_TIMESTAMP
FROM (
    SELECT DISTINCT ON (btrim("process")) btrim("process") AS "process", "process_owner_email", "created_at"
    FROM "improvement"
    WHERE btrim("process") <> ''
    ORDER BY btrim("process"), "created_at"
) AS named;

INSERT INTO "process_version" ("id", "process_id", "number", "status", "summary", "published_at", "created_by", "created_at")
SELECT gen_random_uuid(), "id", 1, 'published', 'The process as improvements named it before the library was kept', "created_at", 'migration', "created_at"
FROM "standard_process";

UPDATE "improvement" SET "process_id" = sp."id"
FROM "standard_process" sp
WHERE sp."name" = btrim("improvement"."process");

-- Each unit an improvement was deployed to runs version 1 (adopted, tailoring kept), holds a waiver
-- (waived), or has the process applying with no version adopted yet (pending). Where several
-- improvements of one process reached a unit, the most advanced (adopted, waived, pending), latest wins.
INSERT INTO "unit_process" ("unit_id", "process_id", "applies", "version_id", "since", "tailored", "tailoring", "waiver_reason", "waiver_granted_by", "updated_at")
SELECT DISTINCT ON (o."id", i."process_id")
    o."id",
    i."process_id",
    true,
    CASE WHEN u."status" = 'adopted' THEN v."id" END,
    CASE WHEN u."status" = 'adopted' THEN i."updated_at" END,
    u."status" = 'adopted' AND coalesce(btrim(u."tailoring"), '') <> '',
    CASE WHEN u."status" = 'adopted' THEN nullif(btrim(u."tailoring"), '') END,
    CASE WHEN u."status" = 'waived' THEN coalesce(nullif(btrim(u."waiverReason"), ''), 'waived before the library was kept') END,
    CASE WHEN u."status" = 'waived' THEN 'migration' END,
    CURRENT_TIMESTAMP
FROM "improvement" i
JOIN "process_version" v ON v."process_id" = i."process_id" AND v."number" = 1
CROSS JOIN LATERAL jsonb_to_recordset(
    CASE WHEN jsonb_typeof(i."details"->'units') = 'array' THEN i."details"->'units' ELSE '[]'::jsonb END
) AS u("unitId" TEXT, "status" TEXT, "tailoring" TEXT, "waiverReason" TEXT)
JOIN "org_unit" o ON o."id"::text = u."unitId"
ORDER BY o."id", i."process_id",
    CASE u."status" WHEN 'adopted' THEN 0 WHEN 'waived' THEN 1 ELSE 2 END,
    i."updated_at" DESC;
