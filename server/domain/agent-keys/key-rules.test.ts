import { describe, expect, it } from 'vitest';
import type { PolicyDecision } from '../../../shared/governance';
import { msat } from '../../../shared/money';
import { narrowDecision, type KeyLimits } from './key-rules';

const SEVERITY: Record<PolicyDecision['kind'], number> = { auto: 0, confirm: 1, step_up: 2, overage_required: 3, deny: 4 };
const DECISIONS: PolicyDecision[] = [
  { kind: 'auto', notify: true, why: 'Small.' },
  { kind: 'confirm', why: 'Medium.' },
  { kind: 'step_up', why: 'Large.' },
  { kind: 'overage_required', overageMsat: msat(1_000), why: 'Over.' },
  { kind: 'deny', reason: 'service_blocked', why: 'Blocked.' },
];
const base: KeyLimits = { monthlyCapMsat: msat(100_000), perCallCapMsat: msat(10_000), allowed: null, mayAutoSpend: true, expiresAtMs: null, revokedAtMs: null };
const spend = { services: [{ serviceId: 'p/s', origin: 'https://p.example' }], maxMsat: msat(5_000), spentThisMonthMsat: msat(0), nowMs: 1_000 };

describe("a key's limits only narrow the person's decision", () => {
  const keys: KeyLimits[] = [
    base,
    { ...base, mayAutoSpend: false },
    { ...base, perCallCapMsat: msat(1_000) },
    { ...base, monthlyCapMsat: msat(4_000) },
    { ...base, allowed: ['other/service'] },
    { ...base, allowed: ['https://p.example'] },
    { ...base, revokedAtMs: 500 },
    { ...base, expiresAtMs: 1_000 },
  ];
  it.each(keys.flatMap((key) => DECISIONS.map((decision) => [key, decision] as const)))('never less strict (%#)', (key, decision) => {
    expect(SEVERITY[narrowDecision(decision, key, spend).kind]).toBeGreaterThanOrEqual(SEVERITY[decision.kind]);
  });

  it('names why it denies, and lifts auto to confirm for a key that must ask', () => {
    const auto = DECISIONS[0] as PolicyDecision;
    expect(narrowDecision(auto, { ...base, perCallCapMsat: msat(1_000) }, spend)).toMatchObject({ kind: 'deny', reason: 'over_key_call_cap' });
    expect(narrowDecision(auto, { ...base, monthlyCapMsat: msat(4_000) }, spend)).toMatchObject({ kind: 'deny', reason: 'over_key_monthly_cap' });
    expect(narrowDecision(auto, { ...base, allowed: ['other/service'] }, spend)).toMatchObject({ kind: 'deny', reason: 'key_service_not_allowed' });
    expect(narrowDecision(auto, { ...base, revokedAtMs: 500 }, spend)).toMatchObject({ kind: 'deny', reason: 'key_revoked' });
    expect(narrowDecision(auto, { ...base, expiresAtMs: 1_000 }, spend)).toMatchObject({ kind: 'deny', reason: 'key_expired' });
    expect(narrowDecision(auto, { ...base, mayAutoSpend: false }, spend)).toMatchObject({ kind: 'confirm' });
    expect(narrowDecision(auto, { ...base, allowed: ['https://p.example'] }, spend)).toEqual(auto);
  });
});
