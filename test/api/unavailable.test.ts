import { describe, expect, it } from 'vitest';
import { unavailableError, unavailableSystem } from '../../api/unavailable';

describe('a dependency that is briefly down is told apart from a crash', () => {
  it('node-postgres losing its connection mid-query (PostgreSQL restarting) is the database being unavailable, a 503', () => {
    // What pg-pool throws, unwrapped by Prisma's adapter, when the server stops under a query.
    const lost = new Error('Connection terminated unexpectedly');
    expect(unavailableSystem(lost)).toBe('database');
    expect(unavailableError(lost)?.status).toBe(503);
    expect(unavailableSystem(new Error('Client has encountered a connection error and is not queryable'))).toBe('database');
  });

  it('an ordinary error is not mistaken for an outage', () => {
    expect(unavailableSystem(new Error('Cannot read properties of undefined (reading "id")'))).toBeUndefined();
    expect(unavailableSystem(new Error('Connection terminated by the user, said nobody'))).toBeUndefined();
  });
});
