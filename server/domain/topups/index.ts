// The top-ups domain's public surface (card -> treasury -> the person's wallet over NWC).
export { createTopUps, type CreateTopUpResult, type QuoteRefusal, type TopUps, type TopUpsOptions, type WebhookAnswer } from './topup-service';
export type { FundingStep } from './funding';
