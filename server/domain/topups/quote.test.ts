import { describe, expect, it } from 'vitest';
import { btcUsdRateFromCentsPerBtc, parseBtcUsdRate, usdCents } from '../../../shared/money';
import { topUpSentence } from '../../../shared/topups';
import { checkTopUpLimits, quoteTopUp } from './quote';

const at100k = btcUsdRateFromCentsPerBtc(usdCents(100_000_00));
const limits = { minUsdCents: usdCents(100), maxUsdCents: usdCents(50_000), perDayUsdCents: usdCents(60_000), spreadBps: 300 };

describe('quoteTopUp', () => {
  it('$10 at $100,000 with a 3% spread buys 9,700 sats, and says so as the Wallet page shows it', () => {
    const quoted = quoteTopUp(usdCents(1_000), at100k, 300);
    if (!quoted.ok) throw new Error(quoted.reason);
    expect(quoted.quote.amountMsat).toBe(9_700_000);
    expect(topUpSentence(quoted.quote)).toBe('$10.00 buys 9,700 sats at $103,092/BTC incl. 3% fee');
  });

  it('rounds down to whole sats, never giving more than the money buys', () => {
    const odd = parseBtcUsdRate('97250.5');
    if (!odd.ok) throw new Error(odd.reason);
    const quoted = quoteTopUp(usdCents(1_337), odd.value, 250);
    if (!quoted.ok) throw new Error(quoted.reason);
    // $13.37 at $97,250.5/BTC = 13,747.9 sats; less 2.5% = 13,404.2 -> 13,404 sats.
    expect(quoted.quote.amountMsat).toBe(13_404_000);
    expect(quoted.quote.amountMsat % 1000).toBe(0);
    expect(topUpSentence(quoted.quote)).toContain('incl. 2.5% fee');
  });

  it('refuses an amount that buys less than a sat', () => {
    expect(quoteTopUp(usdCents(1), btcUsdRateFromCentsPerBtc(usdCents(10_000_000_000_00)), 300)).toEqual({ ok: false, reason: 'top_up_too_small_for_rate' });
  });
});

describe('checkTopUpLimits', () => {
  it('names the limit an amount breaks, counting what the last 24 hours already hold', () => {
    expect(checkTopUpLimits(usdCents(99), 0, limits)).toEqual({ ok: false, reason: 'top_up_below_minimum' });
    expect(checkTopUpLimits(usdCents(50_001), 0, limits)).toEqual({ ok: false, reason: 'top_up_above_maximum' });
    expect(checkTopUpLimits(usdCents(20_000), 40_001, limits)).toEqual({ ok: false, reason: 'top_up_daily_limit' });
    expect(checkTopUpLimits(usdCents(20_000), 40_000, limits)).toEqual({ ok: true });
    expect(checkTopUpLimits(usdCents(100), 0, limits)).toEqual({ ok: true });
  });
});
