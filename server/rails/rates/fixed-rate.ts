/**
 * A fixed BTC/USD rate behind the ExchangeRatePort, for tests and benchmarks that need fiat figures
 * that never move: $100,000 per BTC, a round number (1 sat = $0.001, so 1,000 sats = $1.00).
 * The app itself always reads a price feed (live-rate.ts); a sandbox wanting this price pins the
 * sandbox market to it with BTC_USD_RATE=100000, so the app and the market still agree.
 */
import { btcUsdRateFromCentsPerBtc, usdCents, type BtcUsdRate } from '../../../shared/money';
import type { ExchangeRatePort } from '../../domain/ports/exchange-rate';

export const SANDBOX_BTC_USD_RATE: BtcUsdRate = btcUsdRateFromCentsPerBtc(usdCents(100_000_00));

export function createFixedExchangeRate(rate: BtcUsdRate = SANDBOX_BTC_USD_RATE): ExchangeRatePort {
  const locked = { ...rate };
  return { current: async () => locked };
}
