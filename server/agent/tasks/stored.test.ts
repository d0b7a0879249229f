import { describe, expect, it } from 'vitest';
import { planSchema } from '../../../shared/catalog';
import { policyDecisionSchema } from '../../../shared/governance';
import { readJson, taskAnswerSchema, taskFailureSchema, taskQuoteSchema } from './stored';

describe('stored task JSON is parsed, never cast', () => {
  it('reads well-formed rows and keeps a quote whole', () => {
    const quote = { id: 'q1', expiresAt: 1, rate: { usdCents: 1, perMsat: 1_000 }, steps: [{ stepId: 's1', priceMsatMin: 1, priceMsatMax: 2, feeAllowanceMsat: 1, maxMsat: 3, call: { path: '/x' } }], totalMsatMin: 1, totalMsatMax: 3, totalUsdCentsMin: 0, totalUsdCentsMax: 1, userId: 'u1' };
    expect(readJson(taskQuoteSchema, JSON.stringify(quote))).toEqual(quote);
    expect(readJson(taskFailureSchema, null)).toBeNull();
    expect(readJson(policyDecisionSchema, JSON.stringify({ kind: 'auto', notify: true, why: 'ok' }))).toEqual({ kind: 'auto', notify: true, why: 'ok' });
  });

  it('refuses a damaged row instead of handing on a wrong type', () => {
    expect(() => readJson(taskQuoteSchema, JSON.stringify({ id: 'q1', steps: [{ stepId: 's1', priceMsatMax: -5 }] }))).toThrow();
    expect(() => readJson(policyDecisionSchema, JSON.stringify({ kind: 'auto', why: 'no notify flag' }))).toThrow();
    expect(() => readJson(planSchema, JSON.stringify({ request: 'x', planner: 'builtin', steps: [] }))).toThrow();
    expect(() => readJson(taskAnswerSchema, JSON.stringify({ summary: 1, steps: [] }))).toThrow();
    expect(() => readJson(taskFailureSchema, JSON.stringify({ message: 'no reason' }))).toThrow();
  });
});
