// The disputes domain's public surface.
export { createDisputes, type Disputes, type DisputesOptions } from './dispute-service';
export type { Decision, DecisionResult } from './decisions';
export type { OpenDisputeRequest, OpenDisputeResult } from './opening';
export { DEFAULT_DISPUTE_SHARE_PERCENT } from './rules';
export type { SettleClaimResult } from './claims';
export { DEFAULT_RETURN_INVOICE_EXPIRY_SEC } from './dispute-service';
