import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GOVERNANCE_SETTINGS,
  type GovernanceSettings,
  type PolicyDecision,
  type ServiceRule,
  type SpendQuote,
} from '../../../shared/governance';
import {
  btcUsdRateFromCentsPerBtc,
  msat,
  parseBtcUsdRate,
  usdCents,
  usdCentsToMsatFloor,
  type BtcUsdRate,
} from '../../../shared/money';
import { checkLimits, decide, tierFor, type SpendUsage } from './policy';

// $100,000.00 per BTC: 1 cent = 10 sats = 10,000 msat, so thresholds land on round msat values.
const RATE = btcUsdRateFromCentsPerBtc(usdCents(10_000_000));
const CENT_MSAT = 10_000;

function quote(maxMsat: number, serviceId = 'jokes', rate: BtcUsdRate = RATE): SpendQuote {
  return { serviceId, maxMsat: msat(maxMsat), feeAllowanceMsat: msat(0), rate };
}
function usage(month = 0, service = 0, task = 0): SpendUsage {
  return { monthUsedMsat: msat(month), serviceUsedMsat: msat(service), taskUsedMsat: msat(task) };
}
function settings(overrides: Partial<GovernanceSettings> = {}): GovernanceSettings {
  return { ...DEFAULT_GOVERNANCE_SETTINGS, ...overrides };
}
function rule(serviceId: string, kind: ServiceRule['rule'], monthlyCap: ServiceRule['monthlyCap'] = null): ServiceRule {
  return { serviceId, rule: kind, monthlyCap };
}
const usd = (cents: number) => ({ unit: 'usd' as const, usdCents: usdCents(cents) });
const sats = (amount: number) => ({ unit: 'sat' as const, msat: msat(amount * 1000) });

type Expected =
  | 'auto'
  | 'confirm'
  | 'step_up'
  | `overage_required:${number}`
  | `deny:${string}`;

function summary(decision: PolicyDecision): Expected {
  if (decision.kind === 'deny') return `deny:${decision.reason}`;
  if (decision.kind === 'overage_required') return `overage_required:${decision.overageMsat}`;
  return decision.kind;
}

const monthly20 = settings({ monthlyLimit: usd(2_000) });

describe('decide: a table of cases', () => {
  const cases: [string, number, SpendUsage, GovernanceSettings, Expected][] = [
    // Default tiers: auto <= $0.10, confirm <= $5.00, step_up above; "<=" at every boundary.
    ['zero', 0, usage(), settings(), 'auto'],
    ['well under auto', 4 * CENT_MSAT, usage(), settings(), 'auto'],
    ['exactly $0.10 in msat', 10 * CENT_MSAT, usage(), settings(), 'auto'],
    ['one msat above $0.10', 10 * CENT_MSAT + 1, usage(), settings(), 'confirm'],
    ['one cent above $0.10', 11 * CENT_MSAT, usage(), settings(), 'confirm'],
    ['exactly $5.00', 500 * CENT_MSAT, usage(), settings(), 'confirm'],
    ['one msat above $5.00', 500 * CENT_MSAT + 1, usage(), settings(), 'step_up'],
    ['one cent above $5.00', 501 * CENT_MSAT, usage(), settings(), 'step_up'],
    // Tiers look at the task's total, so splitting a task into small steps does not dodge them.
    ['task total exactly $0.10', 4 * CENT_MSAT, usage(0, 0, 6 * CENT_MSAT), settings(), 'auto'],
    ['task total one msat over $0.10', 4 * CENT_MSAT + 1, usage(0, 0, 6 * CENT_MSAT), settings(), 'confirm'],
    ['task total over $5.00', CENT_MSAT, usage(0, 0, 500 * CENT_MSAT), settings(), 'step_up'],
    // Service rules.
    ['always_confirm lifts auto', 1, usage(), settings({ serviceRules: [rule('jokes', 'always_confirm')] }), 'confirm'],
    ['always_confirm keeps step_up', 600 * CENT_MSAT, usage(), settings({ serviceRules: [rule('jokes', 'always_confirm')] }), 'step_up'],
    ['always_allow lowers confirm', 500 * CENT_MSAT, usage(), settings({ serviceRules: [rule('jokes', 'always_allow')] }), 'auto'],
    ['always_allow never skips 2FA', 500 * CENT_MSAT + 1, usage(), settings({ serviceRules: [rule('jokes', 'always_allow')] }), 'step_up'],
    ['a rule for another service does not apply', 1, usage(), settings({ serviceRules: [rule('weather', 'block')] }), 'auto'],
    ['block', 1, usage(), settings({ serviceRules: [rule('jokes', 'block')] }), 'deny:service_blocked'],
    // Per-task cap (chosen in sats): at the cap is allowed, one msat over is denied.
    ['task cap exactly reached', 50_000, usage(0, 0, 150_000), settings({ taskCap: sats(200) }), 'confirm'],
    ['task cap one msat over', 50_001, usage(0, 0, 150_000), settings({ taskCap: sats(200) }), 'deny:exceeds_task_cap'],
    // Per-service monthly cap (chosen in USD).
    ['service cap exactly reached', 100_000, usage(0, 900_000), settings({ serviceRules: [rule('jokes', null, usd(100))] }), 'auto'],
    ['service cap one msat over', 100_001, usage(0, 900_000), settings({ serviceRules: [rule('jokes', null, usd(100))] }), 'deny:exceeds_service_cap'],
    ['service cap with always_allow', 100_001, usage(0, 900_000), settings({ serviceRules: [rule('jokes', 'always_allow', usd(100))] }), 'deny:exceeds_service_cap'],
    ['other service usage does not count toward the cap', 100_000, usage(5_000_000, 900_000), settings({ serviceRules: [rule('jokes', null, usd(100))] }), 'auto'],
    // Monthly limit of $20.00 = 20,000,000 msat.
    ['month exactly at the limit', 40_000, usage(19_960_000), monthly20, 'auto'],
    ['month one msat over the limit', 40_001, usage(19_960_000), monthly20, 'overage_required:1'],
    ['month already over the limit', 1, usage(20_000_000), monthly20, 'overage_required:1'],
    ['sat limit one msat over', 2, usage(999_999), settings({ monthlyLimit: sats(1_000) }), 'overage_required:1'],
    ['overage beats always_allow', 40_001, usage(19_960_000), settings({ monthlyLimit: usd(2_000), serviceRules: [rule('jokes', 'always_allow')] }), 'overage_required:1'],
    // Precedence: block > task cap > service cap > overage.
    ['block beats task cap', 10_000_000, usage(30_000_000), settings({ monthlyLimit: usd(2_000), taskCap: sats(1), serviceRules: [rule('jokes', 'block', usd(1))] }), 'deny:service_blocked'],
    ['task cap beats service cap and overage', 10_000_000, usage(30_000_000), settings({ monthlyLimit: usd(2_000), taskCap: sats(1), serviceRules: [rule('jokes', null, usd(1))] }), 'deny:exceeds_task_cap'],
    ['service cap beats overage', 10_000_000, usage(30_000_000), settings({ monthlyLimit: usd(2_000), serviceRules: [rule('jokes', null, usd(1))] }), 'deny:exceeds_service_cap'],
  ];

  it.each(cases)('%s', (_name, maxMsat, spendUsage, spendSettings, expected) => {
    expect(summary(decide({ quote: quote(maxMsat), usage: spendUsage, settings: spendSettings }))).toBe(expected);
  });
});

describe('decide: boundaries in cents with custom tiers', () => {
  const tiers = (auto: number, confirm: number) =>
    settings({ tiers: { autoMaxUsdCents: usdCents(auto), confirmMaxUsdCents: usdCents(confirm), notifyOnAuto: false } });

  it.each([
    [25, 'auto'],
    [26, 'confirm'],
    [100, 'confirm'],
    [101, 'step_up'],
  ] as const)('%i cents against auto <= 25, confirm <= 100 is %s', (cents, expected) => {
    expect(tierFor({ quote: quote(cents * CENT_MSAT), usage: usage(), settings: tiers(25, 100) })).toBe(expected);
  });

  it('auto 0 means only free spends go through without asking; equal tiers skip confirm', () => {
    expect(summary(decide({ quote: quote(0), usage: usage(), settings: tiers(0, 0) }))).toBe('auto');
    expect(summary(decide({ quote: quote(1), usage: usage(), settings: tiers(0, 0) }))).toBe('step_up');
    expect(summary(decide({ quote: quote(1), usage: usage(), settings: tiers(0, 1) }))).toBe('confirm');
  });

  it('notifyOnAuto is carried on auto decisions', () => {
    const quiet = decide({ quote: quote(1), usage: usage(), settings: tiers(10, 500) });
    expect(quiet).toMatchObject({ kind: 'auto', notify: false });
    expect(decide({ quote: quote(1), usage: usage(), settings: settings() })).toMatchObject({ kind: 'auto', notify: true });
  });
});

describe('decide: an awkward rate', () => {
  // $95,123.4567 per BTC: a cent is not a whole number of msat, so rounding direction matters.
  const parsed = parseBtcUsdRate('95123.4567');
  if (!parsed.ok) throw new Error('rate');
  const rate = parsed.value;

  it('the largest msat amount worth at most $0.10 is auto, one msat more is confirm', () => {
    const atAuto = usdCentsToMsatFloor(usdCents(10), rate);
    expect(tierFor({ quote: quote(atAuto, 'jokes', rate), usage: usage(), settings: settings() })).toBe('auto');
    expect(tierFor({ quote: quote(atAuto + 1, 'jokes', rate), usage: usage(), settings: settings() })).toBe('confirm');
  });

  it('a USD monthly limit rounds down to msat, so the first msat past the dollars is an overage', () => {
    const limitMsat = usdCentsToMsatFloor(usdCents(2_000), rate);
    const input = (maxMsat: number) => ({ quote: quote(maxMsat, 'jokes', rate), usage: usage(limitMsat - 1_000), settings: monthly20 });
    expect(checkLimits(input(1_000))).toEqual({ ok: true });
    expect(decide(input(1_001))).toMatchObject({ kind: 'overage_required', overageMsat: 1 });
  });
});

describe('checkLimits with an authorized overage', () => {
  it('allows exactly the overage the person approved and no more', () => {
    const input = { quote: quote(50_000), usage: usage(19_960_000), settings: monthly20 };
    expect(checkLimits(input)).toMatchObject({ ok: false, kind: 'overage', overageMsat: 10_000 });
    expect(checkLimits(input, msat(10_000))).toEqual({ ok: true });
    expect(checkLimits(input, msat(9_999))).toMatchObject({ ok: false, kind: 'overage', overageMsat: 10_000 });
  });

  it('never lets an approved overage through a block or a cap', () => {
    const blocked = { quote: quote(50_000), usage: usage(19_960_000), settings: { ...monthly20, serviceRules: [rule('jokes', 'block')] } };
    expect(checkLimits(blocked, msat(1_000_000))).toMatchObject({ ok: false, kind: 'deny', reason: 'service_blocked' });
  });
});

describe('decide: the sentences people read', () => {
  it('explains each outcome in both units', () => {
    expect(decide({ quote: quote(40_000), usage: usage(), settings: settings() }).why).toBe(
      '$0.04 (40 sats) is within your $0.10 auto-approve limit.',
    );
    expect(decide({ quote: quote(40_000), usage: usage(0, 0, 40_000), settings: settings() }).why).toBe(
      '$0.04 (40 sats), bringing this task to $0.08 (80 sats), is within your $0.10 auto-approve limit.',
    );
    expect(decide({ quote: quote(1_000_000), usage: usage(), settings: settings() }).why).toBe(
      '$1.00 (1,000 sats) is over your $0.10 auto-approve limit, so it needs your confirmation.',
    );
    expect(decide({ quote: quote(6_000_000), usage: usage(), settings: settings() }).why).toBe(
      '$6.00 (6,000 sats) is over your $5.00 confirm limit, so it needs your second factor.',
    );
    expect(decide({ quote: quote(50_000), usage: usage(19_960_000), settings: monthly20 }).why).toBe(
      'This would go $0.01 (10 sats) over your $20.00 (20,000 sats) monthly budget; going over needs your approval with your second factor.',
    );
    expect(decide({ quote: quote(1), usage: usage(), settings: settings({ serviceRules: [rule('jokes', 'block')] }) }).why).toBe(
      'You have blocked payments to jokes.',
    );
    expect(decide({ quote: quote(50_001), usage: usage(0, 0, 150_000), settings: settings({ taskCap: sats(200) }) }).why).toBe(
      'This task would spend $0.21 (200.001 sats), over your 200 sats ($0.20) per-task cap.',
    );
  });
});
