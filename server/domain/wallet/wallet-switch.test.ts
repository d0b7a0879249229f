import { describe, expect, it } from 'vitest';
import { takenBackWhileIn, type SwitchOrReversal } from './wallet-switch';

const switchedTo = (to: string): SwitchOrReversal => ({ reason: 'wallet_switch_in', amountMsat: 1_000, to });
const refunded = (amountMsat: number): SwitchOrReversal => ({ reason: 'top_up_refunded', amountMsat, to: null });
const frozen = (amountMsat: number): SwitchOrReversal => ({ reason: 'top_up_frozen', amountMsat, to: null });

describe('takenBackWhileIn', () => {
  it('counts nothing without a reversal', () => {
    expect(takenBackWhileIn('provisioned', [])).toBe(0);
    expect(takenBackWhileIn('provisioned', [switchedTo('own'), switchedTo('provisioned')])).toBe(0);
  });

  it('counts the takes made while the provisioned wallet was in use, from the start and after coming back to it', () => {
    const history = [refunded(2_000), switchedTo('own'), switchedTo('provisioned'), frozen(500), refunded(300)];
    expect(takenBackWhileIn('provisioned', history)).toBe(2_800);
  });

  it('leaves out takes made while an own wallet was in use: those sats are in that wallet', () => {
    const history = [switchedTo('own'), refunded(2_000), frozen(700), switchedTo('provisioned')];
    expect(takenBackWhileIn('provisioned', history)).toBe(0);
    expect(takenBackWhileIn('own', history)).toBe(2_700);
  });
});
