/**
 * Sells access: mints invoice + macaroon pairs (the L402 challenge) and checks presented tokens.
 * Shared by the catalog routes, the quote endpoint and the misbehaving endpoints.
 */
import type { InvoiceRequest, Invoicer } from './invoicer';
import { mintToken, verifyToken } from './token';
import type { Credential, TokenCheck } from './token';

export const INVOICE_EXPIRY_SEC = 600;

export interface SaleTerms {
  providerId: string;
  providerName: string;
  service: string;
  description: string;
  /** What the buyer is told; the invoice says the same unless a misbehaving endpoint overrides it. */
  priceMsat: number;
  usage: Record<string, number>;
  validitySec: number;
}

/** Deliberate deviations, used only by the misbehaving endpoints. */
export interface Misbehaviour {
  invoice?: Partial<Pick<InvoiceRequest, 'amountMsat' | 'network' | 'timestampSec'>>;
  macaroonPaymentHashHex?: string;
}

export interface Challenge {
  macaroon: string;
  invoice: string;
  paymentHashHex: string;
  /** One WWW-Authenticate value per dialect: the legacy LSAT first, then L402, as Aperture sends them. */
  wwwAuthenticate: [string, string];
  body: Record<string, unknown>;
}

export interface SellerDeps {
  rootKeys: Map<string, Uint8Array>;
  invoicerFor(providerId: string): Invoicer;
  nowMs(): number;
}

export interface Seller {
  challenge(terms: SaleTerms, misbehaviour?: Misbehaviour): Challenge;
  check(args: { providerId: string; service: string; credential: Credential; usage: Record<string, number> }): TokenCheck;
}

export function createSeller(deps: SellerDeps): Seller {
  const rootKeyOf = (providerId: string): Uint8Array => {
    const key = deps.rootKeys.get(providerId);
    if (!key) throw new Error(`no root key for provider ${providerId}`);
    return key;
  };
  return {
    challenge(terms, misbehaviour = {}) {
      const nowSec = Math.floor(deps.nowMs() / 1000);
      const minted = deps.invoicerFor(terms.providerId).createInvoice({
        amountMsat: terms.priceMsat,
        description: `${terms.providerName}: ${terms.service}`,
        expirySeconds: INVOICE_EXPIRY_SEC,
        timestampSec: nowSec,
        ...misbehaviour.invoice,
      });
      const validUntilSec = nowSec + terms.validitySec;
      const macaroon = mintToken({
        rootKey: rootKeyOf(terms.providerId),
        location: `steward-sandbox-market/${terms.providerId}`,
        paymentHashHex: misbehaviour.macaroonPaymentHashHex ?? minted.paymentHashHex,
        scope: { service: terms.service, tier: 0, validUntilSec, constraints: terms.usage },
      });
      const params = `macaroon="${macaroon}", invoice="${minted.paymentRequest}"`;
      return {
        macaroon,
        invoice: minted.paymentRequest,
        paymentHashHex: minted.paymentHashHex,
        wwwAuthenticate: [`LSAT ${params}`, `L402 ${params}`],
        body: {
          error: {
            code: 'payment_required',
            message: 'Pay the invoice, then repeat the request with Authorization: L402 <macaroon>:<preimage>.',
          },
          provider: { id: terms.providerId, name: terms.providerName },
          service: terms.service,
          tier: 0,
          description: terms.description,
          price_msat: terms.priceMsat,
          constraints: terms.usage,
          macaroon,
          invoice: minted.paymentRequest,
          payment_hash: minted.paymentHashHex,
          invoice_expires_at: (misbehaviour.invoice?.timestampSec ?? nowSec) + INVOICE_EXPIRY_SEC,
          token_valid_until: validUntilSec,
        },
      };
    },
    check({ providerId, service, credential, usage }) {
      return verifyToken({
        credential,
        rootKey: rootKeyOf(providerId),
        service,
        nowSec: Math.floor(deps.nowMs() / 1000),
        usage,
      });
    },
  };
}
