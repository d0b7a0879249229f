import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { totpCode } from '../../domain/accounts/test-support';
import { createApiHarness, TEST_PASSWORD, refusalOf } from '../test-harness';

let h: ReturnType<typeof createApiHarness>;
beforeEach(() => {
  h = createApiHarness();
});
afterEach(() => h.database.close());

describe('turning two-factor on', () => {
  // Once it is on, every proof (withdraw, a new wallet, a looser budget, a new agent key) is a code. If an
  // open session alone could turn it on, a stolen one would enrol its own authenticator and hold them all.
  it('takes the password with the first code: a session alone cannot enrol an authenticator', async () => {
    const alice = await h.signUp('alice@example.com');
    const begun = await alice.as().security.beginTotpEnrollment();
    const code = totpCode(begun.secret, h.clock);

    expect(await refusalOf(alice.as().security.confirmTotpEnrollment({ code, password: 'not-my-password-at-all' }))).toMatchObject({ reason: 'wrong_password' });
    expect(await refusalOf(alice.as().security.confirmTotpEnrollment({ code } as never))).toMatchObject({ code: 'BAD_REQUEST' });
    expect((await alice.as().security.twoFactorStatus()).enabled).toBe(false);

    const confirmed = await alice.as().security.confirmTotpEnrollment({ code, password: TEST_PASSWORD });
    expect(confirmed.recoveryCodes.length).toBeGreaterThan(0);
    expect((await alice.as().security.twoFactorStatus()).enabled).toBe(true);
  });
});
