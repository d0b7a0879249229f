import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { totpCode } from '../../domain/accounts/test-support';
import { createApiHarness, TEST_PASSWORD, refusalOf } from '../test-harness';

// A new time zone moves the budget month (server/domain/governance/period.ts): near a month's end, a
// zone further east opens next month's budget early. So changing it takes the proof that loosening
// the guard takes (shared/loosening.ts); the display currency alone takes none. Through the router.

let h: ReturnType<typeof createApiHarness>;
beforeEach(() => {
  h = createApiHarness();
  // Saturday 31 January 2026, 20:00 UTC: still January in New York, already 1 February in Kiritimati.
  h.clock.advance(Date.UTC(2026, 0, 31, 20) - h.clock.now().getTime());
});
afterEach(() => h.database.close());

const EAST = { timeZone: 'Pacific/Kiritimati', displayCurrency: 'USD' as const };

/** Alice (signed up in America/New_York) with 2FA on; `code()` is a fresh authenticator code each call. */
async function aliceWithTwoFactor() {
  const alice = await h.signUp('alice@example.com');
  const begun = await alice.as().security.beginTotpEnrollment();
  await alice.as().security.confirmTotpEnrollment({ code: totpCode(begun.secret, h.clock), password: TEST_PASSWORD });
  return {
    ...alice,
    code: () => {
      h.clock.nextTotpStep();
      return totpCode(begun.secret, h.clock);
    },
  };
}

type Caller = ReturnType<Awaited<ReturnType<typeof h.signUp>>['as']>;
const preferenceAudit = async (caller: Caller) => (await caller.security.auditLog({})).filter((e) => e.kind === 'preferences_changed');
const storedUser = (userId: string) => h.database.sqlite.prepare('SELECT * FROM users WHERE id = ?').get(userId);

describe('changing the time zone with 2FA on', () => {
  it('refuses without a fresh code, and changes nothing: the budget month stays where it was', async () => {
    const alice = await aliceWithTwoFactor();
    const row = storedUser(alice.user.id);
    expect((await alice.as().budget.status()).periodKey).toBe('2026-01');

    expect(await refusalOf(alice.as().account.updatePreferences(EAST))).toEqual({ code: 'FORBIDDEN', reason: 'step_up_required' });
    expect(await refusalOf(alice.as().account.updatePreferences({ ...EAST, code: '000000' }))).toMatchObject({ reason: 'invalid_code' });
    // The password is not a second factor: with 2FA on, only the code moves the month.
    expect(await refusalOf(alice.as().account.updatePreferences({ ...EAST, password: TEST_PASSWORD }))).toMatchObject({ reason: 'step_up_required' });

    expect(storedUser(alice.user.id)).toEqual(row);
    expect((await alice.as().auth.session()).user?.timeZone).toBe('America/New_York');
    expect((await alice.as().budget.status()).periodKey).toBe('2026-01');
    expect(await preferenceAudit(alice.as())).toEqual([]);
  });

  it('saves it with a fresh code, bound to this move, and audits before and after', async () => {
    const alice = await aliceWithTwoFactor();
    const { user } = await alice.as().account.updatePreferences({ ...EAST, code: alice.code() });

    expect(user.timeZone).toBe('Pacific/Kiritimati');
    expect((await alice.as().budget.status()).periodKey).toBe('2026-02');
    const [audited] = await preferenceAudit(alice.as());
    expect(audited?.detail).toEqual({ before: 'Time zone: America/New_York', after: 'Time zone: Pacific/Kiritimati', loosened: 'time_zone_changed', proof: 'code' });
    const granted = (await alice.as().security.auditLog({})).find((e) => e.kind === 'step_up_granted');
    expect(granted?.detail).toMatchObject({ actionKind: 'change_time_zone', actionId: expect.stringMatching(/^[0-9a-f]{64}$/) as string });
  });

  it('needs nothing to change the display currency alone', async () => {
    const alice = await aliceWithTwoFactor();
    const { user } = await alice.as().account.updatePreferences({ timeZone: 'America/New_York', displayCurrency: 'SAT' });

    expect(user).toMatchObject({ timeZone: 'America/New_York', displayCurrency: 'SAT' });
    expect((await preferenceAudit(alice.as()))[0]?.detail).toEqual({ before: 'Display currency: USD', after: 'Display currency: sats', loosened: '', proof: 'none' });
  });
});

describe('changing the time zone without 2FA', () => {
  it('needs the password: refused without it or with a wrong one, saved and audited with it', async () => {
    const bob = await h.signUp('bob@example.com');
    const row = storedUser(bob.user.id);

    expect(await refusalOf(bob.as().account.updatePreferences(EAST))).toEqual({ code: 'FORBIDDEN', reason: 'password_required' });
    expect(await refusalOf(bob.as().account.updatePreferences({ ...EAST, password: 'not-bobs-password' }))).toMatchObject({ reason: 'wrong_password' });
    expect(storedUser(bob.user.id)).toEqual(row);
    expect(await preferenceAudit(bob.as())).toEqual([]);

    const { user } = await bob.as().account.updatePreferences({ ...EAST, password: TEST_PASSWORD });
    expect(user.timeZone).toBe('Pacific/Kiritimati');
    expect((await preferenceAudit(bob.as()))[0]?.detail).toMatchObject({ after: 'Time zone: Pacific/Kiritimati', loosened: 'time_zone_changed', proof: 'password' });
  });

  it('needs nothing to change the display currency alone', async () => {
    const bob = await h.signUp('bob@example.com');
    expect((await bob.as().account.updatePreferences({ timeZone: 'America/New_York', displayCurrency: 'SAT' })).user.displayCurrency).toBe('SAT');
  });
});
