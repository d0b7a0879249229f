import type { BtcUsdRate } from '../../../shared/money';
import type { Governance } from '../governance';
import type { AlertService } from './alert-service';
import type { StoredAlert } from './types';

/**
 * Routes the budget thresholds governance fires into stored, pushed alerts. domain/spending calls it
 * from the outcome of each payment (and the budget router after a settings change). Governance claims each threshold in the
 * database first, so each fires once per period even when spends finish at the same moment; the
 * alert's dedupe key (governance alertKey) makes a retried call harmless too.
 */
export function notifyBudgetThresholds(
  deps: { governance: Pick<Governance, 'fireBudgetAlerts'>; alerts: Pick<AlertService, 'notifyGovernance'> },
  input: { userId: string; timeZone: string; rate: BtcUsdRate },
): StoredAlert[] {
  return deps.governance
    .fireBudgetAlerts(input.userId, input.timeZone, input.rate)
    .map((alert) => deps.alerts.notifyGovernance(input.userId, alert, input.rate));
}
