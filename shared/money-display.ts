// How amounts are shown to a person: the one set of display rules every page uses (issue 14 item 4).
//
//   Lists and cards show whole sats; details show the exact amount (formatSats keeps every msat).
//   Rounding to whole sats or cents never works in the person's disfavour unseen:
//     - a charge (a price, a payment, a fee) rounds UP, so 2.001 sats reads "3 sats", never "2 sats";
//     - a holding (a balance, a refund, a budget left) rounds DOWN, so nobody counts on money they lack.
//   A nonzero fiat amount under a cent reads "less than 1 cent", never "$0.00".
//   Fiat is figured from msat at the rate the caller passes: a quote's locked rate for what it quotes,
//   otherwise the current rate one query returned, so one page never mixes two rates.
//   Fees are named as fees ("+ 3 sats fee"), never folded silently into a total.
import {
  formatSats,
  formatUsd,
  msat,
  msatToSatCeil,
  msatToSatFloor,
  msatToUsdCentsCeil,
  msatToUsdCentsFloor,
  satToMsat,
  usdCents,
  type BtcUsdRate,
  type Msat,
  type Sat,
  type SignedMsat,
  type UsdCents,
} from './money';

/** Which way a shown amount may round: charges up, holdings down (see the top of this file). */
export type Rounding = 'charge' | 'holding';

export const LESS_THAN_A_CENT = 'less than 1 cent';

/** The size of `amount` in whole sats, rounded as `rounding` says (the sign is the caller's). */
function wholeSats(amount: SignedMsat, rounding: Rounding): Sat {
  const size = msat(Math.abs(amount));
  return rounding === 'charge' ? msatToSatCeil(size) : msatToSatFloor(size);
}

/** Whole sats for lists and cards: "1,235 sats", "1 sat", "-20 sats"; rounded as `rounding` says. */
export function formatSatsWhole(amount: SignedMsat, rounding: Rounding): string {
  const size = wholeSats(amount, rounding);
  const whole = formatSats(satToMsat(size));
  return amount < 0 && size > 0 ? `-${whole}` : whole;
}

/** The exact amount for details: "2.001 sats" (every msat shown). */
export const formatSatsExact = (amount: SignedMsat): string => formatSats(amount);

/** "10 sats" or "10–15 sats": a price range, each end rounded as a charge. */
export function formatSatsRange(min: SignedMsat, max: SignedMsat): string {
  if (wholeSats(min, 'charge') === wholeSats(max, 'charge')) return formatSatsWhole(max, 'charge');
  return `${formatSatsWhole(min, 'charge').replace(/ sats?$/, '')}–${formatSatsWhole(max, 'charge')}`;
}

/** Fiat for cents already worked out (by the server): "$1.50"; a nonzero amount under a cent reads so. */
export function formatCents(cents: UsdCents, options: { nonzero?: boolean } = {}): string {
  return cents === 0 && options.nonzero ? LESS_THAN_A_CENT : formatUsd(cents);
}

/** The fiat value of msat at `rate`: a charge rounds up to whole cents, a holding down. */
export function formatFiat(amount: SignedMsat, rate: BtcUsdRate, rounding: Rounding): string {
  const size = msat(Math.abs(amount));
  if (size === 0) return formatUsd(usdCents(0));
  const sign = amount < 0 ? '-' : '';
  // Worth less than a cent: rounding would say "$0.00" (hiding it) or "$0.01" (ten times too much).
  if (!worthACent(size, rate)) return `${sign}${LESS_THAN_A_CENT}`;
  const cents = rounding === 'charge' ? msatToUsdCentsCeil(size, rate) : msatToUsdCentsFloor(size, rate);
  return `${sign}${formatUsd(cents)}`;
}

/** Whether `amount` is worth at least one cent at `rate` (exact, in BigInt). */
function worthACent(amount: Msat, rate: BtcUsdRate): boolean {
  return BigInt(amount) * BigInt(rate.usdCents) >= BigInt(rate.perMsat);
}

/** A fiat range for a price range: "$0.05–$0.10", both ends as charges. */
export function formatFiatRange(min: SignedMsat, max: SignedMsat, rate: BtcUsdRate): string {
  return joinFiatRange(formatFiat(min, rate, 'charge'), formatFiat(max, rate, 'charge'));
}

/** Two fiat ends as one range: "$0.05–$0.10"; from under a cent it reads "up to $0.02", not "less than 1 cent–$0.02". */
export function joinFiatRange(low: string, high: string): string {
  if (low === high) return high;
  return low === LESS_THAN_A_CENT ? `up to ${high}` : `${low}–${high}`;
}

/** A charge in both units for a card: "$1.01 (1,010 sats)". */
export function formatCharge(amount: SignedMsat, rate: BtcUsdRate): string {
  return `${formatFiat(amount, rate, 'charge')} (${formatSatsWhole(amount, 'charge')})`;
}

/** A price range in both units: "$0.05–$0.10 (50–100 sats)". */
export function formatChargeRange(min: SignedMsat, max: SignedMsat, rate: BtcUsdRate): string {
  return `${formatFiatRange(min, max, rate)} (${formatSatsRange(min, max)})`;
}

/** A fee, named as one: "3 sats fee", or "no fee". */
export function formatFee(fee: SignedMsat): string {
  return fee === 0 ? 'no fee' : `${formatSatsWhole(fee, 'charge')} fee`;
}
