/**
 * The wallet port over Nostr Wallet Connect (NIP-47), through @getalby/sdk's NWCClient.
 *
 * Everything the wallet says is validated with zod and converted to branded msat at this boundary.
 * Each call races the sdk against our own timer: the sdk's reply timeouts (60 s for pay, 10 s for
 * others) are not settable per call, and a timeout is an unknown outcome however it is reached.
 */
import './websocket-global';
import {
  NWCClient,
  Nip47NetworkError,
  Nip47PublishError,
  Nip47PublishTimeoutError,
  Nip47ReplyTimeoutError,
  Nip47ResponseDecodingError,
  Nip47ResponseValidationError,
  Nip47UnexpectedResponseError,
  Nip47UnsupportedEncryptionError,
  Nip47WalletError,
  type Nip47Method,
} from '@getalby/sdk/nwc';
import { z } from 'zod';
import type {
  BitcoinNetwork,
  ListTransactionsRequest,
  OpenWallet,
  LookupInvoiceRequest,
  MakeInvoiceRequest,
  PayInvoiceResult,
  WalletBudgetStatus,
  WalletInfo,
  WalletPort,
  WalletRefusalReason,
  WalletResult,
  WalletTransaction,
  WalletUnknownReason,
} from '../../domain/ports/wallet';
import { msatSchema } from '../../../shared/money';
import type { Msat } from '../../../shared/money';
import { parseConnectionString } from './connection-string';
import type { ConnectionStringFailure } from './connection-string';
import { guardClientRelays, guardedWebSocketClass, type RelayAddressRefused, type RelayGuardOptions } from './relay-guard';

export interface NwcWalletTimeouts {
  /** How long to wait for pay_invoice's answer before reporting `unknown` (default 65 s, past the sdk's 60 s). */
  payMs: number;
  /** The same for every other method (default 15 s, past the sdk's 10 s plus a first-call info lookup). */
  otherMs: number;
}

const DEFAULT_TIMEOUTS: NwcWalletTimeouts = { payMs: 65_000, otherMs: 15_000 };

export type OpenNwcWalletResult = { ok: true; wallet: NwcWallet } | { ok: false; reason: ConnectionStringFailure };

export interface OpenNwcWalletOptions {
  timeouts?: Partial<NwcWalletTimeouts>;
  /** A person's own wallet: every relay connection is held to this address policy when it connects. */
  relayGuard?: RelayGuardOptions;
}

/** Opens a wallet from a connection string, validating it first. No network traffic until the first call. */
export function openNwcWallet(connectionString: string, options: OpenNwcWalletOptions = {}): OpenNwcWalletResult {
  const parsed = parseConnectionString(connectionString);
  if (!parsed.ok) return parsed;
  const { walletPubkeyHex, relayUrls, secretHex } = parsed.connection;
  const client = new NWCClient({ walletPubkey: walletPubkeyHex, relayUrls, secret: secretHex });
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  if (!options.relayGuard) return { ok: true, wallet: new NwcWallet(client, timeouts) };
  const refusals = new RefusalLog(options.relayGuard.onRefused);
  guardClientRelays(client, guardedWebSocketClass({ ...options.relayGuard, onRefused: refusals.record }));
  return { ok: true, wallet: new NwcWallet(client, timeouts, refusals) };
}

/** The app's OpenWallet: own wallets under the relay guard, the operator's wallets as configured. */
export function nwcWalletOpener(relayGuard: RelayGuardOptions): OpenWallet {
  return (connectionString, origin) => openNwcWallet(connectionString, origin === 'own' ? { relayGuard } : {});
}

/**
 * The refusals of one wallet's relay guard, so a call that failed because its relay was refused says
 * so (reason `relay_not_allowed`) rather than reading as a relay that is merely down.
 */
class RefusalLog {
  private latest: { at: number; refusal: RelayAddressRefused } | null = null;

  constructor(private readonly forward: RelayGuardOptions['onRefused']) {}

  readonly record = (refusal: RelayAddressRefused): void => {
    this.latest = { at: performance.now(), refusal };
    this.forward?.(refusal);
  };

  since(startedAt: number): RelayAddressRefused | null {
    return this.latest && this.latest.at >= startedAt ? this.latest.refusal : null;
  }
}

// NIP-47 error codes we name; anything else is `other`.
const REFUSAL_CODES: Record<string, WalletRefusalReason> = {
  INSUFFICIENT_BALANCE: 'insufficient_balance',
  QUOTA_EXCEEDED: 'quota_exceeded',
  RATE_LIMITED: 'rate_limited',
  PAYMENT_FAILED: 'payment_failed',
  NOT_FOUND: 'not_found',
  NOT_IMPLEMENTED: 'not_implemented',
  RESTRICTED: 'restricted',
  UNAUTHORIZED: 'unauthorized',
  EXPIRED: 'expired',
  BAD_REQUEST: 'bad_request',
  UNSUPPORTED_ENCRYPTION: 'unsupported_encryption',
  INTERNAL: 'internal',
  OTHER: 'other',
};
/** For a payment, these answers do not prove the wallet did not pay (e.g. an error after the HTLC left). */
const AMBIGUOUS_PAY_REFUSALS: ReadonlySet<WalletRefusalReason> = new Set(['internal', 'other']);

const NETWORKS: Record<string, BitcoinNetwork> = {
  bitcoin: 'mainnet',
  mainnet: 'mainnet',
  testnet: 'testnet',
  testnet3: 'testnet',
  signet: 'signet',
  regtest: 'regtest',
  simnet: 'simnet',
};

const hex64 = z.string().regex(/^[0-9a-f]{64}$/i);
const unixSec = z.number().int().nonnegative();
const infoSchema = z.object({
  alias: z.string().default(''),
  pubkey: z.string().default(''),
  network: z.string().default(''),
  block_height: z.number().int().nonnegative().default(0),
  methods: z.array(z.string()).default([]),
});
const balanceSchema = z.object({ balance: msatSchema });
const budgetSchema = z.union([
  z.object({
    used_budget: msatSchema,
    total_budget: msatSchema,
    renews_at: unixSec.nullish(),
    renewal_period: z.enum(['daily', 'weekly', 'monthly', 'yearly', 'never']),
  }),
  z.object({}).strict(),
]);
const payResultSchema = z.object({
  preimage: z.string().nullish(),
  fees_paid: msatSchema.nullish(),
});
const transactionSchema = z.object({
  type: z.enum(['incoming', 'outgoing']),
  state: z.enum(['pending', 'settled', 'accepted', 'expired', 'failed']).nullish(),
  invoice: z.string().nullish(),
  description: z.string().nullish(),
  preimage: z.string().nullish(),
  payment_hash: hex64,
  amount: msatSchema,
  fees_paid: msatSchema.nullish(),
  created_at: unixSec,
  expires_at: unixSec.nullish(),
  settled_at: unixSec.nullish(),
});
const listSchema = z.object({ transactions: z.array(transactionSchema) });
const createdConnectionSchema = z.object({ wallet_pubkey: hex64 });

export interface CreateConnectionRequest {
  clientPubkeyHex: string;
  /** Shown in the wallet's list of apps. */
  name: string;
  requestMethods: readonly string[];
  isolated: boolean;
  maxAmountMsat?: number;
  budgetRenewal?: 'daily' | 'weekly' | 'monthly' | 'yearly' | 'never';
}

type Failure = Extract<WalletResult<never>, { ok: false }>;

class OwnTimeout extends Error {}

export class NwcWallet implements WalletPort {
  constructor(
    private readonly client: NWCClient,
    private readonly timeouts: NwcWalletTimeouts,
    private readonly relayRefusals: Pick<RefusalLog, 'since'> | null = null,
  ) {}

  async getInfo(): Promise<WalletResult<WalletInfo>> {
    return this.call(() => this.client.getInfo(), infoSchema, (info) => ({
      alias: info.alias,
      network: NETWORKS[info.network.toLowerCase()] ?? null,
      networkReported: info.network,
      pubkeyHex: info.pubkey,
      blockHeight: info.block_height,
      methods: info.methods,
    }));
  }

  async getBalance(): Promise<WalletResult<{ balanceMsat: Msat }>> {
    return this.call(() => this.client.getBalance(), balanceSchema, (b) => ({ balanceMsat: b.balance }));
  }

  async getBudget(): Promise<WalletResult<WalletBudgetStatus>> {
    const result = await this.call(() => this.client.getBudget(), budgetSchema, (budget): WalletBudgetStatus =>
      'total_budget' in budget
        ? {
            kind: 'limited',
            budget: {
              usedMsat: budget.used_budget,
              totalMsat: budget.total_budget,
              renewsAtSec: budget.renews_at ?? null,
              renewalPeriod: budget.renewal_period,
            },
          }
        : { kind: 'unlimited' },
    );
    // get_budget is an Alby extension: a wallet without it is not an error for us.
    if (!result.ok && result.outcome === 'refused' && result.reason === 'not_implemented') {
      return { ok: true, value: { kind: 'unsupported' } };
    }
    return result;
  }

  async payInvoice(invoice: string): Promise<PayInvoiceResult> {
    const result = await this.call(() => this.client.payInvoice({ invoice }), payResultSchema, (paid) => paid, this.timeouts.payMs);
    if (!result.ok) {
      if (result.outcome === 'unknown') return { status: 'unknown', reason: result.reason, message: result.message };
      if (AMBIGUOUS_PAY_REFUSALS.has(result.reason)) {
        return { status: 'unknown', reason: 'ambiguous_wallet_error', message: `${result.reason}: ${result.message}` };
      }
      return { status: 'failed', reason: result.reason, message: result.message };
    }
    const preimage = result.value.preimage;
    return {
      status: 'paid',
      // A success without a well-formed preimage is still a payment: report it, never re-pay.
      preimageHex: preimage && hex64.safeParse(preimage).success ? preimage.toLowerCase() : null,
      feesPaidMsat: result.value.fees_paid ?? null,
    };
  }

  async makeInvoice(request: MakeInvoiceRequest): Promise<WalletResult<WalletTransaction>> {
    return this.call(
      () =>
        this.client.makeInvoice({
          amount: request.amountMsat,
          description: request.description,
          ...(request.expirySec === undefined ? {} : { expiry: request.expirySec }),
        }),
      transactionSchema,
      toTransaction,
    );
  }

  async lookupInvoice(request: LookupInvoiceRequest): Promise<WalletResult<WalletTransaction>> {
    const params = 'paymentHashHex' in request ? { payment_hash: request.paymentHashHex } : { invoice: request.invoice };
    return this.call(() => this.client.lookupInvoice(params), transactionSchema, toTransaction);
  }

  async listTransactions(request: ListTransactionsRequest): Promise<WalletResult<{ transactions: WalletTransaction[] }>> {
    return this.call(
      () =>
        this.client.listTransactions({
          from: request.fromSec,
          until: request.untilSec,
          limit: request.limit,
          offset: request.offset,
          unpaid: request.includeUnpaid,
          type: request.direction,
        }),
      listSchema,
      (list) => ({ transactions: list.transactions.map(toTransaction) }),
    );
  }

  /**
   * NIP-47 `create_connection` (Alby Hub): asks the wallet service for a new app connection answering
   * the client key `clientPubkeyHex`, whose secret never leaves the caller. `isolated` makes it a
   * sub-wallet with its own balance; `maxAmountMsat` and `budgetRenewal` its own NWC budget. Not part
   * of WalletPort: only the operator's treasury is asked (hosted-wallets.ts).
   */
  async createConnection(request: CreateConnectionRequest): Promise<WalletResult<{ walletPubkeyHex: string }>> {
    return this.call(
      () =>
        this.client.createConnection({
          pubkey: request.clientPubkeyHex,
          name: request.name,
          request_methods: [...request.requestMethods] as Nip47Method[],
          isolated: request.isolated,
          ...(request.maxAmountMsat === undefined ? {} : { max_amount: request.maxAmountMsat, budget_renewal: request.budgetRenewal ?? 'never' }),
        }),
      createdConnectionSchema,
      (created) => ({ walletPubkeyHex: created.wallet_pubkey.toLowerCase() }),
    );
  }

  /** The relays and lud16-free connection string of a connection this wallet service answers on `walletPubkeyHex`. */
  connectionStringFor(walletPubkeyHex: string, clientSecretHex: string): string {
    const relays = this.client.relayUrls.map((relay) => `relay=${encodeURIComponent(relay)}`).join('&');
    return `nostr+walletconnect://${walletPubkeyHex}?${relays}&secret=${clientSecretHex}`;
  }

  close(): void {
    this.client.close();
  }

  private async call<S extends z.ZodType, T>(
    request: () => Promise<unknown>,
    schema: S,
    convert: (value: z.output<S>) => T,
    timeoutMs = this.timeouts.otherMs,
  ): Promise<WalletResult<T>> {
    let raw: unknown;
    const startedAt = performance.now();
    try {
      raw = await withTimeout(request(), timeoutMs);
    } catch (error) {
      return namingRefusedRelay(failureFrom(error), this.relayRefusals?.since(startedAt) ?? null);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      return { ok: false, outcome: 'unknown', reason: 'invalid_response', message: z.prettifyError(parsed.error) };
    }
    return { ok: true, value: convert(parsed.data) };
  }
}

function toTransaction(tx: z.output<typeof transactionSchema>): WalletTransaction {
  return {
    direction: tx.type,
    state: tx.state ?? null,
    invoice: tx.invoice || null,
    paymentHashHex: tx.payment_hash.toLowerCase(),
    // Wallets send "" for "no preimage yet".
    preimageHex: tx.preimage && hex64.safeParse(tx.preimage).success ? tx.preimage.toLowerCase() : null,
    amountMsat: tx.amount,
    feesPaidMsat: tx.fees_paid ?? (0 as Msat),
    description: tx.description ?? '',
    createdAtSec: tx.created_at,
    expiresAtSec: tx.expires_at ?? null,
    // Some wallets send 0 for "not settled".
    settledAtSec: tx.settled_at ? tx.settled_at : null,
  };
}

/** Races the sdk's promise against our timer; the loser's rejection is swallowed, never unhandled. */
function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OwnTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function unknown(reason: WalletUnknownReason, error: Error): Failure {
  return { ok: false, outcome: 'unknown', reason, message: error.message };
}

/**
 * A call that could not reach its wallet because the relay guard refused the relay says so by reason,
 * so the person reads why (their relay now points inside a private network), not "try again later".
 */
function namingRefusedRelay(failure: Failure, refusal: RelayAddressRefused | null): Failure {
  if (!refusal || failure.outcome !== 'unknown' || failure.reason !== 'wallet_unreachable') return failure;
  return { ...failure, reason: 'relay_not_allowed', message: `${refusal.message}; ${failure.message}` };
}

function failureFrom(error: unknown): Failure {
  if (error instanceof Nip47WalletError) {
    return { ok: false, outcome: 'refused', reason: REFUSAL_CODES[error.code] ?? 'other', message: error.message };
  }
  if (error instanceof Nip47UnsupportedEncryptionError) {
    return { ok: false, outcome: 'refused', reason: 'unsupported_encryption', message: error.message };
  }
  if (error instanceof OwnTimeout || error instanceof Nip47ReplyTimeoutError) return unknown('reply_timeout', error);
  if (error instanceof Nip47NetworkError || error instanceof Nip47PublishError || error instanceof Nip47PublishTimeoutError) {
    return unknown('wallet_unreachable', error);
  }
  if (
    error instanceof Nip47ResponseDecodingError ||
    error instanceof Nip47ResponseValidationError ||
    error instanceof Nip47UnexpectedResponseError
  ) {
    return unknown('invalid_response', error);
  }
  // The sdk throws a plain Error when the wallet never published its info event (kind 13194).
  if (error instanceof Error && /13194|info event/i.test(error.message)) return unknown('wallet_unreachable', error);
  throw error;
}
