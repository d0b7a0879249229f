// Background work shared by every periodic job: leases across instances and the periodic loop.
export { createLeases, DEFAULT_LEASE_TTL_MS, type HeldLease, type LeasedOutcome, type LeaseJob, type Leases, type LeasesDeps } from './leases';
export { createPeriodicJob, type Overlap, type PeriodicJob, type PeriodicRun } from './periodic';
