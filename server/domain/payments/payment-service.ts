/**
 * The governed L402 purchase: the only place in the app that awaits a payment rail. Only
 * domain/spending calls `purchase`, with an authorization it read from storage (lint enforces it).
 *
 *   reuse a vault token  ->  or get a challenge (kept from a probe, or asked for)
 *   -> gate (pure)  ->  write-ahead: reserve + payment row (one transaction)  ->  mark paying
 *   -> wallet.pay  ->  settle: post (paid | paid_unusable) or void (failed), or leave for the reconciler
 *   -> deliver: the same request with one L402 credential, bounded retries on 5xx
 *   -> judge: a 2xx counts only when its body is what the service published (delivery-judge.ts)
 *
 * Purchases are serialized per (user, origin, service), so parallel steps of one task never buy the
 * same token twice: the second waits, then finds the first one's token in the vault. Every outcome is
 * a named PurchaseOutcome; only bugs throw.
 */
import { msat, type Msat } from '../../../shared/money';
import type { DatabaseHandle } from '../../db/client';
import type { SecretBox } from '../../db/secret-box';
import type { TokenKey } from '../../db/repositories/token-vault-repository';
import type { Governance } from '../governance';
import type { Ledger } from '../ledger';
import type { L402ChallengeOffer, L402Exchange, L402HttpAnswer, L402HttpPort, VerifiedChallenge } from '../ports/l402';
import type { BitcoinNetwork, WalletPort } from '../ports/wallet';
import { DEFAULT_FEE_ALLOWANCE, feeAllowanceFor, type FeeAllowancePolicy } from './fee-allowance';
import { judgeDelivery } from './delivery-judge';
import { createKeptChallenges } from './kept-challenges';
import { createKeyedMutex } from './keyed-mutex';
import { paymentRecordsOn, type PaymentRecords } from './payment-records';
import { createPriceProbe } from './price-probe';
import type { StoredToken } from './token-vault';
import type { NotDeliveredReason, PurchaseOutcome, PurchaseRequest } from './types';

export interface PaymentOptions {
  /** An invoice must stay payable for longer than this when it is paid. */
  expiryMarginSec: number;
  /** A vault token predicted to expire within this is not reused. */
  tokenMarginMs: number;
  /** Tries of the paid request in all (the first included) while the provider answers 5xx or nothing. */
  deliveryAttempts: number;
  /** Wait before retry n is n times this. */
  deliveryBackoffMs: number;
  /** How long a hold may stay pending before the ledger's sweep may release it (outcome unknown that long). */
  reservationTtlMs: number;
  feeAllowance: FeeAllowancePolicy;
}

export const DEFAULT_PAYMENT_OPTIONS: PaymentOptions = {
  expiryMarginSec: 30,
  tokenMarginMs: 5_000,
  deliveryAttempts: 3,
  deliveryBackoffMs: 250,
  reservationTtlMs: 24 * 60 * 60_000,
  feeAllowance: DEFAULT_FEE_ALLOWANCE,
};

export interface PaymentServiceDeps {
  database: Pick<DatabaseHandle, 'db' | 'sqlite'>;
  ledger: Ledger;
  governance: Pick<Governance, 'precondition' | 'settingsFor'>;
  http: L402HttpPort;
  /** The user's spending wallet; null when they have none. The service does not close it. */
  walletFor: (userId: string) => Promise<WalletPort | null>;
  secretBox: SecretBox;
  now?: () => number;
  options?: Partial<PaymentOptions>;
}

export type PaymentService = ReturnType<typeof createPaymentService>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isSuccess = (status: number) => status >= 200 && status < 300;

export function createPaymentService(deps: PaymentServiceDeps) {
  const now = deps.now ?? Date.now;
  const options: PaymentOptions = { ...DEFAULT_PAYMENT_OPTIONS, ...deps.options };
  const { records, vault } = paymentRecordsOn(deps.database, {
    ledger: deps.ledger,
    governance: deps.governance,
    secretBox: deps.secretBox,
    now,
    reservationTtlMs: options.reservationTtlMs,
  });
  const kept = createKeptChallenges();
  const mutex = createKeyedMutex();
  const inFlight = new Set<string>();
  const networks = new Map<string, BitcoinNetwork | null>();

  /** The wallet and its network (asked once per user: a wallet does not change chains). */
  async function walletWithNetwork(userId: string): Promise<{ wallet: WalletPort; network: BitcoinNetwork | null } | null> {
    const wallet = await deps.walletFor(userId);
    if (!wallet) return null;
    if (!networks.has(userId)) {
      const info = await wallet.getInfo();
      if (!info.ok) return null;
      networks.set(userId, info.value.network);
    }
    return { wallet, network: networks.get(userId) ?? null };
  }

  async function purchase(request: PurchaseRequest): Promise<PurchaseOutcome> {
    const key: TokenKey = { userId: request.userId, origin: new URL(request.request.url).origin, service: request.service };
    return mutex.run(JSON.stringify([key.userId, key.origin, key.service]), () => purchaseSerialized(request, key));
  }

  async function purchaseSerialized(request: PurchaseRequest, key: TokenKey): Promise<PurchaseOutcome> {
    // A retried step: whatever happened before stands, and it is never paid again.
    const prior = records.byIdempotencyKey(request.userId, request.idempotencyKey);
    let freshChallenge: L402ChallengeOffer | null = null;

    const token = vault.find(key, now(), options.tokenMarginMs);
    // A step resumed after a crash: its payment was settled (by the reconciler, which put the token in
    // the vault) but the token was never presented. Redeem it as the purchase would have.
    if (token && prior && token.paymentId === prior.id && prior.status === 'paid' && prior.delivery === 'pending') {
      return deliverPaid(request, key, prior.id, token);
    }
    if (token) {
      const reused = await deliverWithToken(request, key, token);
      if (reused.kind === 'delivered') return { kind: 'delivered', content: reused.content, paymentId: null, via: 'cached_token' };
      if (reused.kind === 'rejected') freshChallenge = reused.challenge;
      else if (!prior) return { kind: 'refused_before_payment', reason: reused.reason, ...(reused.detail === undefined ? {} : { detail: reused.detail }) };
    }
    if (prior) return outcomeOfPrior(prior.id);

    const exchange: L402Exchange = freshChallenge
      ? { kind: 'challenge', challenge: freshChallenge, answer: { status: 402, bodyText: '', bodySha256Hex: '', contentType: null, url: request.request.url } }
      : await challengeFor(request);
    switch (exchange.kind) {
      case 'fetch_failed':
        return { kind: 'refused_before_payment', reason: 'fetch_failed', detail: exchange.reason };
      case 'not_payable':
        return { kind: 'refused_before_payment', reason: exchange.reason };
      case 'answer':
        if (isSuccess(exchange.answer.status)) {
          return { kind: 'delivered', content: contentOf(exchange.answer), paymentId: null, via: 'free' };
        }
        return { kind: 'refused_before_payment', reason: 'unexpected_status', detail: `status ${exchange.answer.status}` };
      case 'challenge':
        return payChallenge(request, key, exchange.challenge);
    }
  }

  /** A kept challenge from a probe when it is still fresh, otherwise a new one from the provider. */
  async function challengeFor(request: PurchaseRequest): Promise<L402Exchange> {
    const keptChallenge = kept.take(request.userId, request.request, now() + options.expiryMarginSec * 1000);
    if (keptChallenge) {
      return { kind: 'challenge', challenge: keptChallenge, answer: { status: 402, bodyText: '', bodySha256Hex: '', contentType: null, url: request.request.url } };
    }
    return deps.http.request(request.request);
  }

  async function payChallenge(request: PurchaseRequest, key: TokenKey, challenge: L402ChallengeOffer): Promise<PurchaseOutcome> {
    const walletInfo = await walletWithNetwork(request.userId);
    if (!walletInfo) return { kind: 'refused_before_payment', reason: 'wallet_unavailable' };
    const gate = (maxAmountMsat: Msat) =>
      deps.http.verifyChallenge({
        challenge,
        walletNetwork: walletInfo.network,
        nowMs: now(),
        maxAmountMsat,
        expiryMarginSec: options.expiryMarginSec,
        expectedPayeePubkeyHex: request.authorization.expectedPayeePubkeyHex,
      });
    const verdict = gate(request.authorization.approvedMaxMsat);
    if (!verdict.ok) {
      if (verdict.reason !== 'amount_above_approved') return { kind: 'refused_before_payment', reason: verdict.reason };
      // Price drift: read the invoice's amount (every other check passing) so the person sees what it asks.
      const unbounded = gate(msat(Number.MAX_SAFE_INTEGER));
      if (!unbounded.ok) {
        if (unbounded.reason === 'amount_above_approved') throw new Error('the gate refused an amount below its unbounded maximum');
        return { kind: 'refused_before_payment', reason: unbounded.reason };
      }
      // Kept, so approving the drift pays this very invoice (while it stays payable), not a new one.
      kept.keep(request.userId, request.request, challenge, unbounded.verified.invoiceExpiresAtSec * 1000);
      return { kind: 'needs_approval', reason: 'price_drift', invoiceMsat: unbounded.verified.amountMsat, approvedMaxMsat: request.authorization.approvedMaxMsat };
    }
    const { verified } = verdict;
    const granted = verified.token.services;
    if (granted !== null && !granted.includes(request.service)) return { kind: 'refused_before_payment', reason: 'service_not_granted' };
    return payVerified(request, key, verified, walletInfo.wallet);
  }

  async function payVerified(request: PurchaseRequest, key: TokenKey, verified: VerifiedChallenge, wallet: WalletPort): Promise<PurchaseOutcome> {
    const written = await records.writeAhead({
      userId: request.userId,
      timeZone: request.timeZone,
      idempotencyKey: request.idempotencyKey,
      task: request.task,
      serviceId: request.serviceId,
      service: request.service,
      providerId: request.providerId,
      method: request.request.method,
      url: request.request.url,
      verified,
      feeAllowanceMsat: feeAllowanceFor(verified.amountMsat, options.feeAllowance),
      rate: request.authorization.rate,
      ...(request.authorization.authorizedOverageMsat > 0 ? { authorizedOverageMsat: request.authorization.authorizedOverageMsat } : {}),
      ...(request.keyHold ? { keyHold: request.keyHold } : {}),
    });
    if (!written.ok) {
      switch (written.reason) {
        case 'existing_payment':
          return outcomeOfPrior(written.payment.id);
        case 'payment_hash_already_used':
        case 'insufficient_funds':
          return { kind: 'refused_before_payment', reason: written.reason };
        case 'expiry_in_past':
        case 'idempotency_conflict':
          throw new Error(`write-ahead refused unexpectedly: ${written.reason}`);
        default:
          return { kind: 'budget_refused', reason: written.reason };
      }
    }
    const paymentId = written.payment.id;
    // Asked again now the hold is written: a change of spending wallet is refused while a hold is
    // pending (domain/wallet/own-wallet.ts), so the wallet in use now is the one the hold was made on.
    const payingWallet = (await deps.walletFor(request.userId)) ?? wallet;
    inFlight.add(paymentId);
    try {
      if (!records.markPaying(paymentId)) return outcomeOfPrior(paymentId);
      const paid = await payingWallet.payInvoice(verified.challenge.invoice);
      if (paid.status === 'unknown') return { kind: 'payment_unknown', paymentId };
      if (paid.status === 'failed') {
        records.settleFailed(paymentId, paid.reason);
        return { kind: 'payment_failed', reason: paid.reason, paymentId };
      }
      const feeMsat = paid.feesPaidMsat ?? (await feeFromLookup(payingWallet, verified, paymentId));
      const settled = records.settlePaid(paymentId, { preimageHex: paid.preimageHex, feeMsat });
      if (settled.payment.status !== 'paid' || paid.preimageHex === null) {
        return markNotDelivered(paymentId, { reason: 'paid_unusable', answer: null }, null);
      }
      // Settled here, the token came back stored; settled meanwhile by another process's reconciler,
      // that process stored it.
      const token = settled.settled ? settled.token : vault.find(key, now(), 0);
      if (!token) return markNotDelivered(paymentId, { reason: 'token_unavailable', answer: null }, null);
      return deliverPaid(request, key, paymentId, token);
    } finally {
      inFlight.delete(paymentId);
    }
  }

  /**
   * The fee when the wallet did not report it: from the wallet's record of the payment, or, if that
   * cannot be read, the whole allowance (budgets then count the most the payment could have cost).
   */
  async function feeFromLookup(wallet: WalletPort, verified: VerifiedChallenge, paymentId: string): Promise<Msat> {
    const found = await wallet.lookupInvoice({ paymentHashHex: verified.paymentHashHex });
    if (found.ok && found.value.state === 'settled') return found.value.feesPaidMsat;
    const payment = records.byId(paymentId);
    if (!payment) throw new Error(`payment ${paymentId} vanished`);
    return msat(payment.feeAllowanceMsat);
  }

  type TokenDelivery =
    | { kind: 'delivered'; content: ReturnType<typeof contentOf> }
    /** The provider refused the token with a fresh challenge: evicted; the challenge may be paid. */
    | { kind: 'rejected'; challenge: L402ChallengeOffer }
    | { kind: 'unavailable'; reason: 'fetch_failed' | 'unexpected_status' | 'cached_token_not_delivered'; detail?: string };

  async function deliverWithToken(request: PurchaseRequest, key: TokenKey, token: StoredToken): Promise<TokenDelivery> {
    const exchange = await deps.http.deliver(request.request, { macaroon: token.macaroon, preimageHex: token.preimageHex });
    if (exchange.kind === 'answer' && isSuccess(exchange.answer.status)) {
      // Judged like a paid answer: a provider that took the money once does not get to hand out garbage later.
      const verdict = judgeDelivery(exchange.answer.bodyText, request.outputSchema ?? null);
      if (!verdict.ok) return { kind: 'unavailable', reason: 'cached_token_not_delivered', detail: `${verdict.reason}: ${verdict.detail}` };
      return { kind: 'delivered', content: contentOf(exchange.answer) };
    }
    if (exchange.kind === 'challenge' || exchange.kind === 'not_payable') {
      vault.evict(key, token.id);
      if (exchange.kind === 'challenge') return { kind: 'rejected', challenge: exchange.challenge };
    }
    return { kind: 'unavailable', reason: exchange.kind === 'fetch_failed' ? 'fetch_failed' : 'unexpected_status' };
  }

  /**
   * The paid request, retried a bounded number of times with the same token on 5xx or no answer.
   * A 2xx counts only when the delivery judge accepts its body; anything else ends the purchase as
   * `paid_not_delivered` with its evidence (status, body hash and size, when asked and answered).
   */
  async function deliverPaid(request: PurchaseRequest, key: TokenKey, paymentId: string, token: StoredToken): Promise<PurchaseOutcome> {
    const requestedAtMs = now();
    let last: NotDelivered = { reason: 'fetch_failed', answer: null };
    for (let attempt = 0; attempt < options.deliveryAttempts; attempt++) {
      if (attempt > 0) await sleep(options.deliveryBackoffMs * attempt);
      const exchange = await deps.http.deliver(request.request, { macaroon: token.macaroon, preimageHex: token.preimageHex });
      if (exchange.kind === 'fetch_failed') {
        last = { reason: 'fetch_failed', answer: null, detail: `${exchange.reason}: ${exchange.detail}` };
        continue;
      }
      const { answer } = exchange;
      if (exchange.kind === 'answer' && isSuccess(answer.status)) {
        const verdict = judgeDelivery(answer.bodyText, request.outputSchema ?? null);
        if (!verdict.ok) return markNotDelivered(paymentId, { reason: verdict.reason, answer, detail: verdict.detail }, requestedAtMs);
        records.recordDelivery(paymentId, { delivery: 'delivered', reason: null, ...evidenceOf(answer), detail: null, requestedAtMs, atMs: now() });
        return { kind: 'delivered', content: contentOf(answer), paymentId, via: 'paid' };
      }
      if (answer.status >= 500) {
        last = { reason: 'server_error', answer };
        continue;
      }
      // A 402 after paying: the provider rejected what we paid for. Never pay again in this task.
      if (answer.status === 402) {
        vault.evict(key, token.id);
        return markNotDelivered(paymentId, { reason: 'challenged_again', answer }, requestedAtMs);
      }
      return markNotDelivered(paymentId, { reason: 'unexpected_status', answer }, requestedAtMs);
    }
    return markNotDelivered(paymentId, last, requestedAtMs);
  }

  function markNotDelivered(paymentId: string, notDelivered: NotDelivered, requestedAtMs: number | null): PurchaseOutcome {
    const { reason, answer, detail } = notDelivered;
    const evidence = answer === null ? { httpStatus: null, responseSha256: null, responseBytes: null } : evidenceOf(answer);
    records.recordDelivery(paymentId, { delivery: 'paid_not_delivered', reason, ...evidence, detail: detail ?? null, requestedAtMs, atMs: now() });
    return { kind: 'paid_not_delivered', reason, paymentId, httpStatus: evidence.httpStatus, ...(detail === undefined ? {} : { detail }) };
  }

  /** What a step that already has a payment gets on a retry: its recorded outcome, never a new payment. */
  function outcomeOfPrior(paymentId: string): PurchaseOutcome {
    const payment = records.byId(paymentId);
    if (!payment) throw new Error(`payment ${paymentId} vanished`);
    switch (payment.status) {
      case 'reserved':
      case 'paying':
        return { kind: 'payment_unknown', paymentId };
      case 'failed':
        return { kind: 'payment_failed', reason: 'payment_failed', paymentId };
      case 'paid_unusable':
        return { kind: 'paid_not_delivered', reason: 'paid_unusable', paymentId, httpStatus: payment.httpStatus };
      case 'paid':
        return {
          kind: 'paid_not_delivered',
          reason: payment.delivery === 'paid_not_delivered' ? ((payment.reason ?? 'fetch_failed') as NotDeliveredReason) : 'token_unavailable',
          paymentId,
          httpStatus: payment.httpStatus,
          ...(payment.deliveryDetail === null ? {} : { detail: payment.deliveryDetail }),
        };
    }
  }

  const probe = createPriceProbe({ http: deps.http, kept, walletNetwork: async (userId) => (await walletWithNetwork(userId))?.network ?? null, now, expiryMarginSec: options.expiryMarginSec });

  return {
    purchase,
    probePrice: probe.probePrice,
    /** True while this process awaits the wallet for the payment: the reconciler must leave it alone. */
    isInFlight: (paymentId: string): boolean => inFlight.has(paymentId),
    /** For the reconciler, so both settle through the same transactions. */
    records: records as PaymentRecords,
  };
}

/** Why a paid request ended without content, with the last answer it got (null: none came). */
interface NotDelivered {
  reason: NotDeliveredReason;
  answer: L402HttpAnswer | null;
  detail?: string;
}

/** The answer as dispute evidence: the status, and the body's hash and size (both over its UTF-8 text). */
function evidenceOf(answer: L402HttpAnswer) {
  return { httpStatus: answer.status, responseSha256: answer.bodySha256Hex, responseBytes: Buffer.byteLength(answer.bodyText, 'utf8') };
}

function contentOf(answer: { status: number; bodyText: string; bodySha256Hex: string; contentType: string | null }) {
  return { status: answer.status, bodyText: answer.bodyText, bodySha256Hex: answer.bodySha256Hex, contentType: answer.contentType };
}
