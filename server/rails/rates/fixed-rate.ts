/**
 * A fixed BTC/USD rate behind the ExchangeRatePort.
 *
 * Sandbox: $100,000 per BTC, a round number so sandbox prices read easily (1 sat = $0.001, so
 * 1,000 sats = $1.00) and e2e expectations do not move.
 * Live: the operator may set BTC_USD_RATE (e.g. "97250.5"); without it live mode also uses the fixed
 * sandbox rate. What is missing for live: a price feed (an exchange ticker polled into this port, with
 * a staleness bound). Until then fiat figures in live mode are only as right as BTC_USD_RATE.
 */
import { btcUsdRateFromCentsPerBtc, parseBtcUsdRate, usdCents, type BtcUsdRate } from '../../../shared/money';
import type { ExchangeRatePort } from '../../domain/ports/exchange-rate';

export const SANDBOX_BTC_USD_RATE: BtcUsdRate = btcUsdRateFromCentsPerBtc(usdCents(100_000_00));

export function createFixedExchangeRate(rate: BtcUsdRate = SANDBOX_BTC_USD_RATE): ExchangeRatePort {
  const locked = { ...rate };
  return { current: async () => locked };
}

/** The rate from configuration (env BTC_USD_RATE, already validated by server/env.ts), else the sandbox's. */
export function createConfiguredExchangeRate(usdPerBtc: string | undefined): ExchangeRatePort {
  if (usdPerBtc === undefined) return createFixedExchangeRate();
  const parsed = parseBtcUsdRate(usdPerBtc);
  if (!parsed.ok) throw new Error(`BTC_USD_RATE is not a usable rate (${parsed.reason})`);
  return createFixedExchangeRate(parsed.value);
}
