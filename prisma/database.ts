import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type Database = PrismaClient;

/** One Prisma client per process, over node-postgres with a bounded pool. */
export function createDatabase(connectionString: string, poolMax: number): Database {
  const adapter = new PrismaPg({ connectionString, max: poolMax, connectionTimeoutMillis: 5_000 });
  return new PrismaClient({ adapter });
}
