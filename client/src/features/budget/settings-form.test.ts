import { describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings } from '../../../../shared/governance';
import { msat, usdCents } from '../../../../shared/money';
import { checkSettings, errorFor, fromFormState, parseDollars, serverFieldErrors, toFormState } from './settings-form';

describe('parseDollars', () => {
  it('reads dollars and cents exactly, by string arithmetic', () => {
    expect(parseDollars('20')).toBe(2000);
    expect(parseDollars('20.5')).toBe(2050);
    expect(parseDollars(' $1,020.07 ')).toBe(102_007);
    expect(parseDollars('0.29')).toBe(29); // 0.29 * 100 is 28.999... in floats
  });

  it('refuses what is not an amount of dollars and cents', () => {
    for (const text of ['', 'abc', '-1', '1.234', '1e3', '.5']) expect(parseDollars(text), text).toBeNull();
  });
});

describe('settings form state', () => {
  const settings: GovernanceSettings = {
    ...DEFAULT_GOVERNANCE_SETTINGS,
    monthlyLimit: { unit: 'usd', usdCents: usdCents(123_456) },
    taskCap: { unit: 'sat', msat: msat(50_000_000) },
    serviceRules: [{ serviceId: 'satoshi-jokes/joke', rule: 'block', monthlyCap: null }],
    alertThresholdsPercent: [50, 80, 100],
  };

  it('shows saved settings as typed text and reads them back unchanged', () => {
    const state = toFormState(settings);
    expect(state.monthlyLimit).toEqual({ unit: 'usd', amount: '1234.56' });
    expect(state.taskCap).toEqual({ unit: 'sat', amount: '50000' });
    expect(state.thresholds).toBe('50, 80, 100');
    expect(fromFormState(state)).toEqual({ ok: true, settings });
  });

  it('names each field it cannot read, with the server-style keys', () => {
    const state = { ...toFormState(settings), autoMax: 'ten', thresholds: '50, eighty' };
    state.rules = [{ ...state.rules[0]!, cap: { unit: 'usd', amount: '1.234' } }];
    const result = fromFormState(state);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['alertThresholdsPercent', 'serviceRules.0.monthlyCap', 'tiers.autoMaxUsdCents']);
    expect(errorFor(result.errors, 'serviceRules.0')).toMatch(/dollars/);
    expect(errorFor(result.errors, 'taskCap')).toBeUndefined();
  });
});

describe('checkSettings', () => {
  it("gives the shared schema's messages keyed like the form, including the maxima", () => {
    const tooMuch: GovernanceSettings = {
      ...DEFAULT_GOVERNANCE_SETTINGS,
      monthlyLimit: { unit: 'usd', usdCents: usdCents(10 ** 13) },
      tiers: { autoMaxUsdCents: usdCents(600), confirmMaxUsdCents: usdCents(500), notifyOnAuto: true },
    };
    expect(checkSettings(tooMuch)).toEqual({
      'monthlyLimit.usdCents': 'The amount can be at most $1,000,000.00.',
      'tiers.confirmMaxUsdCents': 'The confirm limit must be at least the auto-approve limit.',
    });
    expect(checkSettings(DEFAULT_GOVERNANCE_SETTINGS)).toEqual({});
  });

  it("reads the server's field errors, nested under settings, with the form's keys", () => {
    expect(serverFieldErrors({ 'settings.tiers.autoMaxUsdCents': 'Too much.', code: 'Enter the code.' })).toEqual({ 'tiers.autoMaxUsdCents': 'Too much.', code: 'Enter the code.' });
  });
});
