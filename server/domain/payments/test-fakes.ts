// Fakes behind the payments domain's ports, for unit tests: a provider that speaks L402 through the
// L402 port (challenges, credential checks, scripted misbehaviour) and a wallet whose answers are
// scripted per call. Both keep counts, so tests can assert how often money was asked to move.
import { createHash, randomBytes } from 'node:crypto';
import { msat, type BtcUsdRate, type Msat } from '../../../shared/money';
import type {
  ChallengeCheck,
  ChallengeVerdict,
  L402ChallengeOffer,
  L402Exchange,
  L402HttpPort,
  L402HttpRequest,
  ManifestPrice,
  QuoteAnswer,
  TokenFacts,
} from '../ports/l402';
import type { PayInvoiceResult, WalletPort, WalletResult, WalletTransaction } from '../ports/wallet';
import type { SpendAuthorization } from './types';

const sha256Hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

interface FakeInvoice {
  amountMsat: Msat;
  paymentHashHex: string;
  preimageHex: string;
  expiresAtSec: number;
  network: 'regtest' | 'mainnet';
  service: string;
  validUntilSec: number;
  caveats: { key: string; value: string }[];
}

export type AfterPayment = 'content' | 'challenge_again' | 'server_error';

/** A provider selling one service; `invoiceMsat` is what its next invoices ask. */
export function createFakeProvider(options: { service: string; invoiceMsat: number; nowMs: () => number }) {
  const invoices = new Map<string, FakeInvoice>();
  const macaroons = new Map<string, string>(); // macaroon -> invoice
  const calls = { request: 0, deliver: 0, quote: 0 };
  const state = {
    invoiceMsat: options.invoiceMsat,
    afterPayment: 'content' as AfterPayment,
    /** The next challenge's macaroon commits to another hash. */
    hashMismatch: false,
    network: 'regtest' as 'regtest' | 'mainnet',
    quoteCaveats: [] as { key: string; value: string }[],
    /** What a valid token gets with its 200 (e.g. '' or garbage, for the delivery judge). */
    deliveredBody: JSON.stringify({ joke: 'sats' }),
  };

  function mint(): L402ChallengeOffer {
    const preimageHex = randomBytes(32).toString('hex');
    const paymentHashHex = sha256Hex(preimageHex);
    const nowSec = Math.floor(options.nowMs() / 1000);
    const invoice = `lnbcrt${invoices.size + 1}fake${paymentHashHex.slice(0, 16)}`;
    const macaroon = Buffer.from(`mac-${paymentHashHex}-${invoices.size}`).toString('base64');
    invoices.set(invoice, {
      amountMsat: msat(state.invoiceMsat),
      paymentHashHex,
      preimageHex,
      expiresAtSec: nowSec + 600,
      network: state.network,
      service: options.service,
      validUntilSec: nowSec + 3600,
      caveats: state.quoteCaveats,
    });
    macaroons.set(macaroon, invoice);
    return { scheme: 'L402', macaroon, invoice };
  }

  function answer(status: number, bodyText: string) {
    return { status, bodyText, bodySha256Hex: createHash('sha256').update(bodyText).digest('hex'), contentType: 'application/json', url: '' };
  }

  function challengeExchange(): L402Exchange {
    return { kind: 'challenge', challenge: mint(), answer: answer(402, '{}') };
  }

  function tokenFacts(invoice: FakeInvoice): TokenFacts {
    const committed = state.hashMismatch ? sha256Hex(randomBytes(32).toString('hex')) : invoice.paymentHashHex;
    return {
      paymentHashHex: committed,
      macaroonIdHex: `0000${committed}${'ab'.repeat(32)}`,
      services: [invoice.service],
      validUntilSec: invoice.validUntilSec,
      caveats: [{ key: 'services', value: `${invoice.service}:0` }, ...invoice.caveats],
    };
  }

  const port: L402HttpPort = {
    async request(_request: L402HttpRequest) {
      calls.request++;
      return challengeExchange();
    },
    async deliver(_request, credential) {
      calls.deliver++;
      const invoice = invoices.get(macaroons.get(credential.macaroon) ?? '');
      const valid = invoice !== undefined && sha256Hex(credential.preimageHex) === invoice.paymentHashHex;
      if (!valid || state.afterPayment === 'challenge_again') return challengeExchange();
      if (state.afterPayment === 'server_error') return { kind: 'answer', answer: answer(500, 'oops') };
      return { kind: 'answer', answer: answer(200, state.deliveredBody) };
    },
    verifyChallenge(check: ChallengeCheck): ChallengeVerdict {
      const invoice = invoices.get(check.challenge.invoice);
      if (!invoice) return { ok: false, reason: 'unparseable_invoice' };
      if (invoice.network !== check.walletNetwork) return { ok: false, reason: 'network_mismatch' };
      if (invoice.amountMsat > check.maxAmountMsat) return { ok: false, reason: 'amount_above_approved' };
      if (invoice.expiresAtSec * 1000 - check.nowMs <= check.expiryMarginSec * 1000) return { ok: false, reason: 'invoice_expired' };
      const token = tokenFacts(invoice);
      if (token.paymentHashHex !== invoice.paymentHashHex) return { ok: false, reason: 'payment_hash_mismatch' };
      return {
        ok: true,
        verified: {
          challenge: check.challenge,
          amountMsat: invoice.amountMsat,
          paymentHashHex: invoice.paymentHashHex,
          invoiceExpiresAtSec: invoice.expiresAtSec,
          payeePubkeyHex: '02'.padEnd(66, '1'),
          token,
        },
      };
    },
    readToken(macaroon) {
      const invoice = invoices.get(macaroons.get(macaroon) ?? '');
      return invoice ? tokenFacts(invoice) : null;
    },
    async manifestPrice(): Promise<ManifestPrice> {
      return { kind: 'priced', priceMsat: msat(options.invoiceMsat) };
    },
    async requestQuote(): Promise<QuoteAnswer> {
      calls.quote++;
      const challenge = mint();
      return { ok: true, priceMsat: msat(state.invoiceMsat), quoteExpirySec: Math.floor(options.nowMs() / 1000) + 300, challenge };
    },
  };

  return {
    port,
    calls,
    state,
    /** The preimage of an invoice this provider minted: what a wallet learns by paying it. */
    preimageOf: (invoice: string) => invoices.get(invoice)?.preimageHex ?? null,
    paymentHashOf: (invoice: string) => invoices.get(invoice)?.paymentHashHex ?? null,
  };
}

export type ScriptedPay = 'paid' | 'failed' | 'unknown' | 'unknown_after_paying' | 'no_preimage' | 'no_fee';

/** A wallet that pays the fake provider's invoices; `script` decides each pay's answer (default paid). */
export function createFakeWallet(provider: ReturnType<typeof createFakeProvider>, options: { feeMsat: number }) {
  const script: ScriptedPay[] = [];
  const sent = new Map<string, WalletTransaction>(); // payment hash -> outgoing transaction
  const calls = { pay: 0, lookup: 0 };
  let lookupAnswer: 'truth' | 'unknown' = 'truth';

  function settle(invoice: string): WalletTransaction {
    const paymentHashHex = provider.paymentHashOf(invoice);
    const preimageHex = provider.preimageOf(invoice);
    if (!paymentHashHex || !preimageHex) throw new Error('the fake wallet only pays the fake provider');
    const tx: WalletTransaction = {
      direction: 'outgoing',
      state: 'settled',
      invoice,
      paymentHashHex,
      preimageHex,
      amountMsat: msat(0),
      feesPaidMsat: msat(options.feeMsat),
      description: '',
      createdAtSec: 0,
      expiresAtSec: null,
      settledAtSec: 0,
    };
    sent.set(paymentHashHex, tx);
    return tx;
  }

  const notUsed = async (): Promise<never> => {
    throw new Error('not used by the payments domain');
  };
  const wallet: WalletPort = {
    async getInfo() {
      return { ok: true, value: { alias: 'fake', network: 'regtest', networkReported: 'regtest', pubkeyHex: '', blockHeight: 0, methods: [] } };
    },
    getBalance: notUsed,
    getBudget: notUsed,
    makeInvoice: notUsed,
    listTransactions: notUsed,
    async payInvoice(invoice): Promise<PayInvoiceResult> {
      calls.pay++;
      const step = script.shift() ?? 'paid';
      if (step === 'failed') return { status: 'failed', reason: 'insufficient_balance', message: 'no funds' };
      if (step === 'unknown') return { status: 'unknown', reason: 'reply_timeout', message: 'no answer' };
      const tx = settle(invoice);
      if (step === 'unknown_after_paying') return { status: 'unknown', reason: 'reply_timeout', message: 'no answer' };
      if (step === 'no_preimage') return { status: 'paid', preimageHex: null, feesPaidMsat: tx.feesPaidMsat };
      return { status: 'paid', preimageHex: tx.preimageHex, feesPaidMsat: step === 'no_fee' ? null : tx.feesPaidMsat };
    },
    async lookupInvoice(request): Promise<WalletResult<WalletTransaction>> {
      calls.lookup++;
      if (lookupAnswer === 'unknown') return { ok: false, outcome: 'unknown', reason: 'reply_timeout', message: 'no answer' };
      const hash = 'paymentHashHex' in request ? request.paymentHashHex : '';
      const tx = sent.get(hash);
      return tx ? { ok: true, value: tx } : { ok: false, outcome: 'refused', reason: 'not_found', message: 'no such payment' };
    },
    close() {},
  };
  return {
    wallet,
    calls,
    script,
    setLookup: (answer: 'truth' | 'unknown') => {
      lookupAnswer = answer;
    },
    /** Pretends the wallet paid `invoice` out of band (e.g. before a crash). */
    settle,
  };
}

/**
 * An authorization for exercising the payment engine directly (its own tests, the crash worker, the
 * bench). The app mints them only in domain/spending, from storage; lint keeps this cast in tests.
 */
export function testAuthorization(input: { approvedMaxMsat: Msat; rate: BtcUsdRate; authorizedOverageMsat?: Msat; expectedPayeePubkeyHex?: string | null }): SpendAuthorization {
  return {
    approvedMaxMsat: input.approvedMaxMsat,
    authorizedOverageMsat: input.authorizedOverageMsat ?? msat(0),
    rate: input.rate,
    expectedPayeePubkeyHex: input.expectedPayeePubkeyHex ?? null,
  } as SpendAuthorization;
}

export type ScriptedTreasuryPay = 'paid' | 'refused' | 'unknown_after_paying';

/**
 * A person's wallet and the operator's treasury over one fake Lightning (top-up funding, refunds): the
 * person's wallet makes invoices, the treasury pays them; `script` decides each pay's answer (default
 * paid). Counts every pay, so tests can assert how often money moved.
 */
export function createFakeTreasuryPair() {
  const incoming = new Map<string, WalletTransaction>(); // payment hash -> the person's invoice
  const outgoing = new Map<string, WalletTransaction>(); // payment hash -> the treasury's payment
  const preimages = new Map<string, string>();
  const script: ScriptedTreasuryPay[] = [];
  const calls = { pay: 0, makeInvoice: 0 };
  const notUsed = async (): Promise<never> => {
    throw new Error('not used by treasury payments');
  };
  const lookupIn = (map: Map<string, WalletTransaction>) => async (request: { paymentHashHex: string } | { invoice: string }): Promise<WalletResult<WalletTransaction>> => {
    const tx = 'paymentHashHex' in request ? map.get(request.paymentHashHex) : undefined;
    return tx ? { ok: true, value: tx } : { ok: false, outcome: 'refused', reason: 'not_found', message: 'no such invoice or payment' };
  };
  const base = { getInfo: notUsed, getBalance: notUsed, getBudget: notUsed, listTransactions: notUsed, close() {} };

  const person: WalletPort = {
    ...base,
    payInvoice: notUsed,
    async makeInvoice(request) {
      calls.makeInvoice++;
      const preimageHex = randomBytes(32).toString('hex');
      const paymentHashHex = sha256Hex(preimageHex);
      preimages.set(paymentHashHex, preimageHex);
      const tx: WalletTransaction = {
        direction: 'incoming',
        state: 'pending',
        invoice: `lnbcrt${request.amountMsat}fake${paymentHashHex}`,
        paymentHashHex,
        preimageHex: null,
        amountMsat: request.amountMsat,
        feesPaidMsat: msat(0),
        description: request.description,
        createdAtSec: 0,
        expiresAtSec: null,
        settledAtSec: null,
      };
      incoming.set(paymentHashHex, tx);
      return { ok: true, value: tx };
    },
    lookupInvoice: lookupIn(incoming),
  };

  const treasury: WalletPort = {
    ...base,
    makeInvoice: notUsed,
    async payInvoice(invoice): Promise<PayInvoiceResult> {
      calls.pay++;
      const step = script.shift() ?? 'paid';
      if (step === 'refused') return { status: 'failed', reason: 'insufficient_balance', message: 'the treasury is empty' };
      const owed = [...incoming.values()].find((tx) => tx.invoice === invoice);
      const preimageHex = owed ? (preimages.get(owed.paymentHashHex) ?? null) : null;
      if (!owed || !preimageHex) throw new Error('the fake treasury only pays invoices the fake person made');
      incoming.set(owed.paymentHashHex, { ...owed, state: 'settled', preimageHex, settledAtSec: 0 });
      outgoing.set(owed.paymentHashHex, { ...owed, direction: 'outgoing', state: 'settled', preimageHex, settledAtSec: 0 });
      if (step === 'unknown_after_paying') return { status: 'unknown', reason: 'reply_timeout', message: 'no answer' };
      return { status: 'paid', preimageHex, feesPaidMsat: msat(0) };
    },
    lookupInvoice: lookupIn(outgoing),
  };

  /** What the person's wallet received, summed over its settled invoices. */
  const receivedMsat = () => [...incoming.values()].filter((tx) => tx.state === 'settled').reduce((sum, tx) => sum + tx.amountMsat, 0);
  /** Someone other than the treasury (a provider refunding) pays, or lets expire, one of the person's invoices. */
  const outside = {
    pay(invoice: string): void {
      const owed = [...incoming.values()].find((tx) => tx.invoice === invoice && tx.state === 'pending');
      if (owed) incoming.set(owed.paymentHashHex, { ...owed, state: 'settled', preimageHex: preimages.get(owed.paymentHashHex) ?? null, settledAtSec: 0 });
    },
    expire(invoice: string): void {
      const owed = [...incoming.values()].find((tx) => tx.invoice === invoice && tx.state === 'pending');
      if (owed) incoming.set(owed.paymentHashHex, { ...owed, state: 'expired' });
    },
  };
  return { person, treasury, script, calls, receivedMsat, outside };
}
