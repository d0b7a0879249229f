import type {
  Nip47GetBudgetResponse,
  Nip47ListTransactionsRequest,
  Nip47LookupInvoiceRequest,
  Nip47MakeInvoiceRequest,
  Nip47PayInvoiceRequest,
  Nip47PayResponse,
  Nip47SingleMethod,
  Nip47Transaction,
  NWCWalletServiceRequestHandler,
  NWCWalletServiceResponse,
} from '@getalby/sdk/nwc';
import {
  decodeRegtestInvoice,
  type LightningNode,
  type NodeTransaction,
  type PaymentOutcome,
  type PaymentRefusal,
} from '../lightning';
import type { ConnectionStore, WalletConnection } from './connection-store';

export const SUPPORTED_METHODS: Nip47SingleMethod[] = [
  'get_info',
  'get_balance',
  'get_budget',
  'make_invoice',
  'pay_invoice',
  'lookup_invoice',
  'list_transactions',
];

/**
 * get_budget as Alby Hub answers it (amounts in msat; `{}` when the connection has no budget).
 * The sdk's wallet service has no hook for it, so wallet-service.ts answers it itself.
 */
export function budgetOf(connection: WalletConnection, store: ConnectionStore): Nip47GetBudgetResponse {
  if (connection.budgetMsat === null) return {};
  return {
    used_budget: store.spentMsat(connection.walletPubkey),
    total_budget: connection.budgetMsat,
    renewal_period: 'never',
  };
}

const DEFAULT_INVOICE_EXPIRY_SEC = 3600;
const MAX_LIST_LIMIT = 100;

export interface HandlerContext {
  connection: WalletConnection;
  /** What get_info lists: the methods this connection may call. */
  methods: readonly Nip47SingleMethod[];
  node: LightningNode;
  store: ConnectionStore;
  feeFor(amountMsat: number): number;
  nowSec(): number;
}

/**
 * The NIP-47 face of one connection: translates requests into node operations and node outcomes
 * into NIP-47 results or error codes, in this one place. Amounts on the wire are msat.
 */
export function createRequestHandler(context: HandlerContext): NWCWalletServiceRequestHandler {
  const { connection, node, store } = context;
  // Budget held by payments in flight on this connection, so concurrent requests cannot overshoot.
  let reservedMsat = 0;

  return {
    getInfo: async () =>
      ok({
        alias: `sandbox ${connection.nodeName}`,
        color: '#f7931a',
        pubkey: node.pubkeyHex,
        network: 'regtest',
        block_height: Math.floor(context.nowSec() / 600), // a simulated chain: one block every 10 min
        block_hash: '0'.repeat(64),
        methods: [...context.methods],
        notifications: [],
      }),

    getBalance: async () => ok({ balance: node.balanceMsat() }),

    makeInvoice: async (request: Nip47MakeInvoiceRequest) => {
      if (!Number.isSafeInteger(request.amount) || request.amount <= 0) {
        return fail('OTHER', 'amount must be a positive integer number of msat');
      }
      const expirySeconds = request.expiry ?? DEFAULT_INVOICE_EXPIRY_SEC;
      if (!Number.isSafeInteger(expirySeconds) || expirySeconds <= 0) return fail('OTHER', 'bad expiry');
      const minted = node.createInvoice({
        amountMsat: request.amount,
        description: request.description ?? '',
        expirySeconds,
      });
      const created = node.lookup(minted.paymentHashHex);
      if (!created) throw new Error('a minted invoice must be found by its payment hash');
      return ok(toNip47(created));
    },

    payInvoice: async (request: Nip47PayInvoiceRequest) => {
      const decoded = decodeRegtestInvoice(request.invoice);
      if (!decoded.ok) return fail('PAYMENT_FAILED', decoded.reason);
      const amountMsat = request.amount ?? decoded.invoice.amountMsat;
      if (amountMsat === null || !Number.isSafeInteger(amountMsat) || amountMsat <= 0) {
        return fail('PAYMENT_FAILED', 'amount_required');
      }
      const holdMsat = amountMsat + context.feeFor(amountMsat);
      if (connection.budgetMsat !== null) {
        const usedMsat = store.spentMsat(connection.walletPubkey) + reservedMsat;
        if (usedMsat + holdMsat > connection.budgetMsat) {
          return fail('QUOTA_EXCEEDED', 'this connection has spent its budget');
        }
      }
      reservedMsat += holdMsat;
      let outcome: PaymentOutcome;
      try {
        outcome = await node.pay(request.invoice, request.amount === undefined ? {} : { amountMsat: request.amount });
      } finally {
        // Released even if pay throws, or the connection's budget would shrink for good.
        reservedMsat -= holdMsat;
      }

      if (outcome.status === 'refused') return fail(errorCodeFor(outcome.reason), outcome.reason);
      if (outcome.status === 'no_reply') {
        const settled = node.lookup(decoded.invoice.paymentHashHex);
        if (settled?.direction === 'outgoing') {
          store.recordSpending(connection.walletPubkey, settled.paymentHashHex, settled.amountMsat ?? 0, settled.feeMsat);
        }
        // The fault asks for silence: a promise that never settles means the sdk publishes nothing.
        // It holds no timer, so it keeps nothing alive.
        return new Promise<never>(() => {});
      }
      store.recordSpending(connection.walletPubkey, outcome.paymentHashHex, outcome.amountMsat, outcome.feeMsat);
      if (outcome.preimageHex === null) {
        // Models a wallet that reports success without the proof (the `no_preimage` fault).
        return { result: { fees_paid: outcome.feeMsat } as unknown as Nip47PayResponse, error: undefined };
      }
      return ok({ preimage: outcome.preimageHex, fees_paid: outcome.feeMsat });
    },

    lookupInvoice: async (request: Nip47LookupInvoiceRequest) => {
      const paymentHashHex = request.payment_hash ?? hashOf(request.invoice);
      const found = paymentHashHex ? node.lookup(paymentHashHex) : undefined;
      return found ? ok(toNip47(found)) : fail('NOT_FOUND', 'no such invoice or payment');
    },

    listTransactions: async (request: Nip47ListTransactionsRequest) => {
      const { transactions, totalCount } = node.listTransactions({
        fromSec: request.from,
        untilSec: request.until,
        limit: Math.min(request.limit ?? MAX_LIST_LIMIT, MAX_LIST_LIMIT),
        offset: request.offset,
        includeUnpaid: Boolean(request.unpaid || request.unpaid_incoming),
        direction: request.type,
      });
      return ok({ transactions: transactions.map(toNip47), total_count: totalCount });
    },
  };
}

const HANDLER_OF: Partial<Record<Nip47SingleMethod, keyof NWCWalletServiceRequestHandler>> = {
  get_balance: 'getBalance',
  make_invoice: 'makeInvoice',
  pay_invoice: 'payInvoice',
  lookup_invoice: 'lookupInvoice',
  list_transactions: 'listTransactions',
};

/**
 * The handler with every method the connection was not granted answering RESTRICTED, as Alby Hub
 * does for an app without the permission. get_info stays open: a client reads it to learn what it may do.
 */
export function restrictTo(handler: NWCWalletServiceRequestHandler, methods: readonly Nip47SingleMethod[]): NWCWalletServiceRequestHandler {
  const restricted: NWCWalletServiceRequestHandler = { ...handler };
  for (const [method, key] of Object.entries(HANDLER_OF) as [Nip47SingleMethod, keyof NWCWalletServiceRequestHandler][]) {
    if (!methods.includes(method)) restricted[key] = async () => fail('RESTRICTED', `this connection may not call ${method}`);
  }
  return restricted;
}

function errorCodeFor(reason: PaymentRefusal): string {
  return reason === 'insufficient_balance' ? 'INSUFFICIENT_BALANCE' : 'PAYMENT_FAILED';
}

function hashOf(invoice: string | undefined): string | undefined {
  if (!invoice) return undefined;
  const decoded = decodeRegtestInvoice(invoice);
  return decoded.ok ? decoded.invoice.paymentHashHex : undefined;
}

function toNip47(tx: NodeTransaction): Nip47Transaction {
  const wire = {
    type: tx.direction,
    // NIP-47 knows `expired`; the sdk's type lists only the other three.
    state: tx.state as Nip47Transaction['state'],
    invoice: tx.paymentRequest,
    description: tx.description,
    description_hash: '',
    preimage: tx.preimageHex ?? '',
    payment_hash: tx.paymentHashHex,
    amount: tx.amountMsat ?? 0,
    fees_paid: tx.feeMsat,
    created_at: tx.createdAtSec,
    expires_at: tx.expiresAtSec,
    settled_at: tx.settledAtSec ?? undefined,
  };
  // settled_at is optional in NIP-47 and absent until settled; the sdk's type marks it required.
  return wire as Nip47Transaction;
}

function ok<T>(result: T): NWCWalletServiceResponse<T> {
  return { result, error: undefined };
}

export function fail(code: string, message: string): NWCWalletServiceResponse<never> {
  return { result: undefined, error: { code, message } };
}
