/**
 * The synchronous half of a payment: every step that changes money or a payment's status is one
 * IMMEDIATE transaction over the ledger and the payment row together, so the two can never disagree.
 *
 *   writeAhead   reserve (with the budget precondition) + insert the row as `reserved`; group-committed
 *                (server/db/group-commit.ts): write-aheads arriving in one event-loop turn share one
 *                IMMEDIATE transaction, each in its own savepoint, and each resolves only after that
 *                transaction committed, so nothing is paid against a hold that is not durable
 *   markPaying   reserved -> paying; only a payment that made this move may be handed to the wallet
 *   settlePaid   post the invoice amount + actual fee, release the rest; paid | paid_unusable;
 *                a paid payment's token goes into the vault in the same transaction, whoever
 *                settles it (the purchase itself, or the reconciler after a crash)
 *   settleFailed void the hold; failed
 *
 * The await on the wallet sits between markPaying and a settle, never inside a transaction.
 * Ledger calls nest inside these transactions as savepoints (better-sqlite3 nests transactions).
 */
import type { Msat } from '../../../shared/money';
import { msat } from '../../../shared/money';
import type { DatabaseHandle } from '../../db/client';
import { createGroupCommit } from '../../db/group-commit';
import { createPaymentsRepository, type PaymentsRepository } from '../../db/repositories/payments-repository';
import { createTokenVaultRepository } from '../../db/repositories/token-vault-repository';
import type { PaymentRow } from '../../db/schema/payments';
import { SecretBoxError, type SecretBox } from '../../db/secret-box';
import { budgetReservationMetadata, type BudgetRefusalReason, type Governance } from '../governance';
import { providerAccount, type Ledger, type ReservePrecondition, type ReserveResult } from '../ledger';
import { timeOrderedId } from '../ids';
import type { VerifiedChallenge } from '../ports/l402';
import { preimageMatchesPaymentHash } from '../ports/wallet';
import { createTokenVault, type StoredToken, type TokenVault } from './token-vault';
import type { KeyHold, PurchaseRequest, SpendAuthorization } from './types';

/** The purchase as the row records it, with the challenge it is about to pay. */
export type WriteAheadInput = Pick<
  PurchaseRequest,
  'userId' | 'timeZone' | 'idempotencyKey' | 'task' | 'serviceId' | 'service' | 'providerId' | 'keyHold'
> &
  Pick<SpendAuthorization, 'rate'> & {
  /** How far past the monthly limit the person approved for this spend (absent: none). */
  authorizedOverageMsat?: Msat;
  method: string;
  url: string;
  verified: VerifiedChallenge;
  feeAllowanceMsat: Msat;
};

export type WriteAheadResult =
  | { ok: true; payment: PaymentRow }
  | { ok: false; reason: 'payment_hash_already_used' | 'insufficient_funds' | 'expiry_in_past' | 'idempotency_conflict' | BudgetRefusalReason }
  /** The step's idempotency key already has a payment: a retry, which must never pay again. */
  | { ok: false; reason: 'existing_payment'; payment: PaymentRow };

export interface SettlePaidInput {
  /** As the wallet reported it; null when it reported none. */
  preimageHex: string | null;
  /** The routing fee actually paid. */
  feeMsat: Msat;
}

export type SettleResult =
  | { settled: true; payment: PaymentRow }
  /** It was already settled (by the reconciler, or a replay): nothing changed. */
  | { settled: false; payment: PaymentRow };

export type SettlePaidResult =
  /**
   * `token`: the vault's token bought by a `paid` payment; null when paid_unusable or not recoverable.
   * `uncoveredMsat`: what a late settlement cost beyond the person's funds (0 when covered): the
   * ledger records what it could, and the wallet reconciliation reports the rest as drift.
   */
  | { settled: true; payment: PaymentRow; token: StoredToken | null; uncoveredMsat: Msat }
  | { settled: false; payment: PaymentRow };

export interface PaymentRecordsDeps {
  handle: Pick<DatabaseHandle, 'sqlite'>;
  ledger: Ledger;
  governance: Pick<Governance, 'precondition' | 'settingsFor'>;
  repository: PaymentsRepository;
  /** Where a paid payment's token goes; the macaroon is sealed on the row with `secretBox` until then. */
  vault: TokenVault;
  secretBox: SecretBox;
  now: () => number;
  /** How long a reservation may stay pending before the ledger's sweep may release it. */
  reservationTtlMs: number;
}

export type PaymentRecords = ReturnType<typeof createPaymentRecords>;

/** The payment records over `database`'s own repositories and token vault, as the purchase engine uses them. */
export function paymentRecordsOn(
  database: Pick<DatabaseHandle, 'db' | 'sqlite'>,
  deps: Pick<PaymentRecordsDeps, 'ledger' | 'governance' | 'secretBox' | 'now' | 'reservationTtlMs'>,
): { records: PaymentRecords; vault: TokenVault } {
  const vault = createTokenVault(createTokenVaultRepository(database.db), deps.secretBox);
  const records = createPaymentRecords({ ...deps, handle: database, repository: createPaymentsRepository(database.db), vault });
  return { records, vault };
}

/** The budget's precondition, then (when it allows the spend) the agent key's, on the same hold. */
function withKeyHold(budget: ReservePrecondition<BudgetRefusalReason>, keyHold: KeyHold | undefined): ReservePrecondition<BudgetRefusalReason> {
  if (!keyHold) return budget;
  return (input) => {
    const verdict = budget(input);
    if (!verdict.ok) return verdict;
    const refused = keyHold.refusal(msat(input.amountMsat), input.nowMs);
    return refused ? { ok: false, reason: refused } : { ok: true };
  };
}

/**
 * The spend decision inside a write-ahead: the hold on the invoice's amount plus the fee allowance,
 * checked by the budget (the person's settings read here, under the write lock, so a limit tightened
 * after the purchase was submitted still applies) and then by the agent key. bench/governance.bench.ts
 * times exactly this, as the decision the throughput target counts.
 */
export function holdForPayment(
  deps: Pick<PaymentRecordsDeps, 'ledger' | 'governance' | 'reservationTtlMs'>,
  input: WriteAheadInput,
  paymentId: string,
  nowMs: number,
): ReserveResult<BudgetRefusalReason> {
  const holdMsat = msat(input.verified.amountMsat + input.feeAllowanceMsat);
  const settings = deps.governance.settingsFor(input.userId);
  return deps.ledger.reserve({
    idempotencyKey: `payment:${paymentId}:reserve`,
    userId: input.userId,
    destination: providerAccount(input.providerId),
    amountMsat: holdMsat,
    expiresAtMs: nowMs + deps.reservationTtlMs,
    // No object spreads on a decision's path: objects built as `{ ...a, b }` there kept what they
    // point to alive through young-generation collections (docs/architecture.md, "What a spend
    // decision costs").
    metadata: Object.assign(
      budgetReservationMetadata({ serviceId: input.serviceId, taskId: input.task?.id ?? null, feeReserveMsat: input.feeAllowanceMsat }),
      { paymentId, paymentHash: input.verified.paymentHashHex },
    ),
    precondition: withKeyHold(
      deps.governance.precondition({
        userId: input.userId,
        timeZone: input.timeZone,
        settings,
        quote: { serviceId: input.serviceId, maxMsat: holdMsat, feeAllowanceMsat: input.feeAllowanceMsat, rate: input.rate },
        task: input.task,
        authorizedOverageMsat: input.authorizedOverageMsat,
      }),
      input.keyHold,
    ),
  });
}

/** Binds a sealed macaroon to its payment: copied to another row it fails to open. */
const macaroonContext = (paymentId: string) => `payment-macaroon:${paymentId}`;

export function createPaymentRecords(deps: PaymentRecordsDeps) {
  const { repository, ledger } = deps;
  // Built once, not per call: better-sqlite3 builds a transaction's wrappers on every .transaction().
  const transaction = deps.handle.sqlite.transaction((fn: () => unknown) => fn());
  const inTransaction = <T>(fn: () => T): T => transaction.immediate(fn) as T;

  // Concurrent purchases' write-aheads commit together: on a file, the commit (writing every page
  // the reservation and the payment row dirtied to the WAL) was the largest single cost of a spend,
  // and pages several of them dirty (the tables' last pages, a person's usage rows) are then written
  // once per batch (bench/governance.bench.ts).
  const writer = createGroupCommit(deps.handle.sqlite);

  /** Resolves once the reservation and the `reserved` row are committed (or were refused): pay only then. */
  function writeAhead(input: WriteAheadInput): Promise<WriteAheadResult> {
    return writer.submit(() => writeAheadUnit(input));
  }

  /**
   * The write-ahead itself, in its own savepoint of the writer's transaction. The settings are read
   * here, under the write lock, so a limit tightened after the purchase was submitted still applies.
   */
  function writeAheadUnit(input: WriteAheadInput): WriteAheadResult {
    const { verified } = input;
    const prior = repository.byIdempotencyKey(input.userId, input.idempotencyKey);
    if (prior) return { ok: false, reason: 'existing_payment', payment: prior };
    if (repository.byPaymentHash(verified.paymentHashHex)) return { ok: false, reason: 'payment_hash_already_used' };

    const id = timeOrderedId(Date.now());
    const nowMs = deps.now();
    const reserved = holdForPayment(deps, input, id, nowMs);
    if (!reserved.ok) return { ok: false, reason: reserved.reason };

    const payment = repository.insert({
      id,
      userId: input.userId,
      idempotencyKey: input.idempotencyKey,
      paymentHash: verified.paymentHashHex,
      reservationId: reserved.reservation.id,
      status: 'reserved',
      origin: new URL(input.url).origin,
      service: input.service,
      serviceId: input.serviceId,
      providerId: input.providerId,
      method: input.method.toUpperCase(),
      url: input.url,
      challengeScheme: verified.challenge.scheme,
      macaroonIdHex: verified.token.macaroonIdHex,
      macaroonSealed: deps.secretBox.seal(verified.challenge.macaroon, macaroonContext(id)),
      tokenExpiresAtMs: verified.token.validUntilSec === null ? null : verified.token.validUntilSec * 1000,
      invoice: verified.challenge.invoice,
      invoiceExpiresAtMs: verified.invoiceExpiresAtSec * 1000,
      amountMsat: verified.amountMsat,
      feeAllowanceMsat: input.feeAllowanceMsat,
      rateJson: JSON.stringify(input.rate),
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
    });
    // Counted against the key in this same transaction: a crash from here on leaves the hold counted.
    input.keyHold?.hold(id, reserved.reservation.amountMsat, nowMs);
    return { ok: true, payment };
  }

  /** reserved -> paying. False means someone else moved it: do not pay. */
  function markPaying(paymentId: string): boolean {
    return inTransaction(() => repository.transition(paymentId, ['reserved'], 'paying', { updatedAtMs: deps.now() }) !== undefined);
  }

  function requirePayment(paymentId: string): PaymentRow {
    const payment = repository.byId(paymentId);
    if (!payment) throw new Error(`payment ${paymentId} does not exist`);
    return payment;
  }

  /**
   * Records money that moved. With a proof that hashes to the payment hash the payment is `paid` and
   * its token (the macaroon written ahead + the proof) goes into the vault, so a step resumed after a
   * crash can redeem what was bought; without a proof (or with a wrong one) it is `paid_unusable`, a
   * dispute candidate, and never retried.
   */
  function settlePaid(paymentId: string, input: SettlePaidInput): SettlePaidResult {
    return inTransaction((): SettlePaidResult => {
      const payment = requirePayment(paymentId);
      if (payment.status !== 'reserved' && payment.status !== 'paying') return { settled: false, payment };
      const nowMs = deps.now();
      const proofOk = input.preimageHex !== null && preimageMatchesPaymentHash(input.preimageHex, payment.paymentHash);
      const uncoveredMsat = postMoneyMoved(payment, input.feeMsat);
      const paid = repository.transition(paymentId, ['reserved', 'paying'], proofOk ? 'paid' : 'paid_unusable', {
        feeMsat: input.feeMsat,
        preimageHex: input.preimageHex,
        reason: proofOk ? null : input.preimageHex === null ? 'missing_preimage' : 'preimage_mismatch',
        paidAtMs: nowMs,
        resolvedAtMs: nowMs,
        updatedAtMs: nowMs,
      });
      if (!paid) throw new Error(`payment ${paymentId} changed status inside its own transaction`);
      const token = proofOk && input.preimageHex !== null ? storeToken(paid, input.preimageHex, nowMs) : null;
      return { settled: true, payment: paid, token, uncoveredMsat };
    });
  }

  function storeToken(payment: PaymentRow, preimageHex: string, nowMs: number): StoredToken | null {
    if (payment.macaroonSealed === null) return null; // written before macaroons were kept
    let macaroon: string;
    try {
      macaroon = deps.secretBox.open(payment.macaroonSealed, macaroonContext(payment.id));
    } catch (error) {
      // Sealed under another key (rotated) or altered: the money moved all the same and is recorded;
      // the step will report the token unavailable, a dispute candidate.
      if (error instanceof SecretBoxError) return null;
      throw error;
    }
    const key = { userId: payment.userId, origin: payment.origin, service: payment.service };
    return deps.vault.put(key, { macaroon, preimageHex, expiresAtMs: payment.tokenExpiresAtMs, paymentId: payment.id }, nowMs);
  }

  /**
   * Posts the invoice amount and the fee out of the hold. A fee above the allowance is still money
   * that left the wallet, and so is a payment the wallet settled after the ledger's expiry sweep
   * released its hold. Each such charge is booked as its own reservation, posted at once, carrying the
   * spend's service and task: budget usage is summed from reservations, so the month, service and task
   * totals count every msat that moved. No budget check runs on it (the money has already gone).
   */
  function postMoneyMoved(payment: PaymentRow, feeMsat: Msat): Msat {
    const amountMsat = msat(payment.amountMsat);
    const feeFromHoldMsat = msat(Math.min(feeMsat, payment.feeAllowanceMsat));
    const posted = ledger.post({
      idempotencyKey: `payment:${payment.id}:post`,
      reservationId: payment.reservationId,
      amountMsat,
      feeMsat: feeFromHoldMsat,
    });
    if (posted.ok) {
      return feeMsat > feeFromHoldMsat ? chargeAfterTheFact(payment, 'fee-overrun', { amountMsat: msat(0), feeMsat: msat(feeMsat - feeFromHoldMsat) }) : msat(0);
    }
    if (posted.reason !== 'already_resolved' || posted.reservation.status === 'posted') {
      throw new Error(`posting payment ${payment.id} failed: ${posted.reason}`);
    }
    return chargeAfterTheFact(payment, 'late', { amountMsat, feeMsat });
  }

  /**
   * Books a charge the hold did not cover. When the person's funds no longer cover it (they were
   * spent after the expiry sweep released the hold), it books what they do cover and returns the
   * rest: a named shortfall, recorded once, rather than an error on every reconciliation pass.
   */
  function chargeAfterTheFact(payment: PaymentRow, what: 'fee-overrun' | 'late', charge: { amountMsat: Msat; feeMsat: Msat }): Msat {
    const totalMsat = charge.amountMsat + charge.feeMsat;
    const coveredMsat = Math.min(totalMsat, ledger.userBalances(payment.userId).availableMsat);
    if (coveredMsat > 0) {
      // The price before the fee, as far as the funds go.
      const amountMsat = msat(Math.min(charge.amountMsat, coveredMsat));
      bookCharge(payment, what, { amountMsat, feeMsat: msat(coveredMsat - amountMsat) });
    }
    return msat(totalMsat - coveredMsat);
  }

  function bookCharge(payment: PaymentRow, what: 'fee-overrun' | 'late', charge: { amountMsat: Msat; feeMsat: Msat }): void {
    const original = ledger.getReservation(payment.reservationId);
    const taskId = typeof original?.metadata?.taskId === 'string' ? original.metadata.taskId : null;
    const nowMs = deps.now();
    const reserved = ledger.reserve({
      idempotencyKey: `payment:${payment.id}:${what}:reserve`,
      userId: payment.userId,
      destination: providerAccount(payment.providerId),
      amountMsat: msat(charge.amountMsat + charge.feeMsat),
      expiresAtMs: nowMs + deps.reservationTtlMs,
      metadata: {
        ...budgetReservationMetadata({ serviceId: payment.serviceId, taskId, feeReserveMsat: msat(0) }),
        paymentId: payment.id,
        paymentHash: payment.paymentHash,
        charge: what,
      },
    });
    // The funds were read in this transaction: a refusal here is a bug.
    if (!reserved.ok) throw new Error(`recording ${what} charge of payment ${payment.id} failed: ${reserved.reason}`);
    const postedCharge = ledger.post({
      idempotencyKey: `payment:${payment.id}:${what}:post`,
      reservationId: reserved.reservation.id,
      amountMsat: charge.amountMsat,
      feeMsat: charge.feeMsat,
    });
    if (!postedCharge.ok && !(postedCharge.reason === 'already_resolved' && postedCharge.reservation.status === 'posted')) {
      throw new Error(`posting ${what} charge of payment ${payment.id} failed: ${postedCharge.reason}`);
    }
  }

  /** The wallet definitely did not pay: release the hold. */
  /**
   * `from` names the statuses the caller saw. The reconciler voids a payment it saw `reserved` (never
   * sent) only if it is still `reserved` inside this transaction: another process may have started
   * paying it since.
   */
  function settleFailed(paymentId: string, reason: string, from: readonly ('reserved' | 'paying')[] = ['reserved', 'paying']): SettleResult {
    return inTransaction((): SettleResult => {
      const payment = requirePayment(paymentId);
      if (!(from as readonly string[]).includes(payment.status)) return { settled: false, payment };
      const voided = ledger.void({ idempotencyKey: `payment:${paymentId}:void`, reservationId: payment.reservationId, reason });
      // Already released by the expiry sweep is as good as voided here.
      if (!voided.ok && voided.reason !== 'already_resolved') throw new Error(`voiding payment ${paymentId} failed: ${voided.reason}`);
      const nowMs = deps.now();
      const failed = repository.transition(paymentId, [...from], 'failed', { reason, resolvedAtMs: nowMs, updatedAtMs: nowMs });
      if (!failed) throw new Error(`payment ${paymentId} changed status inside its own transaction`);
      return { settled: true, payment: failed };
    });
  }

  return {
    writeAhead,
    markPaying,
    settlePaid,
    settleFailed,
    byId: (paymentId: string) => repository.byId(paymentId),
    byIdempotencyKey: (userId: string, key: string) => repository.byIdempotencyKey(userId, key),
    unresolved: () => repository.unresolved(),
    recordDelivery: (...args: Parameters<PaymentsRepository['recordDelivery']>) => repository.recordDelivery(...args),
  };
}
