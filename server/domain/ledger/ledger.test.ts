import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { PENDING_HOLDS_BY_USER } from '../../db/repositories/ledger-folds';
import {
  LedgerInvariantError,
  createLedger,
  providerAccount,
  refundsAccount,
  routingFeesAccount,
  stripeAccount,
  treasuryAccount,
  userAvailableAccount,
  userReservedAccount,
  type Ledger,
} from './index';
import { canonicalJson } from './canonical-json';

const T0 = Date.UTC(2026, 0, 1);
const jokes = providerAccount('jokes');

let handle: DatabaseHandle;
let ledger: Ledger;
let nowMs: number;

beforeEach(() => {
  handle = openDatabase(':memory:');
  nowMs = T0;
  ledger = createLedger(handle, { now: () => nowMs });
});
afterEach(() => {
  ledger.checkInvariants();
  handle.close();
});

/** Card top-up: stripe -> treasury -> the user's available funds. */
function fund(userId: string, amount: number) {
  const key = `fund:${userId}:${amount}:${nowMs}`;
  expect(ledger.transfer({ idempotencyKey: `${key}:in`, debit: stripeAccount, credit: treasuryAccount, amountMsat: msat(amount) }).ok).toBe(true);
  expect(
    ledger.transfer({
      idempotencyKey: `${key}:out`,
      debit: treasuryAccount,
      credit: userAvailableAccount(userId),
      amountMsat: msat(amount),
      reason: 'top_up',
    }).ok,
  ).toBe(true);
}

function reserve(key: string, amount: number, userId = 'alice', expiresInMs = 60_000) {
  return ledger.reserve({
    idempotencyKey: key,
    userId,
    destination: jokes,
    amountMsat: msat(amount),
    expiresAtMs: nowMs + expiresInMs,
    metadata: { paymentHash: 'ab'.repeat(32) },
  });
}

function reservationId(result: ReturnType<typeof reserve>): number {
  if (!result.ok) throw new Error(`reserve refused: ${result.reason}`);
  return result.reservation.id;
}

/** What a transfer wrote: its entries by account code, and every user's recorded pending holds. */
function entriesOf(transferId: number): Record<string, number> {
  const rows = handle.sqlite
    .prepare(`SELECT a.code AS code, e.amount_msat AS amount FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
      WHERE e.transfer_id = ? ORDER BY e.id`)
    .all(transferId) as { code: string; amount: number }[];
  return Object.fromEntries(rows.map((row) => [row.code, row.amount]));
}
function recordedHolds(): Record<string, number> {
  const rows = handle.sqlite.prepare(`SELECT user_id AS "userId", pending_msat AS pending FROM (${PENDING_HOLDS_BY_USER}) h ORDER BY user_id`).all() as {
    userId: string;
    pending: number;
  }[];
  return Object.fromEntries(rows.map((row) => [row.userId, row.pending]));
}
function resolutionId(result: { ok: boolean; reservation?: { resolution: { transferId: number } | null } }): number {
  const id = result.reservation?.resolution?.transferId;
  if (!result.ok || id === undefined) throw new Error('not resolved');
  return id;
}

describe('single-phase transfers', () => {
  it('moves money and derives balances from entries; sources go negative', () => {
    fund('alice', 10_000);
    expect(ledger.balanceMsat(stripeAccount)).toBe(-10_000);
    expect(ledger.balanceMsat(treasuryAccount)).toBe(0);
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 10_000, reservedMsat: 0 });
    const refund = ledger.transfer({
      idempotencyKey: 'refund-1',
      debit: refundsAccount,
      credit: userAvailableAccount('alice'),
      amountMsat: msat(500),
      reason: 'refund',
      metadata: { disputeId: 'd1' },
    });
    expect(refund).toMatchObject({
      ok: true,
      replayed: false,
      transfer: { debit: 'refunds', credit: 'user:alice:available', amountMsat: 500, reason: 'refund', metadata: { disputeId: 'd1' } },
    });
    expect(ledger.balanceMsat(refundsAccount)).toBe(-500);
    expect(ledger.userBalances('alice').availableMsat).toBe(10_500);
  });

  it('refuses to take an account with a floor below zero', () => {
    expect(
      ledger.transfer({ idempotencyKey: 'k', debit: treasuryAccount, credit: userAvailableAccount('bob'), amountMsat: msat(1) }),
    ).toEqual({ ok: false, reason: 'insufficient_funds' });
    // A refused request writes nothing, so the same key is free to succeed later.
    fund('carol', 5);
    ledger.transfer({ idempotencyKey: 'fund-treasury', debit: stripeAccount, credit: treasuryAccount, amountMsat: msat(1) });
    expect(
      ledger.transfer({ idempotencyKey: 'k', debit: treasuryAccount, credit: userAvailableAccount('bob'), amountMsat: msat(1) }).ok,
    ).toBe(true);
  });

  it('replays the same request and refuses the same key with another payload', () => {
    fund('alice', 1_000);
    const request = { idempotencyKey: 'spend', debit: userAvailableAccount('alice'), credit: treasuryAccount, amountMsat: msat(300) };
    const first = ledger.transfer(request);
    const again = ledger.transfer({ ...request });
    expect(again).toEqual({ ...first, replayed: true });
    expect(ledger.userBalances('alice').availableMsat).toBe(700);
    expect(ledger.transfer({ ...request, amountMsat: msat(301) })).toEqual({ ok: false, reason: 'idempotency_conflict' });
    expect(ledger.transfer({ ...request, metadata: { note: 'x' } })).toEqual({ ok: false, reason: 'idempotency_conflict' });
  });

  it('replays a row whose request holds its metadata, as rows were stored before the two were kept apart', () => {
    fund('alice', 1_000);
    const account = (code: string) => (handle.sqlite.prepare('SELECT id FROM ledger_accounts WHERE code = ?').get(code) as { id: number }).id;
    const request = { idempotencyKey: 'old', debit: userAvailableAccount('alice'), credit: treasuryAccount, amountMsat: msat(300), metadata: { note: 'old' } };
    const stored = canonicalJson({ op: 'transfer', debit: 'user:alice:available', credit: 'treasury', amountMsat: 300, reason: null, metadata: { note: 'old' } });
    const { lastInsertRowid: id } = handle.sqlite
      .prepare(`INSERT INTO ledger_transfers (idempotency_key, request_json, kind, debit_account_id, credit_account_id, amount_msat, metadata_json, created_at_ms)
        VALUES ('old', ?, 'transfer', ?, ?, 300, '{"note":"old"}', ?)`)
      .run(stored, account('user:alice:available'), account('treasury'), nowMs);
    const entry = handle.sqlite.prepare('INSERT INTO ledger_entries (transfer_id, account_id, amount_msat, created_at_ms) VALUES (?, ?, ?, ?)');
    entry.run(id, account('user:alice:available'), -300, nowMs);
    entry.run(id, account('treasury'), 300, nowMs);

    expect(ledger.transfer(request)).toMatchObject({ ok: true, replayed: true, transfer: { id: Number(id) } });
    expect(ledger.transfer({ ...request, metadata: { note: 'new' } })).toEqual({ ok: false, reason: 'idempotency_conflict' });
    expect(ledger.transfer({ ...request, metadata: undefined })).toEqual({ ok: false, reason: 'idempotency_conflict' });
    // Stored apart now: the request without its metadata, the metadata in its column.
    expect(ledger.transfer({ ...request, idempotencyKey: 'new' }).ok).toBe(true);
    expect(handle.sqlite.prepare("SELECT request_json AS r, metadata_json AS m FROM ledger_transfers WHERE idempotency_key = 'new'").get()).toEqual({
      r: '{"amountMsat":300,"credit":"treasury","debit":"user:alice:available","op":"transfer","reason":null}',
      m: '{"note":"old"}',
    });
  });

  it('treats metadata with reordered keys as the same payload', () => {
    fund('alice', 1_000);
    const base = { idempotencyKey: 'm', debit: userAvailableAccount('alice'), credit: treasuryAccount, amountMsat: msat(1) };
    ledger.transfer({ ...base, metadata: { a: 1, b: { c: 2, d: 3 } } });
    expect(ledger.transfer({ ...base, metadata: { b: { d: 3, c: 2 }, a: 1 } })).toMatchObject({ ok: true, replayed: true });
  });

  it('asserts on programming errors instead of returning them', () => {
    const base = { idempotencyKey: 'bad', debit: stripeAccount, credit: treasuryAccount, amountMsat: msat(1) };
    expect(() => ledger.transfer({ ...base, amountMsat: msat(0) })).toThrow(LedgerInvariantError);
    expect(() => ledger.transfer({ ...base, credit: stripeAccount })).toThrow(/two different accounts/);
    expect(() => ledger.transfer({ ...base, credit: userReservedAccount('alice') })).toThrow(/reserved/);
    expect(() => ledger.transfer({ ...base, idempotencyKey: '' })).toThrow(/idempotency key/);
    expect(() => ledger.transfer({ ...base, idempotencyKey: 'x'.repeat(201) })).toThrow(/idempotency key/);
  });
});

describe('reservations', () => {
  beforeEach(() => fund('alice', 10_000));

  it('reserve holds available funds without moving them and lists the hold as pending', () => {
    const result = reserve('r1', 4_000);
    expect(result).toMatchObject({
      ok: true,
      replayed: false,
      reservation: {
        userId: 'alice',
        destination: 'provider:jokes',
        amountMsat: 4_000,
        status: 'pending',
        expiresAtMs: T0 + 60_000,
        metadata: { paymentHash: 'ab'.repeat(32) },
        resolution: null,
      },
    });
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 6_000, reservedMsat: 4_000 });
    expect(ledger.pendingReservations('alice').map((r) => r.id)).toEqual([reservationId(result)]);
    expect(ledger.pendingReservations('bob')).toEqual([]);
    // One row and the pending total; no entries, so the accounts' own balances are unchanged.
    expect(entriesOf(reservationId(result))).toEqual({});
    expect(recordedHolds()).toEqual({ alice: 4_000 });
    expect(ledger.balanceMsat(userAvailableAccount('alice'))).toBe(6_000);
    expect(ledger.balanceMsat(userReservedAccount('alice'))).toBe(4_000);
    expect(ledger.allBalances().filter((a) => a.code.startsWith('user:'))).toEqual([
      { code: 'user:alice:available', kind: 'user_available', balanceMsat: 6_000 },
      { code: 'user:alice:reserved', kind: 'user_reserved', balanceMsat: 4_000 },
    ]);
    const entries = handle.sqlite.prepare("SELECT a.code AS code, b.balance_msat AS balance FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id WHERE a.code LIKE 'user:%'").all();
    expect(entries).toEqual([{ code: 'user:alice:available', balance: 10_000 }]);
  });

  it('a single-phase transfer cannot take held money', () => {
    const id = reservationId(reserve('r1', 4_000));
    const take = (key: string, amount: number) =>
      ledger.transfer({ idempotencyKey: key, debit: userAvailableAccount('alice'), credit: treasuryAccount, amountMsat: msat(amount), reason: 'withdrawal' });
    expect(take('t1', 6_001)).toEqual({ ok: false, reason: 'insufficient_funds' });
    expect(take('t1', 6_000).ok).toBe(true);
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 0, reservedMsat: 4_000 });
    expect(take('t2', 1)).toEqual({ ok: false, reason: 'insufficient_funds' });
    expect(reserve('r2', 1)).toEqual({ ok: false, reason: 'insufficient_funds' });
    // The hold is still whole: it can be paid in full.
    expect(ledger.post({ idempotencyKey: 'p', reservationId: id, amountMsat: msat(3_900), feeMsat: msat(100) }).ok).toBe(true);
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 0, reservedMsat: 0 });
    expect(ledger.balanceMsat(jokes)).toBe(3_900);
  });

  it('spendable funds follow every hold and its release', () => {
    const a = reservationId(reserve('a', 3_000));
    const b = reservationId(reserve('b', 2_000));
    const c = reservationId(reserve('c', 1_000));
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 4_000, reservedMsat: 6_000 });
    ledger.post({ idempotencyKey: 'pa', reservationId: a, amountMsat: msat(2_500), feeMsat: msat(10) });
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 4_490, reservedMsat: 3_000 });
    ledger.void({ idempotencyKey: 'vb', reservationId: b, reason: 'failed' });
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 6_490, reservedMsat: 1_000 });
    nowMs += 60_000;
    expect(ledger.expire().expired.map((r) => r.id)).toEqual([c]);
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 7_490, reservedMsat: 0 });
    expect(recordedHolds()).toEqual({ alice: 0 });
  });

  it('refuses a reservation larger than the available funds, to the msat', () => {
    expect(reserve('too-much', 10_001)).toEqual({ ok: false, reason: 'insufficient_funds' });
    expect(reserve('exact', 10_000).ok).toBe(true);
    expect(reserve('one-more', 1)).toEqual({ ok: false, reason: 'insufficient_funds' });
    expect(reserve('stranger', 1, 'nobody')).toEqual({ ok: false, reason: 'insufficient_funds' });
    // Refusals write nothing, not even the accounts they named.
    expect(ledger.allBalances().map((a) => a.code)).not.toContain('user:nobody:available');
  });

  it('runs the precondition inside the transaction and returns its named refusal', () => {
    const seen: number[] = [];
    const refused = ledger.reserve({
      idempotencyKey: 'budget',
      userId: 'alice',
      destination: jokes,
      amountMsat: msat(100),
      expiresAtMs: nowMs + 1_000,
      precondition: (input) => {
        seen.push(input.amountMsat);
        expect(handle.sqlite.inTransaction).toBe(true);
        return { ok: false, reason: 'exceeds_monthly_budget' as const };
      },
    });
    expect(refused).toEqual({ ok: false, reason: 'exceeds_monthly_budget' });
    expect(seen).toEqual([100]);
    expect(ledger.userBalances('alice').reservedMsat).toBe(0);
    const allowed = ledger.reserve({
      idempotencyKey: 'budget',
      userId: 'alice',
      destination: jokes,
      amountMsat: msat(100),
      expiresAtMs: nowMs + 1_000,
      precondition: () => ({ ok: true }),
    });
    expect(allowed.ok).toBe(true);
  });

  it('a precondition that throws rolls the whole reservation back', () => {
    expect(() =>
      ledger.reserve({
        idempotencyKey: 'boom',
        userId: 'newcomer',
        destination: providerAccount('never-created'),
        amountMsat: msat(1),
        expiresAtMs: nowMs + 1,
        precondition: () => {
          throw new Error('budget store broken');
        },
      }),
    ).toThrow('budget store broken');
    expect(ledger.balanceMsat(providerAccount('never-created'))).toBe(0);
    expect(ledger.pendingReservations()).toHaveLength(0);
  });

  it('replays a reservation (with its current state) and refuses a changed payload', () => {
    const id = reservationId(reserve('r1', 4_000));
    expect(reserve('r1', 4_000)).toMatchObject({ ok: true, replayed: true, reservation: { id, status: 'pending' } });
    expect(ledger.userBalances('alice').availableMsat).toBe(6_000);
    expect(reserve('r1', 4_001)).toEqual({ ok: false, reason: 'idempotency_conflict' });
    expect(reserve('r1', 4_000, 'alice', 1)).toEqual({ ok: false, reason: 'idempotency_conflict' });
    ledger.void({ idempotencyKey: 'v1', reservationId: id, reason: 'cancelled' });
    expect(reserve('r1', 4_000)).toMatchObject({ ok: true, replayed: true, reservation: { id, status: 'voided' } });
  });

  it('a key is bound to one operation kind', () => {
    const id = reservationId(reserve('shared-key', 100));
    expect(ledger.post({ idempotencyKey: 'shared-key', reservationId: id, amountMsat: msat(1), feeMsat: msat(0) })).toEqual({
      ok: false,
      reason: 'idempotency_conflict',
    });
    expect(
      ledger.transfer({ idempotencyKey: 'shared-key', debit: stripeAccount, credit: treasuryAccount, amountMsat: msat(1) }),
    ).toEqual({ ok: false, reason: 'idempotency_conflict' });
  });

  it('refuses a reservation that arrives after its own expiry; asserts a positive amount', () => {
    expect(reserve('past', 1, 'alice', 0)).toEqual({ ok: false, reason: 'expiry_in_past' });
    expect(reserve('future', 1, 'alice', 1).ok).toBe(true);
    expect(() => reserve('zero', 0)).toThrow(/positive/);
  });
});

describe('post', () => {
  beforeEach(() => fund('alice', 10_000));

  it('pays the destination and fees and releases the rest', () => {
    const id = reservationId(reserve('r', 5_000));
    nowMs += 10;
    const posted = ledger.post({ idempotencyKey: 'p', reservationId: id, amountMsat: msat(3_000), feeMsat: msat(20) });
    expect(posted).toMatchObject({
      ok: true,
      replayed: false,
      reservation: {
        status: 'posted',
        resolution: { kind: 'post', idempotencyKey: 'p', paidMsat: 3_000, feeMsat: 20, releasedMsat: 1_980, resolvedAtMs: T0 + 10 },
      },
    });
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 6_980, reservedMsat: 0 });
    expect(ledger.balanceMsat(jokes)).toBe(3_000);
    expect(ledger.balanceMsat(routingFeesAccount)).toBe(20);
    expect(ledger.pendingReservations()).toEqual([]);
    // Paid straight from the available account; the rest was never moved, so nothing comes back.
    expect(entriesOf(resolutionId(posted))).toEqual({ 'user:alice:available': -3_020, 'provider:jokes': 3_000, routing_fees: 20 });
    expect(recordedHolds()).toEqual({ alice: 0 });
  });

  it('a post of nothing paid and no fee writes no entries and releases the hold', () => {
    const id = reservationId(reserve('r', 5_000));
    const posted = ledger.post({ idempotencyKey: 'p', reservationId: id, amountMsat: msat(0), feeMsat: msat(0) });
    expect(posted).toMatchObject({ ok: true, reservation: { status: 'posted', resolution: { paidMsat: 0, feeMsat: 0, releasedMsat: 5_000 } } });
    expect(entriesOf(resolutionId(posted))).toEqual({});
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 10_000, reservedMsat: 0 });
    expect(recordedHolds()).toEqual({ alice: 0 });
  });

  it('posts the exact reservation with nothing released, and zero fee', () => {
    const id = reservationId(reserve('r', 5_000));
    expect(ledger.post({ idempotencyKey: 'p', reservationId: id, amountMsat: msat(5_000), feeMsat: msat(0) })).toMatchObject({
      ok: true,
      reservation: { resolution: { releasedMsat: 0, feeMsat: 0 } },
    });
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 5_000, reservedMsat: 0 });
    expect(ledger.balanceMsat(routingFeesAccount)).toBe(0);
  });

  it('refuses more than was reserved, counting the fee', () => {
    const id = reservationId(reserve('r', 5_000));
    expect(ledger.post({ idempotencyKey: 'p', reservationId: id, amountMsat: msat(4_990), feeMsat: msat(11) })).toEqual({
      ok: false,
      reason: 'amount_exceeds_reservation',
    });
    expect(ledger.getReservation(id)?.status).toBe('pending');
  });

  it('refuses unknown reservations and ids that are not reservations', () => {
    expect(ledger.post({ idempotencyKey: 'p', reservationId: 999, amountMsat: msat(1), feeMsat: msat(0) })).toEqual({
      ok: false,
      reason: 'not_found',
    });
    const transfer = ledger.transfer({ idempotencyKey: 't', debit: stripeAccount, credit: treasuryAccount, amountMsat: msat(1) });
    if (!transfer.ok) throw new Error('transfer');
    expect(ledger.void({ idempotencyKey: 'v', reservationId: transfer.transfer.id, reason: 'x' })).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });

  it('resolves at most once: a second post or a void is already_resolved', () => {
    const id = reservationId(reserve('r', 5_000));
    const first = ledger.post({ idempotencyKey: 'p1', reservationId: id, amountMsat: msat(1_000), feeMsat: msat(0) });
    expect(first.ok).toBe(true);
    const second = ledger.post({ idempotencyKey: 'p2', reservationId: id, amountMsat: msat(1_000), feeMsat: msat(0) });
    expect(second).toMatchObject({ ok: false, reason: 'already_resolved', reservation: { id, status: 'posted' } });
    expect(ledger.void({ idempotencyKey: 'v', reservationId: id, reason: 'late' })).toMatchObject({
      ok: false,
      reason: 'already_resolved',
    });
    expect(ledger.balanceMsat(jokes)).toBe(1_000);
  });

  it('replays a post and refuses the same key with another amount', () => {
    const id = reservationId(reserve('r', 5_000));
    const request = { idempotencyKey: 'p', reservationId: id, amountMsat: msat(1_000), feeMsat: msat(5) };
    const first = ledger.post(request);
    expect(ledger.post({ ...request })).toEqual({ ...first, replayed: true });
    expect(ledger.post({ ...request, feeMsat: msat(6) })).toEqual({ ok: false, reason: 'idempotency_conflict' });
    expect(ledger.balanceMsat(jokes)).toBe(1_000);
  });

  it('can post a reservation past its expiry that has not been swept yet', () => {
    const id = reservationId(reserve('r', 5_000, 'alice', 1_000));
    nowMs += 5_000;
    expect(ledger.post({ idempotencyKey: 'p', reservationId: id, amountMsat: msat(100), feeMsat: msat(0) }).ok).toBe(true);
    expect(ledger.expire().expired).toEqual([]);
  });

  it('asserts on negative amounts', () => {
    const id = reservationId(reserve('r', 5_000));
    expect(() => ledger.post({ idempotencyKey: 'p', reservationId: id, amountMsat: -1 as never, feeMsat: msat(0) })).toThrow(
      LedgerInvariantError,
    );
  });
});

describe('void and expire', () => {
  beforeEach(() => fund('alice', 10_000));

  it('void releases the whole hold, replays, and refuses a changed reason', () => {
    const id = reservationId(reserve('r', 5_000));
    const voided = ledger.void({ idempotencyKey: 'v', reservationId: id, reason: 'payment_failed' });
    expect(voided).toMatchObject({
      ok: true,
      replayed: false,
      reservation: { status: 'voided', resolution: { kind: 'void', releasedMsat: 5_000, paidMsat: 0, reason: 'payment_failed' } },
    });
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 10_000, reservedMsat: 0 });
    expect(entriesOf(resolutionId(voided))).toEqual({});
    expect(ledger.void({ idempotencyKey: 'v', reservationId: id, reason: 'payment_failed' })).toMatchObject({ ok: true, replayed: true });
    expect(recordedHolds()).toEqual({ alice: 0 });
    expect(ledger.void({ idempotencyKey: 'v', reservationId: id, reason: 'other' })).toEqual({ ok: false, reason: 'idempotency_conflict' });
    expect(ledger.post({ idempotencyKey: 'p', reservationId: id, amountMsat: msat(1), feeMsat: msat(0) })).toMatchObject({
      ok: false,
      reason: 'already_resolved',
    });
  });

  it('expire releases exactly the reservations due at or before now', () => {
    const soon = reservationId(reserve('soon', 1_000, 'alice', 1_000));
    const later = reservationId(reserve('later', 2_000, 'alice', 5_000));
    nowMs += 999;
    expect(ledger.expire().expired).toEqual([]);
    nowMs += 1;
    const { expired } = ledger.expire();
    expect(expired.map((r) => [r.id, r.status, r.resolution?.idempotencyKey, r.resolution?.releasedMsat])).toEqual([
      [soon, 'expired', null, 1_000],
    ]);
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 8_000, reservedMsat: 2_000 });
    expect(ledger.expire().expired).toEqual([]);
    expect(ledger.void({ idempotencyKey: 'v', reservationId: soon, reason: 'x' })).toMatchObject({
      ok: false,
      reason: 'already_resolved',
      reservation: { status: 'expired' },
    });
    nowMs += 10_000;
    expect(ledger.expire().expired.map((r) => r.id)).toEqual([later]);
    expect(ledger.userBalances('alice')).toEqual({ availableMsat: 10_000, reservedMsat: 0 });
  });
});

describe('invariant audit', () => {
  it('checkInvariants reports money created out of nothing', () => {
    fund('alice', 100);
    ledger.checkInvariants();
    // Bypass the ledger to forge an unbalanced entry, as a bug elsewhere might.
    handle.sqlite
      .prepare(`INSERT INTO ledger_entries (transfer_id, account_id, amount_msat, created_at_ms) VALUES (1, 1, 5, 0)`)
      .run();
    expect(() => ledger.checkInvariants()).toThrow(/entries do not sum to zero/);
    handle.close();
    handle = openDatabase(':memory:'); // give afterEach a sound ledger to check
    ledger = createLedger(handle, { now: () => nowMs });
  });

  /** Forges rows behind the ledger's back, as a bug elsewhere might, and expects the audit to name it. */
  function expectAuditToReport(forge: (account: (code: string) => number) => void, message: RegExp): void {
    fund('alice', 100);
    reserve('r', 40);
    ledger.checkInvariants();
    forge((code) => (handle.sqlite.prepare('SELECT id FROM ledger_accounts WHERE code = ?').get(code) as { id: number }).id);
    expect(() => ledger.checkInvariants()).toThrow(message);
    handle.close();
    handle = openDatabase(':memory:');
    ledger = createLedger(handle, { now: () => nowMs });
  }

  it('checkInvariants reports money in a reserved account (holds move none)', () => {
    expectAuditToReport((account) => {
      const forge = handle.sqlite.prepare(`INSERT INTO ledger_entries (transfer_id, account_id, amount_msat, created_at_ms) VALUES (1, ?, ?, 0)`);
      forge.run(account('user:alice:available'), -10);
      forge.run(account('user:alice:reserved'), 10);
    }, /reserved accounts hold money/);
  });

  it('checkInvariants reports recorded holds that differ from the pending reservations', () => {
    expectAuditToReport(() => {
      handle.sqlite
        .prepare("INSERT INTO ledger_pending_holds (user_id, pending_msat) VALUES ('alice', 41) ON CONFLICT (user_id) DO UPDATE SET pending_msat = ledger_pending_holds.pending_msat + 41")
        .run();
    }, /recorded pending holds differ from pending reservations/);
  });

  it('checkInvariants reports an available balance below its holds', () => {
    expectAuditToReport((account) => {
      // A balanced transfer that took held money, as a transfer without the holds check would.
      const forge = handle.sqlite.prepare(`INSERT INTO ledger_entries (transfer_id, account_id, amount_msat, created_at_ms) VALUES (1, ?, ?, 0)`);
      forge.run(account('user:alice:available'), -70);
      forge.run(account('treasury'), 70);
    }, /available balances below their pending holds/);
  });

  it('checkInvariants reports a single-phase transfer with fewer than two entries', () => {
    expectAuditToReport(() => {
      handle.sqlite.prepare(`INSERT INTO ledger_transfers (idempotency_key, request_json, kind, debit_account_id, credit_account_id, amount_msat, created_at_ms)
        VALUES ('lone', '{}', 'transfer', 1, 2, 1, 0)`).run();
    }, /transfers whose entries do not balance/);
  });

  it('checkInvariants reports a cached balance that differs from its entries, and the ledger trusts the cache', () => {
    fund('alice', 100);
    ledger.checkInvariants();
    // Forge the cache alone: the entries still say 100, so every other invariant holds.
    handle.sqlite
      .prepare(
        `UPDATE ledger_balances SET balance_msat = 1000
         WHERE account_id = (SELECT id FROM ledger_accounts WHERE code = 'user:alice:available')`,
      )
      .run();
    expect(ledger.userBalances('alice').availableMsat).toBe(1000);
    expect(() => ledger.checkInvariants()).toThrow(/cached balances differ from the sums of their entries/);
    handle.close();
    handle = openDatabase(':memory:');
    ledger = createLedger(handle, { now: () => nowMs });
  });
});
