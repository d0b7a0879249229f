// SQL for leases on background work (server/domain/background/leases.ts). A claim is one upsert in an
// IMMEDIATE transaction: it takes a free item, renews the holder's own lease, or takes over a lease
// that has expired, and changes nothing while another holder's lease is live. The same statement is
// atomic in SQLite (one writer) and in PostgreSQL (INSERT .. ON CONFLICT locks the conflicting row).
// It is written out: drizzle's SQLite builder qualifies the conflict target's columns with the table
// name, which PostgreSQL does not accept.
import { and, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { workLeases, type WorkLeaseRow } from '../schema/leases';

export type WorkLeasesRepository = ReturnType<typeof createWorkLeasesRepository>;

export function createWorkLeasesRepository(db: Db) {
  return {
    /** True when `lease.holder` now holds the item until `lease.expiresAtMs`; false while another live holder does. */
    claim(lease: WorkLeaseRow, nowMs: number): boolean {
      return db.transaction(
        (tx) =>
          tx.run(sql`
            INSERT INTO work_leases (job, item, holder, expires_at_ms) VALUES (${lease.job}, ${lease.item}, ${lease.holder}, ${lease.expiresAtMs})
            ON CONFLICT (job, item) DO UPDATE SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms
            WHERE work_leases.holder = excluded.holder OR work_leases.expires_at_ms <= ${nowMs}`).changes === 1,
        { behavior: 'immediate' },
      );
    },
    /** Ends the holder's lease on the item (a lease another holder took over is left alone). */
    release(job: string, item: string, holder: string): void {
      db.delete(workLeases).where(and(eq(workLeases.job, job), eq(workLeases.item, item), eq(workLeases.holder, holder))).run();
    },
    /** Drops leases that ended long ago (items whose holder died and that nobody needed since). */
    purgeExpiredBefore(nowMs: number): number {
      return db.delete(workLeases).where(lte(workLeases.expiresAtMs, nowMs)).run().changes;
    },
    /** The lease on an item, live or not (diagnostics and tests). */
    leaseOf(job: string, item: string): WorkLeaseRow | undefined {
      return db.select().from(workLeases).where(and(eq(workLeases.job, job), eq(workLeases.item, item))).get();
    },
  };
}
