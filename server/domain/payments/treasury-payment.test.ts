import { describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import type { HeldLease } from '../background';
import type { WalletPort, WalletResult, WalletTransaction } from '../ports/wallet';
import { createFakeTreasuryPair } from './test-fakes';
import { payFromTreasury } from './treasury-payment';

const held: HeldLease = { confirm: () => true, lost: new AbortController().signal };

/** A wallet that made none of these invoices (the person's other wallet, or one that lost its history). */
function walletWithoutTheInvoice(person: WalletPort): WalletPort {
  return {
    ...person,
    lookupInvoice: async (): Promise<WalletResult<WalletTransaction>> => ({ ok: false, outcome: 'refused', reason: 'not_found', message: 'no such invoice' }),
  };
}

describe('payFromTreasury', () => {
  it('pays an invoice once, and finds it settled on the next attempt', async () => {
    const pair = createFakeTreasuryPair();
    const made = await pair.person.makeInvoice({ amountMsat: msat(5_000), description: 'top-up', expirySec: 60 });
    if (!made.ok) throw new Error('no invoice');
    const invoice = { invoice: made.value.invoice ?? '', paymentHash: made.value.paymentHashHex };
    expect(await payFromTreasury(pair.person, pair.treasury, invoice, held)).toEqual({ step: 'settled' });
    expect(await payFromTreasury(pair.person, pair.treasury, invoice, held)).toEqual({ step: 'settled' });
    expect(pair.calls.pay).toBe(1);
  });

  // The receiver asked is not always the wallet that made the invoice: the person may have changed
  // spending wallets since it was stored. Its "not found" then says nothing about the treasury's
  // payment, and calling the invoice lapsed made a new one that the treasury paid again.
  it('never calls an invoice the treasury already paid lapsed because the receiver does not know it', async () => {
    const pair = createFakeTreasuryPair();
    const made = await pair.person.makeInvoice({ amountMsat: msat(5_000), description: 'top-up', expirySec: 60 });
    if (!made.ok) throw new Error('no invoice');
    const invoice = { invoice: made.value.invoice ?? '', paymentHash: made.value.paymentHashHex };
    pair.script.push('unknown_after_paying');
    expect(await payFromTreasury(pair.person, pair.treasury, invoice, held)).toMatchObject({ step: 'retry', why: 'outcome_unknown' });

    const other = walletWithoutTheInvoice(pair.person);
    expect(await payFromTreasury(other, pair.treasury, invoice, held)).toEqual({ step: 'settled' });
    expect(pair.calls.pay).toBe(1);
  });

  it('waits while the treasury is still paying an invoice the receiver does not know', async () => {
    const pair = createFakeTreasuryPair();
    const pendingPayment: WalletTransaction = {
      direction: 'outgoing', state: 'pending', invoice: 'lnbcrt1', paymentHashHex: 'ab'.repeat(32), preimageHex: null,
      amountMsat: msat(5_000), feesPaidMsat: msat(0), description: 'top-up', createdAtSec: 0, expiresAtSec: null, settledAtSec: null,
    };
    const treasury: WalletPort = { ...pair.treasury, lookupInvoice: async () => ({ ok: true, value: pendingPayment }) };
    const step = await payFromTreasury(walletWithoutTheInvoice(pair.person), treasury, { invoice: 'lnbcrt1', paymentHash: 'ab'.repeat(32) }, held);
    expect(step).toMatchObject({ step: 'retry', why: 'treasury_in_flight' });
  });

  it('calls an invoice lapsed when neither the receiver nor the treasury knows it', async () => {
    const pair = createFakeTreasuryPair();
    const step = await payFromTreasury(walletWithoutTheInvoice(pair.person), pair.treasury, { invoice: 'lnbcrt1', paymentHash: 'cd'.repeat(32) }, held);
    expect(step).toEqual({ step: 'invoice_lapsed' });
    expect(pair.calls.pay).toBe(0);
  });
});
