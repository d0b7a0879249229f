import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GOVERNANCE_SETTINGS,
  DEFAULT_TIERS,
  alertThresholdsSchema,
  governanceSettingsSchema,
  isValidTimeZone,
  LIMIT_MAX_SATS,
  LIMIT_MAX_USD_CENTS,
  limitFitsConversions,
  limitsFailingConversions,
  moneyLimitSchema,
  parseStoredLimit,
  parseStoredSettings,
  spendQuoteSchema,
  tiersSchema,
  timeZoneSchema,
} from './governance';
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from './money';

function messages(result: { success: boolean; error?: { issues: { message: string }[] } }): string[] {
  return result.success ? [] : (result.error?.issues ?? []).map((issue) => issue.message);
}

describe('defaults', () => {
  it('are what a new user is told: $0.10 auto, $5.00 confirm, alerts at 50/80/100', () => {
    expect(DEFAULT_TIERS).toEqual({ autoMaxUsdCents: 10, confirmMaxUsdCents: 500, notifyOnAuto: true });
    expect(DEFAULT_GOVERNANCE_SETTINGS.alertThresholdsPercent).toEqual([50, 80, 100]);
    expect(governanceSettingsSchema.parse(DEFAULT_GOVERNANCE_SETTINGS)).toEqual(DEFAULT_GOVERNANCE_SETTINGS);
  });
});

describe('alert thresholds', () => {
  it.each([
    [[50, 80, 100], []],
    [[], []],
    [[1], []],
    [[0, 50], ['An alert threshold must be between 1% and 100%.']],
    [[50, 101], ['An alert threshold must be between 1% and 100%.']],
    [[50, 50], ['Each alert threshold may appear only once.', 'List alert thresholds from lowest to highest.']],
    [[80, 50], ['List alert thresholds from lowest to highest.']],
    [[50.5], ['Alert thresholds are whole percentages.']],
  ])('%j -> %j', (input, expected) => {
    expect(messages(alertThresholdsSchema.safeParse(input))).toEqual(expected);
  });
});

describe('tiers', () => {
  it('requires confirm >= auto, allowing equal', () => {
    expect(tiersSchema.safeParse({ autoMaxUsdCents: 500, confirmMaxUsdCents: 500, notifyOnAuto: true }).success).toBe(true);
    expect(messages(tiersSchema.safeParse({ autoMaxUsdCents: 501, confirmMaxUsdCents: 500, notifyOnAuto: true }))).toEqual([
      'The confirm limit must be at least the auto-approve limit.',
    ]);
    expect(messages(tiersSchema.safeParse({ autoMaxUsdCents: -1, confirmMaxUsdCents: 500, notifyOnAuto: true }))).toEqual([
      'The auto-approve limit cannot be negative.',
    ]);
  });
});

describe('money limits', () => {
  it('accepts positive whole amounts up to the stated maxima in either unit and refuses the rest with form messages', () => {
    expect(moneyLimitSchema.parse({ unit: 'usd', usdCents: 2_000 })).toEqual({ unit: 'usd', usdCents: 2_000 });
    expect(moneyLimitSchema.parse({ unit: 'sat', msat: 50_000_000 })).toEqual({ unit: 'sat', msat: 50_000_000 });
    expect(messages(moneyLimitSchema.safeParse({ unit: 'usd', usdCents: 0 }))).toEqual(['The amount must be more than zero.']);
    expect(messages(moneyLimitSchema.safeParse({ unit: 'usd', usdCents: 1.5 }))).toEqual(['The amount must be a whole number.']);
    expect(messages(moneyLimitSchema.safeParse({ unit: 'sat', msat: 2 ** 53 }))).toContain('The amount can be at most 1,000,000,000 sats.');
    expect(moneyLimitSchema.parse({ unit: 'usd', usdCents: LIMIT_MAX_USD_CENTS })).toEqual({ unit: 'usd', usdCents: 100_000_000 });
    expect(messages(moneyLimitSchema.safeParse({ unit: 'usd', usdCents: 10 ** 13 }))).toEqual(['The amount can be at most $1,000,000.00.']);
    expect(moneyLimitSchema.safeParse({ unit: 'eur', usdCents: 5 }).success).toBe(false);
  });
});

describe('settings', () => {
  it('refuses two rules for one service', () => {
    const result = governanceSettingsSchema.safeParse({
      ...DEFAULT_GOVERNANCE_SETTINGS,
      serviceRules: [
        { serviceId: 'jokes', rule: 'block', monthlyCap: null },
        { serviceId: 'jokes', rule: 'always_allow', monthlyCap: null },
      ],
    });
    expect(messages(result)).toEqual(['Each service may have only one rule.']);
  });

  it('accepts caps and rules', () => {
    const settings = {
      monthlyLimit: { unit: 'usd', usdCents: 2_000 },
      taskCap: { unit: 'sat', msat: 500_000 },
      tiers: DEFAULT_TIERS,
      serviceRules: [{ serviceId: 'weather', rule: null, monthlyCap: { unit: 'usd', usdCents: 100 } }],
      alertThresholdsPercent: [25, 100],
    };
    expect(governanceSettingsSchema.parse(settings)).toEqual(settings);
  });
});

describe('time zones and quotes', () => {
  it('knows real IANA zones only', () => {
    expect(isValidTimeZone('Pacific/Auckland')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(messages(timeZoneSchema.safeParse('Nowhere'))).toEqual(['Choose a time zone from the list, such as Europe/London.']);
  });

  it('a quote\'s fee allowance is part of its maximum', () => {
    const rate = { usdCents: 1, perMsat: 10_000 };
    expect(spendQuoteSchema.safeParse({ serviceId: 'jokes', maxMsat: 10, feeAllowanceMsat: 10, rate }).success).toBe(true);
    expect(spendQuoteSchema.safeParse({ serviceId: 'jokes', maxMsat: 10, feeAllowanceMsat: 11, rate }).success).toBe(false);
  });
});

describe('limits and conversions', () => {
  it('keeps every limit up to the maxima convertible to msat and back at any BTC price from $1,000 up', () => {
    const rates = [btcUsdRateFromCentsPerBtc(usdCents(100_000)), btcUsdRateFromCentsPerBtc(usdCents(10_000_000)), btcUsdRateFromCentsPerBtc(usdCents(10 ** 12))];
    for (const rate of rates) {
      expect(limitFitsConversions({ unit: 'usd', usdCents: usdCents(LIMIT_MAX_USD_CENTS) }, rate)).toBe(true);
      expect(limitFitsConversions({ unit: 'sat', msat: msat(LIMIT_MAX_SATS * 1000) }, rate)).toBe(true);
    }
  });

  it('names the limits that would overflow at an absurd rate', () => {
    const centPerBtc = btcUsdRateFromCentsPerBtc(usdCents(1));
    const settings = {
      ...DEFAULT_GOVERNANCE_SETTINGS,
      monthlyLimit: { unit: 'usd' as const, usdCents: usdCents(LIMIT_MAX_USD_CENTS) },
      taskCap: { unit: 'usd' as const, usdCents: usdCents(100) },
    };
    expect(limitsFailingConversions(settings, centPerBtc)).toEqual(['monthlyLimit']);
  });
});

describe('stored settings', () => {
  it('reads valid settings as they are, clamps amounts above the maxima, and pauses spending on anything unreadable', () => {
    const twenty = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'usd', usdCents: 2_000 } };
    expect(parseStoredSettings(twenty)).toEqual(twenty);
    const huge = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'usd', usdCents: 10 ** 13 }, tiers: { autoMaxUsdCents: 10 ** 14, confirmMaxUsdCents: 10 ** 14, notifyOnAuto: true } };
    expect(parseStoredSettings(huge)).toMatchObject({ monthlyLimit: { usdCents: LIMIT_MAX_USD_CENTS }, tiers: { autoMaxUsdCents: LIMIT_MAX_USD_CENTS } });
    for (const garbage of [null, 'x', { tiers: 'x' }]) {
      expect(parseStoredSettings(garbage)).toMatchObject({ monthlyLimit: { unit: 'sat', msat: 1_000 }, tiers: { autoMaxUsdCents: 0, confirmMaxUsdCents: 0 } });
    }
    expect(parseStoredLimit({ unit: 'sat', msat: 2 ** 60 })).toEqual({ unit: 'sat', msat: LIMIT_MAX_SATS * 1000 });
  });
});
