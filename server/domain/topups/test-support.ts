/**
 * Two wallets on one fake Lightning network for top-up tests: the person's wallet makes invoices, the
 * treasury pays them, balances move, and a paid invoice cannot be paid again (as a real node refuses).
 * `treasuryScript` decides each pay's answer; `payCount` counts the pay_invoice calls that moved money.
 */
import { createHash, randomBytes } from 'node:crypto';
import { msat, type Msat } from '../../../shared/money';
import type { CardCheckoutPort } from '../ports/card-checkout';
import type { PayInvoiceResult, WalletPort, WalletResult, WalletTransaction } from '../ports/wallet';

/** A card processor that opens sessions on a made-up page and recognises no webhook (router tests). */
export function fakeCardCheckout(): CardCheckoutPort {
  let sessions = 0;
  return {
    async createSession() {
      sessions++;
      return { ok: true, sessionId: `cs_fake_${sessions}`, url: `https://checkout.test/cs_fake_${sessions}` };
    },
    verifyWebhook: () => ({ ok: false, reason: 'signature_invalid' }),
  };
}

export type TreasuryStep = 'pay' | 'insufficient' | 'unknown_after_paying' | 'unknown';

export function createFakeLightning(options: { treasuryMsat: number }) {
  const invoices = new Map<string, { tx: WalletTransaction; preimageHex: string }>(); // by invoice
  const balances = { person: 0, treasury: options.treasuryMsat };
  const treasuryScript: TreasuryStep[] = [];
  let payCount = 0;

  const byHash = (hash: string) => [...invoices.values()].find((i) => i.tx.paymentHashHex === hash);
  const unused = async (): Promise<never> => {
    throw new Error('not used by top-ups');
  };
  const base = { getInfo: unused, getBudget: unused, listTransactions: unused, close() {} };

  const person: WalletPort = {
    ...base,
    async getBalance() {
      return { ok: true, value: { balanceMsat: msat(balances.person) } };
    },
    async makeInvoice(request) {
      const preimageHex = randomBytes(32).toString('hex');
      const paymentHashHex = createHash('sha256').update(Buffer.from(preimageHex, 'hex')).digest('hex');
      const tx = transaction(`lnfake${paymentHashHex}`, paymentHashHex, request.amountMsat);
      invoices.set(tx.invoice ?? '', { tx, preimageHex });
      return { ok: true, value: tx };
    },
    async lookupInvoice(request): Promise<WalletResult<WalletTransaction>> {
      const found = 'paymentHashHex' in request ? byHash(request.paymentHashHex) : invoices.get(request.invoice);
      return found ? { ok: true, value: found.tx } : { ok: false, outcome: 'refused', reason: 'not_found', message: 'no such invoice' };
    },
    payInvoice: unused,
  };

  const treasury: WalletPort = {
    ...base,
    getBalance: unused,
    makeInvoice: unused,
    async lookupInvoice(request): Promise<WalletResult<WalletTransaction>> {
      const found = 'paymentHashHex' in request ? byHash(request.paymentHashHex) : undefined;
      if (found?.tx.state === 'settled') return { ok: true, value: { ...found.tx, direction: 'outgoing' } };
      return { ok: false, outcome: 'refused', reason: 'not_found', message: 'no such payment' };
    },
    async payInvoice(invoice): Promise<PayInvoiceResult> {
      const step = treasuryScript.shift() ?? 'pay';
      const found = invoices.get(invoice);
      if (step === 'insufficient') return { status: 'failed', reason: 'insufficient_balance', message: 'insufficient balance' };
      if (step === 'unknown') return { status: 'unknown', reason: 'reply_timeout', message: 'no answer' };
      if (!found) return { status: 'failed', reason: 'not_found', message: 'unknown invoice' };
      if (found.tx.state === 'settled') return { status: 'failed', reason: 'payment_failed', message: 'already paid' };
      found.tx = { ...found.tx, state: 'settled', preimageHex: found.preimageHex, settledAtSec: 1 };
      balances.treasury -= found.tx.amountMsat;
      balances.person += found.tx.amountMsat;
      payCount++;
      if (step === 'unknown_after_paying') return { status: 'unknown', reason: 'reply_timeout', message: 'no answer' };
      return { status: 'paid', preimageHex: found.preimageHex, feesPaidMsat: msat(0) };
    },
  };

  return {
    person,
    treasury,
    balances,
    treasuryScript,
    get payCount() {
      return payCount;
    },
  };
}

function transaction(invoice: string, paymentHashHex: string, amountMsat: Msat): WalletTransaction {
  return {
    direction: 'incoming',
    state: 'pending',
    invoice,
    paymentHashHex,
    preimageHex: null,
    amountMsat,
    feesPaidMsat: msat(0),
    description: 'Steward top-up',
    createdAtSec: 0,
    expiresAtSec: null,
    settledAtSec: null,
  };
}
