// The provider's part of a refund over fakes: a provider that pays, refuses, lies, answers too late or
// publishes nothing, and what the treasury does in each case. The person's wallet is the only judge.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderRefundRequest } from '../../../shared/provider-refunds';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import type { AccountRef } from '../ledger';
import { createFakeTreasuryPair } from '../payments/test-fakes';
import type { ProviderRefundReply } from '../ports/provider-refund';
import type { DisputeEngineDeps } from './deps';
import { advanceRefund } from './refund';
import { fakeEngine, HELD_LEASE, insertDisputeUnderReview } from './test-support';

const REFUND_MSAT = 2_000;
const ENDPOINT = 'http://provider.test/l402/refund';
const PREIMAGE = 'b'.repeat(64);

let database: DatabaseHandle;
let rails: ReturnType<typeof createFakeTreasuryPair>;
let nowMs: number;
let debits: AccountRef[];
let asked: ProviderRefundRequest[];

beforeEach(() => {
  database = openDatabase(':memory:');
  rails = createFakeTreasuryPair();
  nowMs = 1_000_000;
  debits = [];
  asked = [];
});
afterEach(() => database.close());

/** A provider that answers `reply`, after doing `act` with the return invoice (pay it, or nothing). */
function engine(reply: ProviderRefundReply, act: 'pays' | 'nothing', endpoint: string | null = ENDPOINT): DisputeEngineDeps {
  return fakeEngine(database, rails, {
    now: () => nowMs,
    onCredit: (debit) => debits.push(debit),
    providerRefunds: {
      endpointFor: () => endpoint,
      ask: async (_url, request) => {
        asked.push(request);
        if (act === 'pays') rails.outside.pay(request.return_invoice);
        return reply;
      },
    },
  });
}

function decidedRefund(deps: DisputeEngineDeps, id: string): string {
  insertDisputeUnderReview(database.db, { id, userId: 'user-1', stepId: `step-${id}`, disputedMsat: REFUND_MSAT, evidence: { preimageHex: PREIMAGE } });
  deps.repo.update(id, { status: 'refunding', refundMsat: REFUND_MSAT });
  return id;
}

const claimOf = (deps: DisputeEngineDeps, id: string) => deps.claims.byDispute(id);
const returnInvoice = () => asked[0]?.return_invoice ?? '';

describe('a provider that pays its return invoice', () => {
  it('closes the dispute refunded by the provider; the treasury pays nothing and no claim stands', async () => {
    const deps = engine({ kind: 'refunded' }, 'pays');
    const id = decidedRefund(deps, 'd-pays');

    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('refunded');
    expect(deps.repo.byId(id)).toMatchObject({ status: 'refunded', refundSource: 'provider', providerStep: 'asking', providerAnswer: 'refunded' });
    expect(asked).toEqual([expect.objectContaining({ version: 1, payment_hash: 'a'.repeat(64), preimage: PREIMAGE, macaroon_id: 'ab', amount_msat: REFUND_MSAT, dispute_id: id })]);
    expect(rails.calls).toEqual({ pay: 0, makeInvoice: 1 });
    expect(rails.receivedMsat()).toBe(REFUND_MSAT);
    expect(debits).toEqual([{ kind: 'provider_refunds' }]);
    expect(claimOf(deps, id)).toBeUndefined();
    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('not_due');
  });
});

describe('a provider that does not pay', () => {
  it.each([
    { name: 'refuses', reply: { kind: 'refused', reason: 'out of stock' } as const, claim: 'refused' },
    { name: 'says refunded and did not pay', reply: { kind: 'refunded' } as const, claim: 'not_paid' },
    { name: 'does not answer in time', reply: { kind: 'no_answer', detail: 'timeout: 10000 ms' } as const, claim: 'no_answer' },
  ])('$name: the treasury waits until the return invoice expires, then pays once and a claim is recorded', async ({ reply, claim }) => {
    const deps = engine(reply, 'nothing');
    const id = decidedRefund(deps, `d-${claim}`);

    // The return invoice may still be paid: the treasury must not.
    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('awaiting_provider');
    expect(rails.calls.pay).toBe(0);
    const waiting = deps.repo.byId(id);
    expect(waiting?.nextAttemptAtMs).toBeLessThanOrEqual((waiting?.providerInvoiceExpiresAtMs ?? 0) + 1_000);
    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('awaiting_provider');
    expect(claimOf(deps, id)).toBeUndefined();

    rails.outside.expire(returnInvoice());
    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('refunded');
    expect(deps.repo.byId(id)).toMatchObject({ status: 'refunded', refundSource: 'treasury', providerStep: 'declined' });
    expect(claimOf(deps, id)).toMatchObject({ status: 'open', reason: claim, amountMsat: REFUND_MSAT, providerId: 'satoshi-jokes', serviceId: 'joke' });
    // Asked once (the answer is stored), paid once, by the treasury, credited once from the treasury's refunds.
    expect(asked).toHaveLength(1);
    expect(rails.calls).toEqual({ pay: 1, makeInvoice: 2 });
    expect(rails.receivedMsat()).toBe(REFUND_MSAT);
    expect(debits).toEqual([{ kind: 'refunds' }]);
  });

  it('answers too late but pays before the expiry: refunded by the provider, the treasury pays nothing', async () => {
    const deps = engine({ kind: 'no_answer', detail: 'timeout' }, 'nothing');
    const id = decidedRefund(deps, 'd-late');
    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('awaiting_provider');
    rails.outside.pay(returnInvoice());
    nowMs += 5_000;
    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('refunded');
    expect(deps.repo.byId(id)).toMatchObject({ refundSource: 'provider' });
    expect(rails.calls.pay).toBe(0);
    expect(claimOf(deps, id)).toBeUndefined();
  });
});

describe('a provider that cannot be asked', () => {
  it('with no endpoint, the treasury pays at once and a no_endpoint claim is recorded', async () => {
    const deps = engine({ kind: 'refunded' }, 'pays', null);
    const id = decidedRefund(deps, 'd-none');
    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('refunded');
    expect(asked).toEqual([]);
    expect(deps.repo.byId(id)).toMatchObject({ refundSource: 'treasury', providerStep: 'declined' });
    expect(claimOf(deps, id)).toMatchObject({ reason: 'no_endpoint', status: 'open' });
    expect(rails.calls).toEqual({ pay: 1, makeInvoice: 1 });
  });
});

describe('a crash after the return invoice was stored', () => {
  it('asks again with the same invoice, never a second one', async () => {
    const deps = engine({ kind: 'refunded' }, 'pays');
    const id = decidedRefund(deps, 'd-crash');
    // As if the process died between storing the invoice and storing the provider's answer.
    const made = await rails.person.makeInvoice({ amountMsat: REFUND_MSAT as never, description: 'x', expirySec: 60 });
    if (!made.ok) throw new Error('fake wallet');
    deps.repo.update(id, { providerStep: 'asking', providerInvoice: made.value.invoice, providerPaymentHash: made.value.paymentHashHex, providerInvoiceExpiresAtMs: nowMs + 60_000 });

    expect(await advanceRefund(deps, id, HELD_LEASE)).toBe('refunded');
    expect(returnInvoice()).toBe(made.value.invoice);
    expect(rails.calls).toEqual({ pay: 0, makeInvoice: 1 });
    expect(rails.receivedMsat()).toBe(REFUND_MSAT);
  });
});
