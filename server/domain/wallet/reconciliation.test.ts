import { describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import { reconcileBalances, ROUNDING_TOLERANCE_MSAT } from './reconciliation';

const reconcile = (availableMsat: number, heldMsat: number, walletMsat: number) =>
  reconcileBalances({ availableMsat: msat(availableMsat), heldMsat: msat(heldMsat), walletMsat: msat(walletMsat) }).status;

describe('reconcileBalances', () => {
  it('agrees on equal totals, held money included', () => {
    expect(reconcile(90_000, 10_000, 100_000)).toBe('agree');
    expect(reconcile(0, 0, 0)).toBe('agree');
  });

  it('treats a difference under one sat as wallet rounding, and one sat as a difference', () => {
    expect(reconcile(100_999, 0, 100_000)).toBe('agree');
    expect(ROUNDING_TOLERANCE_MSAT).toBeLessThan(1000);
    expect(reconcile(101_000, 0, 100_000)).toBe('wallet_behind');
    expect(reconcile(100_000, 0, 101_000)).toBe('wallet_ahead');
  });

  it('expects a wallet lower by at most the held amount while spends settle', () => {
    expect(reconcile(90_000, 10_000, 90_000)).toBe('settling');
    expect(reconcile(90_000, 10_000, 95_000)).toBe('settling');
    expect(reconcile(90_000, 10_000, 88_000)).toBe('wallet_behind');
  });

  it('reports the difference as wallet minus ledger', () => {
    expect(reconcileBalances({ availableMsat: msat(5_000), heldMsat: msat(1_000), walletMsat: msat(4_000) })).toEqual({
      status: 'wallet_behind',
      ledgerTotalMsat: 6_000,
      walletMsat: 4_000,
      differenceMsat: -2_000,
    });
  });
});
