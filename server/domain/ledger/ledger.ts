// The double-entry ledger: single-phase transfers and two-phase reservations (reserve -> post | void |
// expire). A reservation is a hold that moves no money: its row records it and the user's pending
// total (ledger_pending_holds, folded in batches on SQLite) grows by it, so a user may spend their available balance less their
// holds. Only a post moves money, from the user's available account to the destination and routing
// fees; void and expire just release the hold. Every operation is one synchronous IMMEDIATE
// transaction: it takes SQLite's write lock before its first read, so "check the funds, then write"
// cannot interleave with another writer, whether that writer is in this process or another
// connection on the same file.
import { msat, signedMsat, type Msat, type SignedMsat } from '../../../shared/money';
import type { DatabaseHandle } from '../../db/client';
import {
  createLedgerRepository,
  type AccountWithBalance,
  type ReservationRows,
} from '../../db/repositories/ledger-repository';
import type { LedgerAccountRow, LedgerTransferRow } from '../../db/schema/ledger';
import {
  accountCode,
  accountFloor,
  accountOwner,
  routingFeesAccount,
  userAvailableAccount,
  userReservedAccount,
  type AccountKind,
  type AccountRef,
} from './accounts';
import { canonicalJson, type JsonValue } from './canonical-json';
import { assertLedger, checkLedgerInvariants } from './invariants';
import type {
  JsonObject,
  ObservedReservation,
  PostRequest,
  PostResult,
  Reservation,
  ReserveRequest,
  ReservationObserver,
  ReserveResult,
  Resolution,
  ResolveResult,
  Transfer,
  TransferRequest,
  TransferResult,
  VoidRequest,
  VoidResult,
} from './types';

export interface LedgerOptions {
  /** Milliseconds since the epoch; injected so tests control expiry. */
  now: () => number;
  /**
   * Keeps what must change with every reservation and resolution (governance's budget usage), in
   * their transaction. Every ledger that writes a database governance reads must be given one.
   */
  observer?: ReservationObserver;
}

export type Ledger = ReturnType<typeof createLedger>;

const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

function assertIdempotencyKey(key: string): void {
  assertLedger(
    key.length > 0 && key.length <= MAX_IDEMPOTENCY_KEY_LENGTH,
    'idempotency key must be 1..200 characters',
    { key },
  );
}

function assertPositiveAmount(amountMsat: number, what: string): void {
  const valid = Number.isSafeInteger(amountMsat) && amountMsat > 0;
  assertLedger(valid, `${what} must be a positive msat integer`, { amountMsat });
}

function parseMetadata(json: string | null): JsonObject | null {
  return json === null ? null : (JSON.parse(json) as JsonObject);
}

function observed(row: LedgerTransferRow): ObservedReservation {
  assertLedger(row.userId !== null, 'reservation row has a user', row);
  return {
    id: row.id,
    userId: row.userId,
    amountMsat: msat(row.amountMsat),
    createdAtMs: row.createdAtMs,
    metadata: parseMetadata(row.metadataJson),
  };
}

/**
 * An account's balance as the ledger's callers read it, the same as when a reservation moved money
 * into the reserved account: a user's pending holds are out of their available balance (what they
 * may spend) and in their reserved one (what is held, whose own entries stay at zero).
 */
function heldView({ account, balanceMsat, pendingHoldsMsat }: AccountWithBalance): number {
  return account.kind === 'user_reserved' ? balanceMsat + pendingHoldsMsat : balanceMsat - pendingHoldsMsat;
}

export function createLedger(handle: Pick<DatabaseHandle, 'db' | 'sqlite'>, options: LedgerOptions) {
  const repository = createLedgerRepository(handle);

  // Built once: better-sqlite3 builds a transaction's wrappers on every .transaction() call, which
  // cost about as much as one of a reservation's statements.
  const writeTransaction = handle.sqlite.transaction((fn: () => unknown) => fn());

  /**
   * better-sqlite3 rolls back if fn throws, so a failed assertion leaves no trace. Inside a caller's
   * transaction (a payment's write-ahead or settlement) the operation adds no savepoint of its own:
   * a SAVEPOINT and its RELEASE cost about as much as one of a reservation's inserts, and an error
   * the ledger throws always leaves the caller's transaction too, which rolls it back whole. A caller
   * must never catch a ledger error and go on to commit its transaction.
   */
  function inWriteTransaction<T>(fn: () => T): T {
    if (handle.sqlite.inTransaction) return fn();
    return writeTransaction.immediate(fn) as T;
  }

  /** `found`: the account as already read in this transaction (undefined: read it now). */
  function ensureAccount(ref: AccountRef, nowMs: number, found?: LedgerAccountRow | null): LedgerAccountRow {
    const code = accountCode(ref);
    return (
      (found === undefined ? repository.findAccountByCode(code) : found) ??
      repository.insertAccount({
        code,
        kind: ref.kind,
        ownerUserId: accountOwner(ref),
        floor: accountFloor(ref.kind),
        createdAtMs: nowMs,
      })
    );
  }

  /**
   * The account's balance net of holds (heldView): for a user's available account, what they may
   * spend. An account that does not exist yet has no entries, so its balance is zero.
   */
  function balanceMsat(ref: AccountRef): SignedMsat {
    const found = repository.findAccountWithBalance(accountCode(ref));
    return signedMsat(found === undefined ? 0 : heldView(found));
  }

  /**
   * Writes a transfer's entries after asserting they conserve money and respect every floor. A
   * resolution may move nothing (a post of 0 paid and 0 fee); a transfer always moves money.
   */
  function writeEntries(
    transfer: LedgerTransferRow,
    entries: readonly { account: LedgerAccountRow; amountMsat: number }[],
  ): void {
    const nonZero = entries.filter((entry) => entry.amountMsat !== 0);
    const moves = nonZero.length >= 2 || (nonZero.length === 0 && transfer.kind !== 'transfer');
    assertLedger(moves, 'a transfer moves money between at least two accounts', entries);
    const sum = nonZero.reduce((total, entry) => total + entry.amountMsat, 0);
    assertLedger(sum === 0, 'transfer entries must sum to zero', { transferId: transfer.id, sum });
    repository.insertEntries(
      transfer.id,
      transfer.createdAtMs,
      nonZero.map(({ account, amountMsat }) => ({ accountId: account.id, amountMsat })),
    );
    // Only a debit can take an account below its floor.
    for (const { account, amountMsat } of nonZero) {
      if (account.floor !== 'non_negative' || amountMsat > 0) continue;
      const balance = repository.balanceMsat(account.id);
      assertLedger(balance >= 0, 'account below its floor', { code: account.code, balance });
    }
  }

  function toTransfer(row: LedgerTransferRow): Transfer {
    const debit = repository.findAccountById(row.debitAccountId);
    const credit = repository.findAccountById(row.creditAccountId);
    assertLedger(
      debit !== undefined && credit !== undefined && row.idempotencyKey !== null,
      'transfer row',
      row,
    );
    return {
      id: row.id,
      idempotencyKey: row.idempotencyKey,
      debit: debit.code,
      credit: credit.code,
      amountMsat: msat(row.amountMsat),
      reason: row.reason,
      metadata: parseMetadata(row.metadataJson),
      createdAtMs: row.createdAtMs,
    };
  }

  function toResolution(reserved: Msat, row: LedgerTransferRow): Resolution {
    assertLedger(row.kind === 'post' || row.kind === 'void' || row.kind === 'expire', 'resolution kind', row);
    const posted = row.kind === 'post';
    const paidMsat = msat(posted ? row.amountMsat : 0);
    const feeMsat = msat(posted ? row.feeMsat : 0);
    return {
      transferId: row.id,
      kind: row.kind,
      idempotencyKey: row.idempotencyKey,
      paidMsat,
      feeMsat,
      releasedMsat: msat(reserved - paidMsat - feeMsat),
      reason: row.reason,
      resolvedAtMs: row.createdAtMs,
    };
  }

  const statusByResolution = { post: 'posted', void: 'voided', expire: 'expired' } as const;

  /** `metadata`: the row's metadata when the caller already holds it parsed. */
  function toReservation({ reservation: row, destinationCode, resolution }: ReservationRows, metadata?: JsonObject | null): Reservation {
    assertLedger(
      row.userId !== null && row.idempotencyKey !== null && row.expiresAtMs !== null,
      'reservation row',
      row,
    );
    const amountMsat = msat(row.amountMsat);
    const resolved = resolution === null ? null : toResolution(amountMsat, resolution);
    return {
      id: row.id,
      idempotencyKey: row.idempotencyKey,
      userId: row.userId,
      destination: destinationCode,
      amountMsat,
      status: resolved === null ? 'pending' : statusByResolution[resolved.kind],
      createdAtMs: row.createdAtMs,
      expiresAtMs: row.expiresAtMs,
      metadata: metadata === undefined ? parseMetadata(row.metadataJson) : metadata,
      resolution: resolved,
    };
  }

  function reservationById(id: number): Reservation | undefined {
    const rows = repository.findReservation(id);
    return rows === undefined ? undefined : toReservation(rows);
  }

  function existingReservation(id: number | null): Reservation {
    const reservation = id === null ? undefined : reservationById(id);
    assertLedger(reservation !== undefined, 'a recorded transfer refers to a missing reservation', { id });
    return reservation;
  }

  /**
   * Looks the key up before anything else: a retry of the same request gets the outcome it already
   * had (as it stands now), while the same key with a different request is refused, never applied.
   * The request is stored without its metadata, which has a column of its own: a retry matches both.
   * A row stored with its metadata inside the request (before the two were kept apart) still matches
   * a retry of its request.
   */
  function findPrior(
    idempotencyKey: string,
    request: { readonly [key: string]: JsonValue },
    metadata?: JsonObject,
  ): { requestJson: string; metadataJson: string | null; prior?: LedgerTransferRow; conflict: boolean } {
    assertIdempotencyKey(idempotencyKey);
    const requestJson = canonicalJson(request);
    const metadataJson = metadata === undefined ? null : canonicalJson(metadata);
    const prior = repository.findTransferByKey(idempotencyKey);
    if (prior === undefined) return { requestJson, metadataJson, conflict: false };
    const same =
      (prior.requestJson === requestJson && prior.metadataJson === metadataJson) ||
      prior.requestJson === canonicalJson(Object.assign({ metadata: metadata ?? null }, request));
    return { requestJson, metadataJson, prior, conflict: !same };
  }

  function transfer(request: TransferRequest): TransferResult {
    assertPositiveAmount(request.amountMsat, 'transfer amount');
    // Reserved accounts stay at zero: holds are counted in ledger_pending_holds, not moved there.
    assertLedger(
      request.debit.kind !== 'user_reserved' && request.credit.kind !== 'user_reserved',
      'single-phase transfers may not touch reserved accounts',
    );
    const debitCode = accountCode(request.debit);
    const creditCode = accountCode(request.credit);
    assertLedger(debitCode !== creditCode, 'a transfer needs two different accounts', { debitCode });
    return inWriteTransaction((): TransferResult => {
      const { requestJson, metadataJson, prior, conflict } = findPrior(
        request.idempotencyKey,
        { op: 'transfer', debit: debitCode, credit: creditCode, amountMsat: request.amountMsat, reason: request.reason ?? null },
        request.metadata,
      );
      if (conflict) return { ok: false, reason: 'idempotency_conflict' };
      if (prior) return { ok: true, transfer: toTransfer(prior), replayed: true };

      // Checked before any account is created, so a refusal writes nothing at all. A user's available
      // balance counts net of their holds, so money a reservation holds cannot leave by a transfer.
      const floored = accountFloor(request.debit.kind) === 'non_negative';
      if (floored && balanceMsat(request.debit) < request.amountMsat) {
        return { ok: false, reason: 'insufficient_funds' };
      }
      const nowMs = options.now();
      const debit = ensureAccount(request.debit, nowMs);
      const credit = ensureAccount(request.credit, nowMs);
      const row = repository.insertTransfer({
        idempotencyKey: request.idempotencyKey,
        requestJson,
        kind: 'transfer',
        debitAccountId: debit.id,
        creditAccountId: credit.id,
        amountMsat: request.amountMsat,
        reason: request.reason ?? null,
        metadataJson,
        createdAtMs: nowMs,
      });
      writeEntries(row, [
        { account: debit, amountMsat: -request.amountMsat },
        { account: credit, amountMsat: request.amountMsat },
      ]);
      return { ok: true, transfer: toTransfer(row), replayed: false };
    });
  }

  function reserve<R extends string = never>(request: ReserveRequest<R>): ReserveResult<R> {
    assertPositiveAmount(request.amountMsat, 'reservation amount');
    assertLedger(Number.isSafeInteger(request.expiresAtMs), 'expiresAtMs must be an integer', request);
    const destinationCode = accountCode(request.destination);
    return inWriteTransaction((): ReserveResult<R> => {
      const { requestJson, metadataJson, prior, conflict } = findPrior(
        request.idempotencyKey,
        { op: 'reserve', userId: request.userId, destination: destinationCode, amountMsat: request.amountMsat, expiresAtMs: request.expiresAtMs },
        request.metadata,
      );
      if (conflict) return { ok: false, reason: 'idempotency_conflict' };
      if (prior) return { ok: true, reservation: existingReservation(prior.id), replayed: true };

      const nowMs = options.now();
      // A request built before an await can arrive after its own expiry; holding it would only
      // invite a payment against a hold the next sweep releases.
      if (request.expiresAtMs <= nowMs) return { ok: false, reason: 'expiry_in_past' };
      if (request.precondition) {
        const verdict = request.precondition({
          userId: request.userId,
          destination: destinationCode,
          amountMsat: request.amountMsat,
          nowMs,
        });
        if (!verdict.ok) return verdict;
      }
      // The three accounts and the user's holds in one read. Checked before any account is created, so
      // a refusal writes nothing. A user without an available account has no funds, so past this
      // point it exists.
      const reservedRef = userReservedAccount(request.userId);
      const availableCode = accountCode(userAvailableAccount(request.userId));
      const reservedCode = accountCode(reservedRef);
      const accounts = repository.findAccountsWithBalances([availableCode, reservedCode, destinationCode]);
      const funds = accounts.get(availableCode);
      if (funds === undefined || heldView(funds) < request.amountMsat) return { ok: false, reason: 'insufficient_funds' };
      const available = funds.account;
      const reserved = ensureAccount(reservedRef, nowMs, accounts.get(reservedCode)?.account ?? null);
      const destination = ensureAccount(request.destination, nowMs, accounts.get(destinationCode)?.account ?? null);
      const row = repository.insertTransfer({
        idempotencyKey: request.idempotencyKey,
        requestJson,
        kind: 'reserve',
        debitAccountId: available.id,
        creditAccountId: reserved.id,
        destinationAccountId: destination.id,
        userId: request.userId,
        amountMsat: request.amountMsat,
        expiresAtMs: request.expiresAtMs,
        metadataJson,
        createdAtMs: nowMs,
      });
      // The hold: no entries, the user's pending total grows.
      repository.addPendingHold(request.userId, request.amountMsat);
      options.observer?.reserved({
        id: row.id,
        userId: request.userId,
        amountMsat: request.amountMsat,
        createdAtMs: nowMs,
        metadata: request.metadata ?? null,
      });
      // The row just written is the whole reservation: no need to read it back, nor to parse the
      // metadata it was just serialised from.
      const reservation = toReservation({ reservation: row, destinationCode, resolution: null }, request.metadata ?? null);
      return { ok: true, reservation, replayed: false };
    });
  }

  /**
   * The accounts a post moves money between, fixed when the reservation was made: its row's debit
   * (the user's available account) and its destination. The reserved account is only named, by id.
   */
  function postingAccounts(row: LedgerTransferRow) {
    const available = repository.findAccountById(row.debitAccountId);
    const destination =
      row.destinationAccountId === null ? undefined : repository.findAccountById(row.destinationAccountId);
    assertLedger(available !== undefined && destination !== undefined, 'reservation accounts', row);
    return { available, destination };
  }

  /** Takes a resolved reservation off its user's pending holds. */
  function releaseHold(pending: LedgerTransferRow): void {
    assertLedger(
      pending.userId !== null && repository.releasePendingHold(pending.userId, pending.amountMsat),
      'a pending reservation has its hold recorded',
      { reservationId: pending.id },
    );
  }

  /** Void and expire: the whole hold is released; no money moves. */
  function release(
    pending: LedgerTransferRow,
    resolution: {
      kind: 'void' | 'expire';
      idempotencyKey: string | null;
      requestJson: string;
      reason: string;
    },
    nowMs: number,
  ): void {
    // Named as before holds (reserved -> available), from the reservation's row: nothing to read.
    repository.insertTransfer({
      ...resolution,
      pendingId: pending.id,
      debitAccountId: pending.creditAccountId,
      creditAccountId: pending.debitAccountId,
      userId: pending.userId,
      amountMsat: pending.amountMsat,
      createdAtMs: nowMs,
    });
    // No entries: the hold moved no money. The row records that it ended, when and why.
    releaseHold(pending);
    options.observer?.resolved(observed(pending), { kind: resolution.kind, amountMsat: msat(0), feeMsat: msat(0) });
  }

  /**
   * The common start of a post or a void: a retry gets the reservation as it stands now, the same key
   * with another request is refused, and only a reservation still pending may be resolved.
   */
  function openReservation(
    request: { idempotencyKey: string; reservationId: number },
    fingerprint: { readonly [key: string]: JsonValue },
  ): { open: true; requestJson: string; pending: LedgerTransferRow } | { open: false; result: ResolveResult<never> } {
    const { requestJson, prior, conflict } = findPrior(request.idempotencyKey, fingerprint);
    if (conflict) return { open: false, result: { ok: false, reason: 'idempotency_conflict' } };
    if (prior) return { open: false, result: { ok: true, reservation: existingReservation(prior.pendingId), replayed: true } };

    const rows = repository.findReservation(request.reservationId);
    if (rows === undefined) return { open: false, result: { ok: false, reason: 'not_found' } };
    if (rows.resolution !== null) {
      return { open: false, result: { ok: false, reason: 'already_resolved', reservation: toReservation(rows) } };
    }
    return { open: true, requestJson, pending: rows.reservation };
  }

  /**
   * Pays the destination what was actually paid and routing fees what they actually cost, out of the
   * user's available account, and releases the whole hold. A reservation past its expiry that the
   * sweep has not reached yet can still be posted: money that really moved must be recorded, and
   * expiry only frees abandoned holds.
   */
  function post(request: PostRequest): PostResult {
    assertLedger(
      Number.isSafeInteger(request.amountMsat) && request.amountMsat >= 0 &&
        Number.isSafeInteger(request.feeMsat) && request.feeMsat >= 0,
      'post amounts must be non-negative msat integers',
      request,
    );
    return inWriteTransaction((): PostResult => {
      const opened = openReservation(request, {
        op: 'post',
        reservationId: request.reservationId,
        amountMsat: request.amountMsat,
        feeMsat: request.feeMsat,
      });
      if (!opened.open) return opened.result;
      const { requestJson, pending } = opened;
      const releasedMsat = pending.amountMsat - request.amountMsat - request.feeMsat;
      if (releasedMsat < 0) return { ok: false, reason: 'amount_exceeds_reservation' };

      const nowMs = options.now();
      const { available, destination } = postingAccounts(pending);
      const fees = ensureAccount(routingFeesAccount, nowMs);
      const row = repository.insertTransfer({
        idempotencyKey: request.idempotencyKey,
        requestJson,
        kind: 'post',
        pendingId: pending.id,
        debitAccountId: pending.creditAccountId, // the reserved account, as the row has always named it
        creditAccountId: destination.id,
        destinationAccountId: destination.id,
        userId: pending.userId,
        amountMsat: request.amountMsat,
        feeMsat: request.feeMsat,
        createdAtMs: nowMs,
      });
      releaseHold(pending);
      writeEntries(row, [
        { account: available, amountMsat: -(request.amountMsat + request.feeMsat) },
        { account: destination, amountMsat: request.amountMsat },
        { account: fees, amountMsat: request.feeMsat },
      ]);
      options.observer?.resolved(observed(pending), { kind: 'post', amountMsat: request.amountMsat, feeMsat: request.feeMsat });
      return { ok: true, reservation: existingReservation(pending.id), replayed: false };
    });
  }

  function voidReservation(request: VoidRequest): VoidResult {
    return inWriteTransaction((): VoidResult => {
      const opened = openReservation(request, {
        op: 'void',
        reservationId: request.reservationId,
        reason: request.reason,
      });
      if (!opened.open) return opened.result;
      release(
        opened.pending,
        { kind: 'void', idempotencyKey: request.idempotencyKey, requestJson: opened.requestJson, reason: request.reason },
        options.now(),
      );
      return { ok: true, reservation: existingReservation(request.reservationId), replayed: false };
    });
  }

  /** Releases every pending reservation whose expiry has passed; safe to run at any time, repeatedly. */
  function expire(): { expired: Reservation[] } {
    return inWriteTransaction(() => {
      const nowMs = options.now();
      const due = repository.listDueReservations(nowMs);
      for (const { reservation } of due) {
        release(
          reservation,
          {
            kind: 'expire',
            idempotencyKey: null,
            requestJson: canonicalJson({ op: 'expire', reservationId: reservation.id }),
            reason: 'expired',
          },
          nowMs,
        );
      }
      return { expired: due.map(({ reservation }) => existingReservation(reservation.id)) };
    });
  }

  /**
   * What the user may spend (available balance less holds) and what their pending reservations hold,
   * in one read. Both are plain Msat: the audit keeps every available balance at or above its holds.
   */
  function userBalances(userId: string): { availableMsat: Msat; reservedMsat: Msat } {
    const found = repository.findAccountWithBalance(accountCode(userAvailableAccount(userId)));
    return {
      availableMsat: msat(found === undefined ? 0 : heldView(found)),
      reservedMsat: msat(found?.pendingHoldsMsat ?? 0),
    };
  }

  /** What left an account by single-phase transfers for these reasons (e.g. a reversal's takes), oldest first. */
  function transfersDebiting(ref: AccountRef, reasons: readonly string[]): Transfer[] {
    const account = repository.findAccountByCode(accountCode(ref));
    return account ? repository.listTransfersDebiting(account.id, reasons).map(toTransfer) : [];
  }

  /**
   * Every account with its balance, ordered by code: the operator's overview of where money sits. A
   * user's available and reserved accounts are shown net of holds (heldView), as balanceMsat does.
   */
  function allBalances(): { code: string; kind: AccountKind; balanceMsat: SignedMsat }[] {
    return repository
      .allBalances()
      .map(({ code, kind, balanceMsat }) => ({ code, kind, balanceMsat: signedMsat(balanceMsat) }));
  }

  return {
    transfer,
    reserve,
    post,
    void: voidReservation,
    expire,
    balanceMsat,
    userBalances,
    allBalances,
    transfersDebiting,
    getReservation: reservationById,
    pendingReservations: (userId?: string): Reservation[] =>
      repository.listPendingReservations(userId).map((rows) => toReservation(rows)),
    /** Throws LedgerInvariantError with details if any ledger-wide invariant is broken. */
    checkInvariants: (): void => checkLedgerInvariants(repository),
  };
}
