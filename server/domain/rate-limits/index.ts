// Rate limits (sign-in, sign-up, codes, wallet connections and calls, exports, MCP calls), counted in the database.
export { createRateLimits, limitSubject, verdictFor, type LimitName, type LimitPolicy, type LimitVerdict, type RateLimits } from './rate-limits';
