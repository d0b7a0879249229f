/**
 * Budget settings the soak's people choose: a random monthly limit, task cap and tiers.
 */
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings, type MoneyLimit } from '../../shared/governance';
import { msat, usdCents } from '../../shared/money';
import type { Prng } from './prng';

const SAT = 1000;

const satLimit = (sats: number): MoneyLimit => ({ unit: 'sat', msat: msat(sats * SAT) });

/** Limits in msat as the checks compare them (the soak sets sat limits only, so no rate is involved). */
export function limitMsat(limit: MoneyLimit | null): number | null {
  if (limit === null) return null;
  if (limit.unit !== 'sat') throw new Error('the soak sets limits in sats only');
  return limit.msat;
}

/**
 * A random set of settings. Wallets start with 100,000 sats; market prices run from 1 to 5,000 sats,
 * so these limits are met often: some spends go over and need an overage, some tasks hit their cap.
 */
export function randomSettings(prng: Prng): GovernanceSettings {
  const autoMax = prng.int(0, 30);
  return {
    ...DEFAULT_GOVERNANCE_SETTINGS,
    monthlyLimit: prng.chance(0.2) ? null : satLimit(prng.int(1, 20) * 1_000),
    taskCap: prng.chance(0.7) ? null : satLimit(prng.int(1, 8) * 1_000),
    tiers: { autoMaxUsdCents: usdCents(autoMax), confirmMaxUsdCents: usdCents(autoMax + prng.int(20, 700)), notifyOnAuto: prng.chance(0.7) },
  };
}
