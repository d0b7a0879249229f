import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { decodeRegtestInvoice, nodePublicKeyHex, signInvoice } from './invoice-codec';
import { LightningNode } from './node';
import { createLightningSchema } from './schema';
import type { InvoiceRequest, MintedInvoice } from '../market/invoicer';
import type {
  NodeTransaction,
  PaymentOutcome,
  PaymentRefusal,
  RoutingFeePolicy,
  TransactionQuery,
} from './types';

export interface LightningNetworkOptions {
  fees?: RoutingFeePolicy;
  /** Clock in ms, injected so tests can expire invoices without waiting. */
  now?: () => number;
}

export const DEFAULT_ROUTING_FEES: RoutingFeePolicy = { baseMsat: 1_000, proportionalPpm: 1_000 };

interface NodeRow {
  name: string;
  secret_key_hex: string;
  pubkey_hex: string;
  balance_msat: number;
}
interface InvoiceRow {
  payment_hash: string;
  node_name: string;
  payment_request: string;
  preimage_hex: string;
  amount_msat: number | null;
  description: string;
  created_at: number;
  expires_at: number;
  settled_at: number | null;
  amount_received_msat: number | null;
}
interface PaymentRow extends InvoiceRow {
  payer_node: string;
  paid_amount_msat: number;
  fee_msat: number;
  paid_at: number;
}

/**
 * A simulated Lightning network: nodes with real secp256k1 keys sign real BOLT11 invoices, and a
 * payment settles atomically inside one SQLite transaction (payer debited amount + routing fee,
 * payee credited amount, invoice marked paid). Routing fees leave the simulated wallets, as they
 * would go to routing nodes outside them. All state lives in the given database, so it survives
 * restarts; faults are per node and in memory only.
 */
export class LightningNetwork {
  readonly fees: RoutingFeePolicy;
  private readonly now: () => number;
  private readonly nodes = new Map<string, LightningNode>();

  constructor(
    private readonly db: Database.Database,
    options: LightningNetworkOptions = {},
  ) {
    this.fees = options.fees ?? DEFAULT_ROUTING_FEES;
    this.now = options.now ?? Date.now;
    assertSafeMsat(this.fees.baseMsat);
    assertSafeMsat(this.fees.proportionalPpm);
    createLightningSchema(db);
  }

  /**
   * Returns the node called `name`, creating it (new key, `initialBalanceMsat`) only if it does not
   * exist yet: a restart keeps the balance it had.
   */
  ensureNode(name: string, options: { initialBalanceMsat?: number } = {}): LightningNode {
    const existing = this.node(name);
    if (existing) return existing;
    const initialBalanceMsat = options.initialBalanceMsat ?? 0;
    assertSafeMsat(initialBalanceMsat);
    const secretKeyHex = randomBytes(32).toString('hex');
    this.db
      .prepare(
        `INSERT INTO ln_nodes (name, secret_key_hex, pubkey_hex, balance_msat, created_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(name, secretKeyHex, nodePublicKeyHex(secretKeyHex), initialBalanceMsat, this.nowSec());
    const created = this.node(name);
    if (!created) throw new Error(`node ${name} vanished after insert`);
    return created;
  }

  node(name: string): LightningNode | undefined {
    const cached = this.nodes.get(name);
    if (cached) return cached;
    const row = this.nodeRow(name);
    if (!row) return undefined;
    const node = new LightningNode(this, row.name, row.pubkey_hex);
    this.nodes.set(name, node);
    return node;
  }

  nodeNames(): string[] {
    return (this.db.prepare('SELECT name FROM ln_nodes ORDER BY name').all() as { name: string }[]).map(
      (row) => row.name,
    );
  }

  /** Routing fee for a payment of `amountMsat`: base + floor(amount * ppm / 1e6). */
  feeFor(amountMsat: number): number {
    const proportional = (BigInt(amountMsat) * BigInt(this.fees.proportionalPpm)) / 1_000_000n;
    return this.fees.baseMsat + Number(proportional);
  }

  balanceMsat(nodeName: string): number {
    const row = this.nodeRow(nodeName);
    if (!row) throw new Error(`unknown node ${nodeName}`);
    return row.balance_msat;
  }

  /** @internal called by LightningNode.createInvoice */
  mintInvoice(nodeName: string, request: InvoiceRequest): MintedInvoice {
    const row = this.nodeRow(nodeName);
    if (!row) throw new Error(`unknown node ${nodeName}`);
    if (request.amountMsat !== null) assertPositiveMsat(request.amountMsat);
    if (!Number.isInteger(request.expirySeconds) || request.expirySeconds <= 0) {
      throw new Error(`expirySeconds must be a positive integer, got ${request.expirySeconds}`);
    }
    const preimage = randomBytes(32);
    const paymentHashHex = createHash('sha256').update(preimage).digest('hex');
    const timestampSec = request.timestampSec ?? this.nowSec();
    const paymentRequest = signInvoice(
      {
        network: request.network ?? 'regtest',
        amountMsat: request.amountMsat,
        paymentHashHex,
        paymentSecretHex: randomBytes(32).toString('hex'),
        description: request.description,
        expirySeconds: request.expirySeconds,
        timestampSec,
      },
      row.secret_key_hex,
    );
    this.db
      .prepare(
        `INSERT INTO ln_invoices (payment_hash, node_name, payment_request, preimage_hex, amount_msat,
           description, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        paymentHashHex,
        nodeName,
        paymentRequest,
        preimage.toString('hex'),
        request.amountMsat,
        request.description,
        timestampSec,
        timestampSec + request.expirySeconds,
      );
    return { paymentRequest, paymentHashHex };
  }

  /**
   * @internal called by LightningNode.pay. Checks the invoice (signature, network, known, unpaid,
   * unexpired, amount) and the payer's balance, then moves the money, all in one immediate
   * transaction so two concurrent payments can never both spend the same balance or invoice.
   */
  settle(payerName: string, paymentRequest: string, amountMsatOverride?: number): PaymentOutcome {
    const decoded = decodeRegtestInvoice(paymentRequest);
    if (!decoded.ok) return refused(decoded.reason);
    const { invoice } = decoded;
    const run = this.db.transaction((): PaymentOutcome => {
      const stored = this.db
        .prepare('SELECT * FROM ln_invoices WHERE payment_hash = ?')
        .get(invoice.paymentHashHex) as InvoiceRow | undefined;
      const payee = stored ? this.nodeRow(stored.node_name) : undefined;
      if (!stored || !payee || payee.pubkey_hex !== invoice.payeePubkeyHex) return refused('unknown_invoice');
      if (stored.payment_request !== paymentRequest.trim().toLowerCase()) return refused('unknown_invoice');
      if (payee.name === payerName) return refused('self_payment');
      if (stored.settled_at !== null) return refused('already_paid');
      const nowSec = this.nowSec();
      if (nowSec >= stored.expires_at) return refused('invoice_expired');
      const amount = resolveAmount(stored.amount_msat, amountMsatOverride);
      if (typeof amount === 'string') return refused(amount);
      const feeMsat = this.feeFor(amount);
      const payer = this.nodeRow(payerName);
      if (!payer) throw new Error(`unknown payer node ${payerName}`);
      if (payer.balance_msat < amount + feeMsat) return refused('insufficient_balance');

      const move = this.db.prepare('UPDATE ln_nodes SET balance_msat = balance_msat + ? WHERE name = ?');
      move.run(-(amount + feeMsat), payerName);
      move.run(amount, payee.name);
      this.db
        .prepare('UPDATE ln_invoices SET settled_at = ?, amount_received_msat = ? WHERE payment_hash = ?')
        .run(nowSec, amount, stored.payment_hash);
      this.db
        .prepare(
          `INSERT INTO ln_payments (payment_hash, payer_node, amount_msat, fee_msat, created_at)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .run(stored.payment_hash, payerName, amount, feeMsat, nowSec);
      return {
        status: 'settled',
        paymentHashHex: stored.payment_hash,
        amountMsat: amount,
        feeMsat,
        preimageHex: stored.preimage_hex,
      };
    });
    return run.immediate();
  }

  /** @internal A node's view of one payment hash: its own invoice (incoming) or its payment (outgoing). */
  lookup(nodeName: string, paymentHashHex: string): NodeTransaction | undefined {
    return this.transactions(nodeName, {}, paymentHashHex).transactions[0];
  }

  /** @internal Newest first; unpaid incoming invoices only when asked for. */
  transactions(
    nodeName: string,
    query: TransactionQuery,
    onlyPaymentHashHex?: string,
  ): { transactions: NodeTransaction[]; totalCount: number } {
    const nowSec = this.nowSec();
    const incoming = (
      query.direction === 'outgoing'
        ? []
        : (this.db
            .prepare(
              `SELECT * FROM ln_invoices WHERE node_name = ?
               AND (? IS NULL OR payment_hash = ?)`,
            )
            .all(nodeName, onlyPaymentHashHex ?? null, onlyPaymentHashHex ?? null) as InvoiceRow[])
    )
      .filter((row) => onlyPaymentHashHex !== undefined || query.includeUnpaid || row.settled_at !== null)
      .map((row) => incomingTransaction(row, nowSec));
    const outgoing = (
      query.direction === 'incoming'
        ? []
        : (this.db
            .prepare(
              `SELECT i.*, p.payer_node, p.amount_msat AS paid_amount_msat, p.fee_msat, p.created_at AS paid_at
               FROM ln_payments p JOIN ln_invoices i ON i.payment_hash = p.payment_hash
               WHERE p.payer_node = ? AND (? IS NULL OR p.payment_hash = ?)`,
            )
            .all(nodeName, onlyPaymentHashHex ?? null, onlyPaymentHashHex ?? null) as PaymentRow[])
    ).map(outgoingTransaction);
    const inWindow = [...incoming, ...outgoing]
      .filter((tx) => query.fromSec === undefined || tx.createdAtSec >= query.fromSec)
      .filter((tx) => query.untilSec === undefined || tx.createdAtSec <= query.untilSec)
      .sort((a, b) => b.createdAtSec - a.createdAtSec || a.paymentHashHex.localeCompare(b.paymentHashHex));
    const offset = query.offset ?? 0;
    const end = query.limit === undefined ? undefined : offset + query.limit;
    return { transactions: inWindow.slice(offset, end), totalCount: inWindow.length };
  }

  nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  private nodeRow(name: string): NodeRow | undefined {
    return this.db.prepare('SELECT * FROM ln_nodes WHERE name = ?').get(name) as NodeRow | undefined;
  }
}

function resolveAmount(
  invoiceAmountMsat: number | null,
  requestedMsat: number | undefined,
): number | 'amount_required' | 'amount_mismatch' {
  if (invoiceAmountMsat === null) {
    if (requestedMsat === undefined || !Number.isSafeInteger(requestedMsat) || requestedMsat <= 0) {
      return 'amount_required';
    }
    return requestedMsat;
  }
  if (requestedMsat !== undefined && requestedMsat !== invoiceAmountMsat) return 'amount_mismatch';
  return invoiceAmountMsat;
}

function incomingTransaction(row: InvoiceRow, nowSec: number): NodeTransaction {
  const settled = row.settled_at !== null;
  return {
    direction: 'incoming',
    state: settled ? 'settled' : nowSec >= row.expires_at ? 'expired' : 'pending',
    paymentRequest: row.payment_request,
    paymentHashHex: row.payment_hash,
    description: row.description,
    amountMsat: settled ? row.amount_received_msat : row.amount_msat,
    feeMsat: 0,
    preimageHex: settled ? row.preimage_hex : null,
    createdAtSec: row.created_at,
    expiresAtSec: row.expires_at,
    settledAtSec: row.settled_at,
  };
}

function outgoingTransaction(row: PaymentRow): NodeTransaction {
  return {
    direction: 'outgoing',
    state: 'settled',
    paymentRequest: row.payment_request,
    paymentHashHex: row.payment_hash,
    description: row.description,
    amountMsat: row.paid_amount_msat,
    feeMsat: row.fee_msat,
    preimageHex: row.preimage_hex,
    createdAtSec: row.paid_at,
    expiresAtSec: row.expires_at,
    settledAtSec: row.paid_at,
  };
}

function refused(reason: PaymentRefusal): PaymentOutcome {
  return { status: 'refused', reason };
}

function assertSafeMsat(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`not a non-negative integer msat: ${value}`);
}

function assertPositiveMsat(value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`not a positive integer msat: ${value}`);
}
