// What the ledger's operations take and return. Expected refusals are named values; a refused
// request writes nothing, so retrying it later with the same key is evaluated afresh.
import type { Msat } from '../../../shared/money';
import type { AccountRef, ProviderAccountRef } from './accounts';
import type { JsonValue } from './canonical-json';

export type JsonObject = { readonly [key: string]: JsonValue | undefined };

export type ReservationStatus = 'pending' | 'posted' | 'voided' | 'expired';

/** How a reservation ended: posted (paid + fee, rest released), voided or expired (all released). */
export interface Resolution {
  transferId: number;
  kind: 'post' | 'void' | 'expire';
  idempotencyKey: string | null; // null for expiries, which the ledger makes itself
  paidMsat: Msat; // to the destination; 0 unless posted
  feeMsat: Msat; // to routing fees; 0 unless posted
  releasedMsat: Msat; // back to the user's available funds
  reason: string | null;
  resolvedAtMs: number;
}

export interface Reservation {
  id: number;
  idempotencyKey: string;
  userId: string;
  destination: string; // account code of the provider
  amountMsat: Msat; // held, including the routing-fee allowance
  status: ReservationStatus;
  createdAtMs: number;
  expiresAtMs: number;
  metadata: JsonObject | null;
  resolution: Resolution | null;
}

export interface Transfer {
  id: number;
  idempotencyKey: string;
  debit: string; // account codes
  credit: string;
  amountMsat: Msat;
  reason: string | null;
  metadata: JsonObject | null;
  createdAtMs: number;
}

export type Refusal<R extends string> = { ok: false; reason: R };

export interface TransferRequest {
  idempotencyKey: string;
  debit: AccountRef;
  credit: AccountRef;
  amountMsat: Msat;
  reason?: string; // e.g. 'top_up', 'refund': why the money moved, for the audit trail
  metadata?: JsonObject;
}
export type TransferResult =
  | { ok: true; transfer: Transfer; replayed: boolean }
  | Refusal<'insufficient_funds' | 'idempotency_conflict'>;

export interface ReservePreconditionInput {
  userId: string;
  destination: string;
  amountMsat: Msat;
  nowMs: number;
}
/**
 * Runs inside the reservation's transaction, before anything is written, so a check that reads the
 * database (the budget) and the write that depends on it are one atomic step. Must be synchronous.
 */
export type ReservePrecondition<R extends string> = (
  input: ReservePreconditionInput,
) => { ok: true } | Refusal<R>;

export interface ReserveRequest<R extends string = never> {
  idempotencyKey: string;
  userId: string;
  destination: ProviderAccountRef;
  amountMsat: Msat;
  expiresAtMs: number;
  metadata?: JsonObject;
  precondition?: ReservePrecondition<R>;
}
export type ReserveResult<R extends string = never> =
  | { ok: true; reservation: Reservation; replayed: boolean }
  | Refusal<'insufficient_funds' | 'expiry_in_past' | 'idempotency_conflict' | R>;

export interface PostRequest {
  idempotencyKey: string;
  reservationId: number;
  amountMsat: Msat; // what was actually paid to the destination
  feeMsat: Msat; // routing fee actually paid
}
export interface VoidRequest {
  idempotencyKey: string;
  reservationId: number;
  reason: string;
}
export type ResolveResult<R extends string> =
  | { ok: true; reservation: Reservation; replayed: boolean }
  | { ok: false; reason: 'already_resolved'; reservation: Reservation }
  | Refusal<'idempotency_conflict' | 'not_found' | R>;
export type PostResult = ResolveResult<'amount_exceeds_reservation'>;
export type VoidResult = ResolveResult<never>;

/** A reservation as an observer sees it, inside the transaction that creates or resolves it. */
export interface ObservedReservation {
  id: number;
  userId: string;
  amountMsat: Msat;
  createdAtMs: number;
  metadata: JsonObject | null;
}
export interface ObservedResolution {
  kind: 'post' | 'void' | 'expire';
  /** Paid to the destination; 0 unless posted. */
  amountMsat: Msat;
  /** Routing fee paid; 0 unless posted. */
  feeMsat: Msat;
}
/**
 * Told of every reservation and resolution inside the IMMEDIATE transaction that writes it, so what
 * it keeps (budget usage) commits or rolls back with the ledger rows. Must be synchronous; throwing
 * rolls the operation back. The ledger knows nothing of what it keeps.
 */
export interface ReservationObserver {
  reserved(reservation: ObservedReservation): void;
  resolved(reservation: ObservedReservation, resolution: ObservedResolution): void;
}
