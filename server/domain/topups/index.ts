// The top-ups domain's public surface (card -> treasury -> the person's wallet over NWC).
export { createTopUps, type CreateTopUpResult, type QuoteRefusal, type TopUps, type TopUpsOptions, type WebhookAnswer } from './topup-service';
export type { FundingStep } from './funding';
/** A checkout older than this can no longer be paid (account deletion waits only for younger ones). */
export { SESSION_LIFETIME_MS as CHECKOUT_SESSION_LIFETIME_MS } from './create-topup';
