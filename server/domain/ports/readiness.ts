/**
 * Whether this instance can serve requests now: what `GET /readyz` answers a load balancer
 * (server/http/health.ts). Implemented over the app's database handle by server/db/readiness.ts.
 */

export type NotReadyReason =
  /** The database did not answer a trivial query (closed handle, server down, refused connection). */
  | 'database_unavailable'
  /** The database answers but lacks migrations this build needs (another instance still migrating, or an old schema). */
  | 'migrations_pending'
  /** The database took longer than the readiness timeout to answer. */
  | 'database_timeout';

/** `detail` is for the operator's log only (it can hold SQL or a host name): never sent to the caller. */
export type Readiness = { ready: true } | { ready: false; reason: NotReadyReason; detail?: string };

/** Synchronous over the better-sqlite3-shaped handle; a promise for a handle that answers asynchronously. */
export type ReadinessCheck = () => Readiness | Promise<Readiness>;
