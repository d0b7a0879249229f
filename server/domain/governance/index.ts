// Budget governance's public surface: everything other modules may use.
export { alertKey, alertMessage, approvalWaitingKey, lowBalanceAlert, priceDriftAlert, thresholdReached, thresholdsCrossed } from './alerts';
export {
  addUsage,
  EMPTY_USAGE,
  refundCreditUsage,
  reservationUsage,
  usageChange,
  formatLimit,
  formatSpend,
  limitToMsat,
  percentOf,
  spendToUsdCents,
  summarizeBudget,
  usedMsat,
  type BudgetSummary,
  type BudgetUsage,
  type SpendForUsage,
  type UsageChange,
} from './budget';
export {
  ACCOUNT_IN_DEBT_WHY,
  budgetPrecondition,
  budgetReservationMetadata,
  debtRefusal,
  reservationAttribution,
  type BudgetCheck,
  type DebtReader,
  type ReservationAttribution,
  type BudgetRefusalReason,
} from './budget-precondition';
export { createGovernance, type Governance, type GovernanceOptions } from './governance';
export {
  createSettingsChanges,
  type SettingsChangeRefusal,
  type SettingsChangeRequest,
  type SettingsChangeResult,
  type SettingsChanges,
} from './settings-change';
export {
  InvalidTimeZoneError,
  isPeriodKey,
  periodFor,
  periodForKey,
  previousPeriodKey,
  type BudgetPeriod,
} from './period';
export { checkLimits, decide, serviceRuleFor, tierFor, type LimitVerdict, type PolicyInput, type SpendUsage } from './policy';
export type { UsageBreakdown, UsageTotalsDrift } from './usage-totals';
