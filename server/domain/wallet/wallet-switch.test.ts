import { describe, expect, it } from 'vitest';
import { takenBackFrom } from './wallet-switch';

describe('takenBackFrom', () => {
  it('counts nothing without a reversal', () => {
    expect(takenBackFrom('provisioned', [])).toBe(0);
  });

  it('counts the takes made while the provisioned wallet was in use, and those written before takes named a wallet', () => {
    const takes = [{ amountMsat: 2_000, wallet: 'provisioned' }, { amountMsat: 500, wallet: null }, { amountMsat: 300, wallet: 'provisioned' }];
    expect(takenBackFrom('provisioned', takes)).toBe(2_800);
  });

  it('leaves out takes made while an own wallet was in use: those sats are in that wallet', () => {
    const takes = [{ amountMsat: 2_000, wallet: 'own' }, { amountMsat: 700, wallet: 'own' }, { amountMsat: 100, wallet: 'provisioned' }];
    expect(takenBackFrom('provisioned', takes)).toBe(100);
    expect(takenBackFrom('own', takes)).toBe(2_700);
  });
});
