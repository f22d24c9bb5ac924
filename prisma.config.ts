import { defineConfig } from 'prisma/config';

// The Prisma CLI (generate, migrate status/deploy for users with Prisma's engine) reads this file.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@localhost:5432/opf' },
});
