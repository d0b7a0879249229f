/**
 * The market's port to Lightning. One Invoicer per provider: the market asks it for invoices and
 * never learns which wallet or node stands behind it. A simulated node (server/sandbox/lightning)
 * satisfies this structurally; tests use a fake that signs real BOLT11 invoices.
 */
export interface InvoiceRequest {
  amountMsat: number | null; // null = amountless invoice (a misbehaving endpoint needs it)
  description: string;
  expirySeconds: number;
  network?: 'regtest' | 'mainnet'; // default regtest (lnbcrt); 'mainnet' (lnbc) for a misbehaving endpoint
  timestampSec?: number; // default now; set in the past to mint an already-expired invoice
}

export interface MintedInvoice {
  paymentRequest: string;
  paymentHashHex: string;
}

export interface Invoicer {
  createInvoice(req: InvoiceRequest): MintedInvoice; // synchronous
  /** The node key its invoices are payable to, when it has a fixed one: the manifest publishes it. */
  readonly pubkeyHex?: string;
}
