import type { LightningNetwork } from './network';
import type { InvoiceRequest, Invoicer, MintedInvoice } from '../market/invoicer';
import type {
  NodeTransaction,
  PaymentFault,
  PaymentOutcome,
  TransactionQuery,
} from './types';

/**
 * One wallet on the simulated network. Implements the market's `Invoicer` (synchronous
 * `createInvoice`), so a provider's node is handed to the market as is.
 */
export class LightningNode implements Invoicer {
  private fault: PaymentFault | null = null;

  constructor(
    private readonly network: LightningNetwork,
    readonly name: string,
    readonly pubkeyHex: string,
  ) {}

  createInvoice(request: InvoiceRequest): MintedInvoice {
    return this.network.mintInvoice(this.name, request);
  }

  balanceMsat(): number {
    return this.network.balanceMsat(this.name);
  }

  /** Pays a regtest invoice from this node, subject to the fault set on it (if any). */
  async pay(paymentRequest: string, options: { amountMsat?: number } = {}): Promise<PaymentOutcome> {
    const fault = this.fault;
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'fail') return { status: 'refused', reason: 'route_failed' };
    if (fault?.kind === 'no_reply_before_settle') return { status: 'no_reply' };
    const outcome = this.network.settle(this.name, paymentRequest, options.amountMsat);
    if (fault?.kind === 'no_reply_after_settle') return { status: 'no_reply' };
    if (fault?.kind === 'no_preimage' && outcome.status === 'settled') return { ...outcome, preimageHex: null };
    return outcome;
  }

  lookup(paymentHashHex: string): NodeTransaction | undefined {
    return this.network.lookup(this.name, paymentHashHex);
  }

  listTransactions(query: TransactionQuery = {}): { transactions: NodeTransaction[]; totalCount: number } {
    return this.network.transactions(this.name, query);
  }

  /** Every later payment from this node meets `fault` until it is cleared with `null`. */
  setFault(fault: PaymentFault | null): void {
    this.fault = fault;
  }
}
