import { describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings } from '../../shared/governance';
import { msat, usdCents } from '../../shared/money';
import { createPrng } from './prng';
import { loosens, randomSettings } from './settings';

const base: GovernanceSettings = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'sat', msat: msat(10_000_000) } };

describe('loosens', () => {
  it('is false for tightening: a lower limit, a new cap, lower tiers, notices turned on', () => {
    expect(loosens(base, { ...base, monthlyLimit: { unit: 'sat', msat: msat(5_000_000) }, taskCap: { unit: 'sat', msat: msat(1_000_000) } })).toBe(false);
    expect(loosens(base, { ...base, tiers: { ...base.tiers, autoMaxUsdCents: usdCents(0) } })).toBe(false);
  });

  it('is true for a higher or removed limit, higher tiers, or notices turned off', () => {
    expect(loosens(base, { ...base, monthlyLimit: null })).toBe(true);
    expect(loosens(base, { ...base, monthlyLimit: { unit: 'sat', msat: msat(20_000_000) } })).toBe(true);
    expect(loosens(base, { ...base, tiers: { ...base.tiers, confirmMaxUsdCents: usdCents(100_000) } })).toBe(true);
    expect(loosens(base, { ...base, tiers: { ...base.tiers, notifyOnAuto: false } })).toBe(true);
  });
});

describe('randomSettings', () => {
  it('always keeps the confirm tier at or above the auto tier', () => {
    const prng = createPrng(1);
    for (let i = 0; i < 200; i++) {
      const { tiers } = randomSettings(prng);
      expect(tiers.confirmMaxUsdCents).toBeGreaterThanOrEqual(tiers.autoMaxUsdCents);
    }
  });
});
