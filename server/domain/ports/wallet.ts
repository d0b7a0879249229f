/**
 * The wallet port: what the domain needs from a user's spending wallet, independent of how it is
 * reached. The NWC rail (server/rails/nwc) implements it over NIP-47; tests may use a fake.
 *
 * Every call returns a named outcome and never throws for an expected failure. Three outcomes are
 * kept apart on purpose, because a payer must treat them differently:
 * - `ok`: the wallet answered with a result;
 * - `refused`: the wallet answered with an error, so the operation did not happen;
 * - `unknown`: no usable answer (timeout, relay down, garbled reply). For a payment this means
 *   "may or may not have paid": keep it pending and reconcile with `lookupInvoice`, never void blindly.
 */
import { createHash } from 'node:crypto';
import type { Msat } from '../../../shared/money';

/** Bitcoin networks as NIP-47 `get_info` names them (`bitcoin` is normalised to `mainnet`). */
export type BitcoinNetwork = 'mainnet' | 'testnet' | 'signet' | 'regtest' | 'simnet';

/** Why a wallet refused a request: its NIP-47 error code, lower-cased; unknown codes become `other`. */
export type WalletRefusalReason =
  | 'insufficient_balance'
  | 'quota_exceeded'
  | 'rate_limited'
  | 'payment_failed'
  | 'not_found'
  | 'not_implemented'
  | 'restricted'
  | 'unauthorized'
  | 'expired'
  | 'bad_request'
  | 'unsupported_encryption'
  | 'internal'
  | 'other';

/** Why an outcome is unknown: the wallet's answer never arrived or could not be read. */
export type WalletUnknownReason =
  /** The request reached the relay but the wallet did not answer in time. */
  | 'reply_timeout'
  /** No relay connection or the request could not be published: the wallet may be down. */
  | 'wallet_unreachable'
  /**
   * The relay guard refused a relay of a person's own wallet when it connected: its name resolves to a
   * loopback, private or otherwise non-public address now (DNS rebinding). Nothing went through that
   * relay, but another of the wallet's relays may have carried the request, so the outcome stays unknown.
   */
  | 'relay_not_allowed'
  /** An answer came but was not valid NIP-47 (undecryptable, missing fields, wrong types). */
  | 'invalid_response'
  /** pay_invoice only: the wallet answered INTERNAL/OTHER/an unknown code, which does not prove it did not pay. */
  | 'ambiguous_wallet_error';

export type WalletResult<T> =
  | { ok: true; value: T }
  | { ok: false; outcome: 'refused'; reason: WalletRefusalReason; message: string }
  | { ok: false; outcome: 'unknown'; reason: WalletUnknownReason; message: string };

export type PayInvoiceResult =
  /**
   * The wallet says it paid. `preimageHex` is null when the wallet reported success without the
   * proof; the caller must check it with `preimageMatchesPaymentHash` before relying on it.
   * `feesPaidMsat` is null when the wallet did not report fees (optional in NIP-47): read them
   * from `lookupInvoice` rather than assuming zero.
   */
  | { status: 'paid'; preimageHex: string | null; feesPaidMsat: Msat | null }
  /** The wallet answered with an error that means it definitely did not pay. */
  | { status: 'failed'; reason: WalletRefusalReason; message: string }
  /** It may have paid: reconcile with `lookupInvoice` before doing anything else with this invoice. */
  | { status: 'unknown'; reason: WalletUnknownReason; message: string };

export interface WalletInfo {
  alias: string;
  /** null when the wallet names a network we do not know; an invoice can then never match it. */
  network: BitcoinNetwork | null;
  /** The network exactly as the wallet reported it, for display and logs. */
  networkReported: string;
  pubkeyHex: string;
  blockHeight: number;
  methods: string[];
}

export interface WalletBudget {
  usedMsat: Msat;
  totalMsat: Msat;
  /** Unix seconds; null when the budget never renews. */
  renewsAtSec: number | null;
  renewalPeriod: 'daily' | 'weekly' | 'monthly' | 'yearly' | 'never';
}

/**
 * `unsupported`: the wallet has no `get_budget` method (it is an Alby extension, not upstream NIP-47).
 * `unlimited`: the wallet supports it and this connection has no budget.
 */
export type WalletBudgetStatus =
  | { kind: 'unsupported' }
  | { kind: 'unlimited' }
  | { kind: 'limited'; budget: WalletBudget };

export type TransactionState = 'pending' | 'settled' | 'accepted' | 'expired' | 'failed';

export interface WalletTransaction {
  direction: 'incoming' | 'outgoing';
  /** null when the wallet did not say (the field is optional in NIP-47). */
  state: TransactionState | null;
  invoice: string | null;
  paymentHashHex: string;
  /** null until settled, and for wallets that do not report it. */
  preimageHex: string | null;
  amountMsat: Msat;
  feesPaidMsat: Msat;
  description: string;
  createdAtSec: number;
  expiresAtSec: number | null;
  settledAtSec: number | null;
}

export interface MakeInvoiceRequest {
  amountMsat: Msat;
  description: string;
  expirySec?: number;
}

export type LookupInvoiceRequest = { paymentHashHex: string } | { invoice: string };

export interface ListTransactionsRequest {
  fromSec?: number;
  untilSec?: number;
  limit?: number;
  offset?: number;
  /** Include unpaid invoices (NIP-47 `unpaid`). */
  includeUnpaid?: boolean;
  direction?: 'incoming' | 'outgoing';
}

export interface WalletPort {
  getInfo(): Promise<WalletResult<WalletInfo>>;
  getBalance(): Promise<WalletResult<{ balanceMsat: Msat }>>;
  getBudget(): Promise<WalletResult<WalletBudgetStatus>>;
  /** Pays a BOLT11 invoice at its own amount; the caller has verified the invoice first. */
  payInvoice(invoice: string): Promise<PayInvoiceResult>;
  makeInvoice(request: MakeInvoiceRequest): Promise<WalletResult<WalletTransaction>>;
  /** `refused` with reason `not_found` when the wallet knows no such invoice or payment. */
  lookupInvoice(request: LookupInvoiceRequest): Promise<WalletResult<WalletTransaction>>;
  listTransactions(request: ListTransactionsRequest): Promise<WalletResult<{ transactions: WalletTransaction[] }>>;
  /** Releases the connection; further calls are a bug. */
  close(): void;
}

/** Why a pasted connection string was refused before any wallet was asked. */
export type ConnectionStringRefusal = 'not_a_connection_string' | 'invalid_wallet_pubkey' | 'invalid_relay_url' | 'invalid_secret';

/**
 * Whether the server may open a connection to the relays a pasted connection string names: a person's
 * string must not point the server at itself or its network. `relay_not_allowed` names a relay on a
 * loopback, private, link-local or otherwise non-public address; `wallet_unreachable`, one whose name
 * does not resolve.
 */
export type CheckWalletRelays = (
  connectionString: string,
) => Promise<{ ok: true } | { ok: false; reason: ConnectionStringRefusal | 'relay_not_allowed' | 'wallet_unreachable' }>;

/**
 * Who chose a connection string's relays: `own`, a person who pasted it (every relay connection is
 * then held to the server's address policy, at each connect), or `operator` (the treasury and the
 * wallets the server provisioned, whose relays the operator configured and may keep internal).
 */
export type WalletOrigin = 'own' | 'operator';

/** Opens a wallet from its connection string (NWC in the app); no network traffic until the first call. */
export type OpenWallet = (
  connectionString: string,
  origin: WalletOrigin,
) => { ok: true; wallet: WalletPort } | { ok: false; reason?: ConnectionStringRefusal };

const HEX_32_BYTES = /^[0-9a-f]{64}$/i;

/** True when `preimageHex` is 32 bytes whose SHA-256 is `paymentHashHex`: the proof of payment. */
/**
 * Why a wallet call got no answer, as the person is told: their relay refused by the address policy
 * (they must change it), or the wallet unreachable (it may come back).
 */
export function unansweredReason(failure: { reason: WalletUnknownReason }): 'relay_not_allowed' | 'wallet_unreachable' {
  return failure.reason === 'relay_not_allowed' ? 'relay_not_allowed' : 'wallet_unreachable';
}

export function preimageMatchesPaymentHash(preimageHex: string, paymentHashHex: string): boolean {
  if (!HEX_32_BYTES.test(preimageHex) || !HEX_32_BYTES.test(paymentHashHex)) return false;
  const digest = createHash('sha256').update(Buffer.from(preimageHex, 'hex')).digest('hex');
  return digest === paymentHashHex.toLowerCase();
}
