// The refund engine over fake wallets (a person's wallet and a treasury on one fake Lightning): what
// it pays, how often, and what it leaves behind when the treasury cannot pay.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createDisputesRepository } from '../../db/repositories/disputes-repository';
import { createFakeTreasuryPair } from '../payments/test-fakes';
import type { DisputeEngineDeps } from './deps';
import { advanceRefund } from './refund';
import { fakeEngine, HELD_LEASE, insertDisputeUnderReview } from './test-support';

const NOW = 1_000_000;
const REFUND_MSAT = 2_000;

let database: DatabaseHandle;
let rails: ReturnType<typeof createFakeTreasuryPair>;
let alerts: { userId: string; dedupeKey: string | undefined }[];
let credits: number;

beforeEach(() => {
  database = openDatabase(':memory:');
  rails = createFakeTreasuryPair();
  alerts = [];
  credits = 0;
});
afterEach(() => database.close());

function engine(): DisputeEngineDeps {
  return fakeEngine(database, rails, { onCredit: () => credits++, onAlert: (userId, dedupeKey) => alerts.push({ userId, dedupeKey }), now: () => NOW });
}

function decidedRefund(id: string): string {
  insertDisputeUnderReview(database.db, { id, userId: 'user-1', stepId: `step-${id}`, disputedMsat: REFUND_MSAT });
  createDisputesRepository(database.db).update(id, { status: 'refunding', refundMsat: REFUND_MSAT });
  return id;
}

describe('a pay whose outcome is unknown', () => {
  it('is looked up on the next attempt and never paid twice', async () => {
    const deps = engine();
    const id = decidedRefund('d-unknown');
    rails.script.push('unknown_after_paying');

    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('waiting');
    expect(deps.repo.byId(id)).toMatchObject({ status: 'refunding', refundAttempts: 1 });
    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('refunded');
    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('not_due');

    expect(rails.calls).toEqual({ pay: 1, makeInvoice: 1 });
    expect(rails.receivedMsat()).toBe(REFUND_MSAT);
    expect(credits).toBe(1);
    expect(deps.repo.byId(id)?.status).toBe('refunded');
  });
});

describe('a treasury that refuses', () => {
  it('leaves the dispute refunding with a retry, and alerts each operator once', async () => {
    const deps = engine();
    const id = decidedRefund('d-refused');
    rails.script.push('refused', 'refused');

    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('treasury_refused');
    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('treasury_refused');
    const row = deps.repo.byId(id);
    expect(row).toMatchObject({ status: 'refunding', refundAttempts: 2, lastError: expect.stringContaining('the treasury is empty') });
    expect(row?.nextAttemptAtMs).toBeGreaterThan(NOW);
    expect(rails.receivedMsat()).toBe(0);
    expect(credits).toBe(0);
    // One alert however many attempts waited: the alert service drops repeats of a dedupe key.
    const operatorAlerts = alerts.filter((a) => a.userId === 'op-1');
    expect(new Set(operatorAlerts.map((a) => a.dedupeKey))).toEqual(new Set([`dispute:${id}:treasury_waiting`]));

    // When the treasury can pay again, the same invoice is paid, once.
    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('refunded');
    expect(rails.calls).toEqual({ pay: 3, makeInvoice: 1 });
    expect(rails.receivedMsat()).toBe(REFUND_MSAT);
  });
});
