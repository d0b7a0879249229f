// Quotes' public surface: everything other modules may use.
export { createQuoteService, DEFAULT_QUOTE_OPTIONS, lockableRate, type FixedPriceCall, type QuoteOptions, type QuoteService, type QuoteServiceDeps } from './quote-service';
export { requestForStep } from './step-request';
export { chainedInputBoundSchema } from './types';
export type { ChainedInputBound, DriftQuoteResult, Quote, QuotedCall, QuotePlanRefusal, QuotePlanResult, QuoteStep, QuoteStepInput, QuoteStepSource } from './types';
