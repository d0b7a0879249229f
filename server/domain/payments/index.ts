// The payments domain's public surface: everything other modules may use.
export { creditUserFunding } from './funding';
export { payFromTreasury, type TreasuryPaymentStep } from './treasury-payment';
export { DEFAULT_FEE_ALLOWANCE, feeAllowanceFor, type FeeAllowancePolicy } from './fee-allowance';
export { createKeyedMutex, type KeyedMutex } from './keyed-mutex';
export { createRetryLoop, retryDelayMs, type RetryLoop } from './retry-loop';
export {
  createPaymentService,
  DEFAULT_PAYMENT_OPTIONS,
  type PaymentOptions,
  type PaymentService,
  type PaymentServiceDeps,
} from './payment-service';
export type { PriceProbeRequest, PriceProbeResult } from './price-probe';
export { createReceipts, listReceiptsInputSchema, type ListReceiptsInput, type Receipt, type ReceiptOutcome, type Receipts } from './receipts';
export { createReconciler, VOID_NOT_FOUND_AFTER_MS, type Reconciler, type ReconcilerDeps, type ReconcileReport } from './reconciler';
export type * from './types';
