/**
 * Card top-ups as the browser and the server both see them: the request, the locked quote and the
 * states a top-up moves through (server/domain/topups/README.md draws them).
 */
import { z } from 'zod';
import { formatSats, formatUsd, msat, usdCents, usdCentsSchema, type BtcUsdRate, type Msat, type UsdCents } from './money';

/** The amounts the Wallet page offers with one click; any other amount goes through the custom field. */
export const TOP_UP_PRESETS_USD_CENTS = [500, 1_000, 2_000] as const;

export const TOP_UP_STATUSES = [
  /** The Checkout Session is open; nothing is paid. */
  'created',
  /** Stripe says the card paid; funding has not started. */
  'paid',
  /** The person's wallet made an invoice and the treasury is paying it. */
  'funding',
  /** The sats reached the person's wallet and the ledger credited them. */
  'funded',
  /** The treasury could not pay (insufficient balance, unreachable): retried, the operator is alerted. */
  'funding_delayed',
  /** The card payment failed (asynchronous methods): nothing was charged. */
  'failed',
  /** The Checkout Session expired unpaid: nothing was charged. */
  'expired',
  /** The card payment was refunded: the credit was taken back. */
  'refunded',
  /** The cardholder disputed the payment: the credit is frozen. */
  'disputed',
] as const;
export type TopUpStatus = (typeof TOP_UP_STATUSES)[number];

export const topUpRequestSchema = z.object({ amountUsdCents: usdCentsSchema });
export type TopUpRequest = z.infer<typeof topUpRequestSchema>;

export const topUpIdSchema = z.object({ topUpId: z.string().min(1).max(64) });

/** What a top-up buys, fixed when it is created: shown before paying and kept with the top-up. */
export interface TopUpQuote {
  amountUsdCents: UsdCents;
  amountMsat: Msat;
  /** The market rate the quote used. */
  rate: BtcUsdRate;
  /** The operator's spread in basis points (300 = 3%). */
  spreadBps: number;
  /** USD cents per BTC the person effectively pays, spread included (for the sentence). */
  effectiveCentsPerBtc: UsdCents;
}

/** The configured amounts a person may top up (TOPUP_* settings). */
export interface TopUpLimits {
  minUsdCents: UsdCents;
  maxUsdCents: UsdCents;
  perDayUsdCents: UsdCents;
  spreadBps: number;
}

export interface TopUpView extends TopUpQuote {
  id: string;
  status: TopUpStatus;
  /** Stripe's hosted checkout page while the session is open; null afterwards. */
  checkoutUrl: string | null;
  /** Msat taken back from the person's funds after a refund or a dispute. */
  reversedMsat: Msat;
  /** Msat of a reversal the person's funds did not cover: spending is blocked until it is repaid. */
  owedMsat: Msat;
  createdAtMs: number;
  fundedAtMs: number | null;
}

/** 300 -> "3%", 250 -> "2.5%", 125 -> "1.25%": the spread as the sentence before paying names it. */
export function spreadPercentLabel(spreadBps: number): string {
  const whole = Math.trunc(spreadBps / 100);
  const rest = spreadBps % 100;
  return rest === 0 ? `${whole}%` : `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}%`;
}

/** "$10.00 buys 9,700 sats at $103,092/BTC incl. 3% fee" */
export function topUpSentence(quote: TopUpQuote): string {
  const sats = formatSats(msat(quote.amountMsat - (quote.amountMsat % 1000)));
  const perBtc = formatUsd(usdCents(quote.effectiveCentsPerBtc - (quote.effectiveCentsPerBtc % 100))).replace(/\.00$/, '');
  return `${formatUsd(quote.amountUsdCents)} buys ${sats} at ${perBtc}/BTC incl. ${spreadPercentLabel(quote.spreadBps)} fee`;
}
