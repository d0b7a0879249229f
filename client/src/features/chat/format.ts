import { formatSats, formatUsd, msat, usdCents } from '../../../../shared/money';

export const sats = (amountMsat: number) => formatSats(msat(amountMsat));
export const usd = (cents: number) => formatUsd(usdCents(cents));

/** "10 sats" or "10–15 sats" for a price range. */
export function satsRange(minMsat: number, maxMsat: number): string {
  return minMsat === maxMsat ? sats(minMsat) : `${sats(minMsat).replace(/ sats?$/, '')}–${sats(maxMsat)}`;
}

export function usdRange(minCents: number, maxCents: number): string {
  return minCents === maxCents ? usd(minCents) : `${usd(minCents)}–${usd(maxCents)}`;
}
