/**
 * Where the BTC/USD rate comes from. A quote locks the rate `current()` returns when it is made, and
 * every fiat value of that quote (its range, the policy's tier and budget checks) uses that one rate,
 * so a price feed moving mid-approval never changes what the person was shown.
 *
 * Implementations: server/rails/rates/fixed-rate.ts (the sandbox's fixed $100,000/BTC, or a fixed
 * rate from BTC_USD_RATE). A live price feed is not built yet: see that file.
 */
import type { BtcUsdRate } from '../../../shared/money';

export interface ExchangeRatePort {
  current(): Promise<BtcUsdRate>;
}
