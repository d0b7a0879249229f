import { describe, expect, it } from 'vitest';
import { msat, msatToUsdCentsRoundHalfUp, parseBtcUsdRate } from '../../../shared/money';
import { createFixedExchangeRate, SANDBOX_BTC_USD_RATE } from './fixed-rate';

describe('fixed exchange rate', () => {
  it('prices the sandbox at $100,000 per BTC: 1,000 sats is one dollar', async () => {
    const rate = await createFixedExchangeRate().current();
    expect(rate).toEqual(SANDBOX_BTC_USD_RATE);
    expect(msatToUsdCentsRoundHalfUp(msat(1_000_000), rate)).toBe(100);
  });

  it('serves a configured rate unchanged', async () => {
    const parsed = parseBtcUsdRate('50000');
    if (!parsed.ok) throw new Error(parsed.reason);
    const rate = await createFixedExchangeRate(parsed.value).current();
    expect(msatToUsdCentsRoundHalfUp(msat(1_000_000), rate)).toBe(50);
  });
});
