/**
 * Leases on background work, so that with several Steward instances on one database each item of a
 * periodic job is worked on by one instance at a time, and an instance killed mid-item leaves it to
 * another once its lease expires.
 *
 *   leases.withLease(job, item, async (held) => { ...; if (held.confirm()) act(); })
 *
 * A lease is claimed before the work starts (skipped, `leased_elsewhere`, while another live holder has
 * it), renewed every third of its time while the work runs, and released when the work ends, however
 * it ends. A holder that failed to renew has lost the item for good: `confirm()` answers false from
 * then on. `confirm()` re-claims (renews) the lease in the database, so calling it right before acting,
 * with no await in between, means nobody else can hold the item while the act runs (it holds for a
 * whole lease time from then, on the clocks of the instances, which must agree to well within it).
 *
 * Leases are an efficiency and once-only measure on top of the work's own safety: every act they guard
 * (settling a payment, crediting a top-up, paying a refund) stays idempotent and guarded by its own
 * state transition, so two holders at once (a paused process that woke after its lease expired) can at
 * worst ask a wallet twice, never move money twice.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import { createWorkLeasesRepository } from '../../db/repositories/work-leases-repository';

/** Every job that takes leases, one name each (the `job` column). */
export type LeaseJob = 'reconcile_payment' | 'fund_top_up' | 'pay_refund' | 'sync_wallet' | 'provision_wallet' | 'refresh_catalog' | 'run_task';

/** Long enough for a slow wallet call between renewals; short enough that a dead instance's items wait little. */
export const DEFAULT_LEASE_TTL_MS = 30_000;
/** Leases that ended this long ago are deleted by `purgeExpired` (their holder died and nobody needed the item since). */
const PURGE_AFTER_MS = 24 * 60 * 60_000;

export interface HeldLease {
  /** Renews the lease now: true while the item is still this holder's; false once it was lost. */
  confirm(): boolean;
  /** Aborted once the lease is lost, so long work (a task's loop) stops and leaves the item to its new holder. */
  lost: AbortSignal;
}

export type LeasedOutcome<T> = { ran: true; value: T } | { ran: false; reason: 'leased_elsewhere' };

export interface LeasesDeps {
  db: Db;
  now: () => number;
  ttlMs?: number;
  /** This instance's id; a random one per process by default (compose builds one set of leases). */
  holderId?: string;
}

export type Leases = ReturnType<typeof createLeases>;

export function createLeases(deps: LeasesDeps) {
  const repo = createWorkLeasesRepository(deps.db);
  const holderId = deps.holderId ?? randomUUID();
  const ttlMs = deps.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const claim = (job: LeaseJob, item: string): boolean => {
    const nowMs = deps.now();
    return repo.claim({ job, item, holder: holderId, expiresAtMs: nowMs + ttlMs }, nowMs);
  };

  /**
   * Runs `work` on the item while holding its lease; does nothing while another live holder has it.
   * The claim, and the start of `work`, happen before this returns (synchronously), so a caller knows
   * from a flag its work sets whether it runs here.
   */
  async function withLease<T>(job: LeaseJob, item: string, work: (held: HeldLease) => Promise<T>): Promise<LeasedOutcome<T>> {
    if (!claim(job, item)) return { ran: false, reason: 'leased_elsewhere' };
    const lost = new AbortController();
    const renew = (): boolean => {
      if (!lost.signal.aborted && !claim(job, item)) lost.abort(new Error(`the lease on ${job} ${item} was lost`));
      return !lost.signal.aborted;
    };
    const renewal = setInterval(() => {
      try {
        renew();
      } catch {
        // The database was busy: the lease still runs, and the next renewal or confirm() decides.
      }
    }, ttlMs / 3);
    renewal.unref();
    try {
      return { ran: true, value: await work({ confirm: renew, lost: lost.signal }) };
    } finally {
      clearInterval(renewal);
      repo.release(job, item, holderId);
    }
  }

  return {
    holderId,
    withLease,
    /** Deletes leases long expired (housekeeping; a live or recently lapsed lease is never touched). */
    purgeExpired: (): number => repo.purgeExpiredBefore(deps.now() - PURGE_AFTER_MS),
  };
}
