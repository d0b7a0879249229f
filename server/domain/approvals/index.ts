// Approvals' public surface: everything other modules may use.
export { createApprovalService, type ApprovalService, type ApprovalServiceDeps } from './approval-service';
export { decideQuote, type QuoteUsage } from './quote-decision';
export type {
  Approval,
  ApprovalReason,
  ApprovalRequestResult,
  ApprovalStatus,
  ApproveRefusal,
  ApproveResult,
  DenyResult,
} from './types';
