/**
 * Endpoints that break the L402 contract in one named way each, so a payer's defences can be
 * tested against a live server. They are not in the catalog or the manifest. All advertise
 * MISBEHAVING_PRICE_MSAT in the 402 body.
 */
import { randomBytes } from 'node:crypto';
import type { Misbehaviour } from './seller';

export const MISBEHAVING_PROVIDER_ID = 'rogue-labs';
export const MISBEHAVING_PRICE_MSAT = 10_000;
/** The overpriced endpoint's invoice asks this many times the advertised price. */
export const OVERPRICE_FACTOR = 100;

export type MisbehaviourName =
  | 'amountless-invoice'
  | 'hash-mismatch'
  | 'overpriced-invoice'
  | 'expired-invoice'
  | 'mainnet-invoice'
  | 'paid-402'
  | 'paid-500'
  | 'slow';

export interface MisbehavingEndpoint {
  name: MisbehaviourName;
  path: string;
  description: string;
  /** How the challenge deviates; empty when the challenge itself is honest. */
  challenge(nowSec: number): Misbehaviour;
  /** What happens once a valid token is presented. */
  afterPayment: 'content' | 'challenge_again' | 'server_error' | 'slow_content';
}

const honest = (): Misbehaviour => ({});

export const MISBEHAVING_ENDPOINTS: readonly MisbehavingEndpoint[] = [
  {
    name: 'amountless-invoice',
    path: '/misbehaving/amountless-invoice',
    description: 'The invoice has no amount: the payer would choose what to pay.',
    challenge: () => ({ invoice: { amountMsat: null } }),
    afterPayment: 'content',
  },
  {
    name: 'hash-mismatch',
    path: '/misbehaving/hash-mismatch',
    description: "The macaroon commits to a payment hash that is not the invoice's: paying it can never unlock anything.",
    challenge: () => ({ macaroonPaymentHashHex: randomBytes(32).toString('hex') }),
    afterPayment: 'content',
  },
  {
    name: 'overpriced-invoice',
    path: '/misbehaving/overpriced-invoice',
    description: `The invoice asks ${OVERPRICE_FACTOR}x the advertised price.`,
    challenge: () => ({ invoice: { amountMsat: MISBEHAVING_PRICE_MSAT * OVERPRICE_FACTOR } }),
    afterPayment: 'content',
  },
  {
    name: 'expired-invoice',
    path: '/misbehaving/expired-invoice',
    description: 'The invoice expired before it was sent.',
    // Two hours ago, with the usual ten-minute expiry.
    challenge: (nowSec) => ({ invoice: { timestampSec: nowSec - 7200 } }),
    afterPayment: 'content',
  },
  {
    name: 'mainnet-invoice',
    path: '/misbehaving/mainnet-invoice',
    description: 'The invoice is for Bitcoin mainnet (lnbc), not the regtest network the sandbox runs on.',
    challenge: () => ({ invoice: { network: 'mainnet' } }),
    afterPayment: 'content',
  },
  {
    name: 'paid-402',
    path: '/misbehaving/paid-402',
    description: 'Takes the payment, then answers a valid token with a fresh 402.',
    challenge: honest,
    afterPayment: 'challenge_again',
  },
  {
    name: 'paid-500',
    path: '/misbehaving/paid-500',
    description: 'Takes the payment, then answers a valid token with 500.',
    challenge: honest,
    afterPayment: 'server_error',
  },
  {
    name: 'slow',
    path: '/misbehaving/slow',
    description: 'Takes the payment, then answers a valid token only after a long delay.',
    challenge: honest,
    afterPayment: 'slow_content',
  },
];

/**
 * Ways a service of the catalog itself can be told to misbehave (opt-in; the app's embedded sandbox
 * reads them from SANDBOX_MISBEHAVING_SERVICES). Unlike the endpoints above, these are services the
 * agent plans with, so a whole task can meet them: the soak run uses them.
 * - drift: each challenge's invoice asks a few sats more than the published price, a different
 *   amount from one challenge to the next (see driftMsat), so a quote made from one challenge may
 *   not cover the invoice of the next;
 * - paid-500: a valid token gets 500;
 * - paid-empty: a valid token gets 200 with an empty body;
 * - paid-garbage: a valid token gets 200 with a body that is not the JSON it promises.
 */
export const CATALOG_MISBEHAVIOURS = ['drift', 'paid-500', 'paid-empty', 'paid-garbage'] as const;
export type CatalogMisbehaviour = (typeof CATALOG_MISBEHAVIOURS)[number];

/** The drift cycles through 0..DRIFT_STEPS-1 sats above the price. */
export const DRIFT_STEPS = 5;

/** How much the n-th challenge (0-based) of a drifting service adds to its price. */
export function driftMsat(challengeIndex: number): number {
  return (challengeIndex % DRIFT_STEPS) * 1000;
}
