import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GOVERNANCE_SETTINGS,
  governanceSettingsSchema,
  LIMIT_MAX_SATS,
  LIMIT_MAX_USD_CENTS,
  serviceRuleKinds,
  type GovernanceSettings,
  type MoneyLimit,
  type ServiceRule,
} from './governance';
import { looseningsOf, proofNeeded, raisesTierPastTwoFactor, timeZoneProofNeeded, type LooseningKind } from './loosening';
import { msat, usdCents } from './money';

const usdLimit = (cents: number): MoneyLimit => ({ unit: 'usd', usdCents: usdCents(cents) });
const satLimit = (sats: number): MoneyLimit => ({ unit: 'sat', msat: msat(sats * 1000) });

const limitArb: fc.Arbitrary<MoneyLimit> = fc.oneof(
  fc.integer({ min: 1, max: LIMIT_MAX_USD_CENTS }).map(usdLimit),
  fc.integer({ min: 1, max: LIMIT_MAX_SATS }).map(satLimit),
);
const serviceIds = ['a/one', 'b/two', 'c/three', 'd/four'];
const ruleArb = fc.constantFrom(null, ...serviceRuleKinds);
const settingsArb: fc.Arbitrary<GovernanceSettings> = fc
  .record({
    monthlyLimit: fc.option(limitArb),
    taskCap: fc.option(limitArb),
    auto: fc.integer({ min: 0, max: 100_000 }),
    extra: fc.integer({ min: 0, max: 100_000 }),
    notifyOnAuto: fc.boolean(),
    rules: fc.uniqueArray(fc.record({ serviceId: fc.constantFrom(...serviceIds), rule: ruleArb, monthlyCap: fc.option(limitArb) }), {
      selector: (r) => r.serviceId,
      maxLength: 4,
    }),
    thresholds: fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { maxLength: 6 }),
  })
  .map((r) =>
    governanceSettingsSchema.parse({
      monthlyLimit: r.monthlyLimit,
      taskCap: r.taskCap,
      tiers: { autoMaxUsdCents: r.auto, confirmMaxUsdCents: r.auto + r.extra, notifyOnAuto: r.notifyOnAuto },
      serviceRules: r.rules,
      alertThresholdsPercent: [...r.thresholds].sort((a, b) => a - b),
    }),
  );

/** A limit at most `limit` in the same unit (or a new one where there was none). */
function tighterLimit(limit: MoneyLimit | null, fraction: number, fresh: MoneyLimit): MoneyLimit | null {
  if (limit === null) return fraction < 0.5 ? null : fresh;
  if (limit.unit === 'usd') return usdLimit(Math.max(1, Math.floor(limit.usdCents * fraction)));
  return { unit: 'sat', msat: msat(Math.max(1, Math.floor(limit.msat * fraction))) };
}

const STRICTER: Record<string, (ServiceRule['rule'])[]> = {
  always_allow: ['always_allow', null, 'always_confirm', 'block'],
  null: [null, 'always_confirm', 'block'],
  always_confirm: ['always_confirm', 'block'],
  block: ['block'],
};

/** Settings that are at least as strict as `s` in every field; `choice` picks how, field by field. */
const tightenedArb = (s: GovernanceSettings) =>
  fc
    .record({
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
      fresh: limitArb,
      autoCut: fc.integer({ min: 0, max: 100_000 }),
      confirmCut: fc.integer({ min: 0, max: 100_000 }),
      notify: fc.boolean(),
      ruleChoice: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
      newRule: fc.option(fc.record({ serviceId: fc.constantFrom('z/new'), rule: fc.constantFrom('always_confirm' as const, 'block' as const, null), monthlyCap: fc.option(limitArb) })),
      moreThresholds: fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { maxLength: 3 }),
      lowerBy: fc.integer({ min: 0, max: 20 }),
    })
    .map((t): GovernanceSettings => {
      const auto = Math.max(0, s.tiers.autoMaxUsdCents - t.autoCut);
      const confirm = Math.max(auto, s.tiers.confirmMaxUsdCents - t.confirmCut);
      const rules = s.serviceRules.map((rule, i) => {
        const options = STRICTER[String(rule.rule)] ?? [rule.rule];
        return { ...rule, rule: options[(t.ruleChoice[i] ?? 0) % options.length] ?? rule.rule, monthlyCap: tighterLimit(rule.monthlyCap, t.fraction, t.fresh) };
      });
      const lowered = s.alertThresholdsPercent.map((p, i) => Math.max(i + 1, p - t.lowerBy));
      const thresholds = [...new Set([...lowered, ...t.moreThresholds])].sort((a, b) => a - b).slice(0, 20);
      return governanceSettingsSchema.parse({
        monthlyLimit: tighterLimit(s.monthlyLimit, t.fraction, t.fresh),
        taskCap: tighterLimit(s.taskCap, 1 - t.fraction, t.fresh),
        tiers: { autoMaxUsdCents: auto, confirmMaxUsdCents: confirm, notifyOnAuto: s.tiers.notifyOnAuto || t.notify },
        serviceRules: t.newRule ? [...rules, t.newRule] : rules,
        alertThresholdsPercent: thresholds,
      });
    });

describe('looseningsOf', () => {
  it('finds nothing to prove in a change that only tightens (or changes nothing), with or without 2FA', () => {
    fc.assert(
      fc.property(
        settingsArb.chain((before) => fc.tuple(fc.constant(before), tightenedArb(before))),
        fc.boolean(),
        ([before, after], twoFactorOn) => {
          expect(looseningsOf(before, after)).toEqual([]);
          expect(proofNeeded(before, after, twoFactorOn)).toEqual({ kind: 'none' });
        },
      ),
      { numRuns: 500 },
    );
  });

  /** Each single loosening, applied to any settings where it can apply, and the kind it must report. */
  const LOOSENINGS: [LooseningKind, (s: GovernanceSettings) => GovernanceSettings | null][] = [
    ['monthly_limit_removed', (s) => (s.monthlyLimit ? { ...s, monthlyLimit: null } : null)],
    ['monthly_limit_raised', (s) => (s.monthlyLimit?.unit === 'usd' && s.monthlyLimit.usdCents < LIMIT_MAX_USD_CENTS ? { ...s, monthlyLimit: usdLimit(s.monthlyLimit.usdCents + 1) } : null)],
    ['monthly_limit_raised', (s) => (s.monthlyLimit?.unit === 'sat' ? { ...s, monthlyLimit: usdLimit(1) } : null)],
    ['task_cap_removed', (s) => (s.taskCap ? { ...s, taskCap: null } : null)],
    ['task_cap_raised', (s) => (s.taskCap?.unit === 'sat' && s.taskCap.msat < LIMIT_MAX_SATS * 1000 ? { ...s, taskCap: { unit: 'sat', msat: msat(s.taskCap.msat + 1) } } : null)],
    ['auto_limit_raised', (s) => (s.tiers.autoMaxUsdCents < s.tiers.confirmMaxUsdCents ? { ...s, tiers: { ...s.tiers, autoMaxUsdCents: usdCents(s.tiers.autoMaxUsdCents + 1) } } : null)],
    ['confirm_limit_raised', (s) => ({ ...s, tiers: { ...s.tiers, confirmMaxUsdCents: usdCents(s.tiers.confirmMaxUsdCents + 1) } })],
    ['auto_notifications_off', (s) => (s.tiers.notifyOnAuto ? { ...s, tiers: { ...s.tiers, notifyOnAuto: false } } : null)],
    ['service_rule_loosened', (s) => (s.serviceRules[0]?.rule === 'block' ? { ...s, serviceRules: [{ ...s.serviceRules[0], rule: null }, ...s.serviceRules.slice(1)] } : null)],
    ['service_rule_loosened', (s) => (s.serviceRules.some((r) => r.serviceId === 'z/new') ? null : { ...s, serviceRules: [...s.serviceRules, { serviceId: 'z/new', rule: 'always_allow', monthlyCap: null }] })],
    ['service_cap_removed', (s) => (s.serviceRules[0]?.monthlyCap ? { ...s, serviceRules: [{ ...s.serviceRules[0], monthlyCap: null }, ...s.serviceRules.slice(1)] } : null)],
  ];

  it('reports any single loosening, and asks for the code with 2FA and the password without', () => {
    fc.assert(
      fc.property(settingsArb, fc.constantFrom(...LOOSENINGS), (before, [kind, loosen]) => {
        const after = loosen(before);
        fc.pre(after !== null);
        if (after === null) return;
        expect(looseningsOf(before, governanceSettingsSchema.parse(after)).map((l) => l.kind)).toContain(kind);
        expect(proofNeeded(before, after, true).kind).toBe('code');
        expect(proofNeeded(before, after, false).kind).toMatch(/^(password|two_factor_for_tier)$/);
      }),
      { numRuns: 1_000 },
    );
  });

  it('explains each loosening in words', () => {
    const before: GovernanceSettings = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: usdLimit(2_000), serviceRules: [{ serviceId: 'a/one', rule: 'block', monthlyCap: null }] };
    const after: GovernanceSettings = {
      ...before,
      monthlyLimit: null,
      tiers: { autoMaxUsdCents: usdCents(100_000), confirmMaxUsdCents: usdCents(100_000), notifyOnAuto: false },
      serviceRules: [],
    };
    expect(looseningsOf(before, after).map((l) => l.why)).toEqual([
      'Removes your monthly limit ($20.00).',
      'Raises what the agent pays without asking from $0.10 to $1,000.00.',
      'Raises what a click approves without your code from $5.00 to $1,000.00.',
      'Stops telling you about each automatic payment.',
      'Changes the rule for a/one from "block" to "follow the tiers".',
    ]);
  });

  it('counts a change of unit as loosening: the rate moves, so the other unit may allow more later', () => {
    const before = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: usdLimit(2_000) };
    expect(looseningsOf(before, { ...before, monthlyLimit: satLimit(1) }).map((l) => l.kind)).toEqual(['monthly_limit_raised']);
  });

  it('leaves budget alerts free to change: they remind of a limit that is itself guarded', () => {
    const at = (alertThresholdsPercent: number[]) => ({ ...DEFAULT_GOVERNANCE_SETTINGS, alertThresholdsPercent });
    expect(looseningsOf(at([50, 80, 100]), at([80]))).toEqual([]);
    expect(looseningsOf(at([50, 80, 100]), at([]))).toEqual([]);
  });
});

describe('proofNeeded without two-factor', () => {
  const tiers = (autoMax: number, confirmMax: number): GovernanceSettings => ({
    ...DEFAULT_GOVERNANCE_SETTINGS,
    tiers: { autoMaxUsdCents: usdCents(autoMax), confirmMaxUsdCents: usdCents(confirmMax), notifyOnAuto: true },
  });

  it('refuses to raise a tier above $5 (the code-guarded range), whatever the proof', () => {
    expect(proofNeeded(tiers(10, 500), tiers(10, 501), false).kind).toBe('two_factor_for_tier');
    expect(proofNeeded(tiers(10, 500), tiers(501, 501), false).kind).toBe('two_factor_for_tier');
    expect(proofNeeded(tiers(10, 500), tiers(10, 501), true).kind).toBe('code');
  });

  it('asks only for the password to raise a tier up to $5, and keeps a higher tier set earlier with 2FA', () => {
    expect(proofNeeded(tiers(10, 100), tiers(10, 500), false).kind).toBe('password');
    expect(raisesTierPastTwoFactor(tiers(0, 10_000), tiers(100, 10_000))).toBe(false);
    expect(proofNeeded(tiers(0, 10_000), tiers(0, 9_000), false).kind).toBe('none');
  });
});

describe('timeZoneProofNeeded', () => {
  it('asks for the code (2FA on) or the password (2FA off) for any change of zone, east or west', () => {
    for (const [before, after] of [['UTC', 'Pacific/Kiritimati'], ['Pacific/Kiritimati', 'UTC'], ['Europe/Berlin', 'Europe/Paris']] as const) {
      expect(timeZoneProofNeeded(before, after, true)).toEqual({ kind: 'code', loosenings: [{ kind: 'time_zone_changed', why: expect.stringContaining(after) as string }] });
      expect(timeZoneProofNeeded(before, after, false).kind).toBe('password');
    }
  });

  it('needs nothing when the zone stays (a display-currency change alone)', () => {
    expect(timeZoneProofNeeded('Europe/Berlin', 'Europe/Berlin', true)).toEqual({ kind: 'none' });
    expect(timeZoneProofNeeded('Europe/Berlin', 'Europe/Berlin', false)).toEqual({ kind: 'none' });
  });
});
