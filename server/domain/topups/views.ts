import { msat, usdCents } from '../../../shared/money';
import type { TopUpView } from '../../../shared/topups';
import type { TopUpRow } from '../../db/schema/topups';

export function toTopUpView(row: TopUpRow): TopUpView {
  return {
    id: row.id,
    status: row.status,
    amountUsdCents: usdCents(row.amountUsdCents),
    amountMsat: msat(row.amountMsat),
    rate: { usdCents: row.rateUsdCents, perMsat: row.ratePerMsat },
    spreadBps: row.spreadBps,
    effectiveCentsPerBtc: usdCents(row.effectiveCentsPerBtc),
    checkoutUrl: row.status === 'created' ? row.checkoutUrl : null,
    reversedMsat: msat(row.reversedMsat),
    owedMsat: msat(row.owedMsat),
    createdAtMs: row.createdAtMs,
    fundedAtMs: row.fundedAtMs,
  };
}
