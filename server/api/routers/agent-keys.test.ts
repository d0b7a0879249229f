import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { totpCode } from '../../domain/accounts/test-support';
import { createApiHarness, TEST_PASSWORD, refusalOf } from '../test-harness';

// An agent key outlives the session that made it: "sign out everywhere" and a new password end
// sessions, not keys. So a stolen session alone must not be able to make one.

let h: ReturnType<typeof createApiHarness>;
beforeEach(() => {
  h = createApiHarness();
});
afterEach(() => h.database.close());

const KEY = { name: 'laptop agent', monthlyCapSats: 5_000, perCallCapSats: 500, mayAutoSpend: true, expiresInDays: null };

describe('creating an agent key', () => {
  it('needs a fresh proof: the password without 2FA, the code with it; without one no key exists', async () => {
    const alice = await h.signUp('alice@example.com');
    expect(await refusalOf(alice.as().agentKeys.create(KEY))).toEqual({ code: 'FORBIDDEN', reason: 'agent_key_password_required' });
    expect(await refusalOf(alice.as().agentKeys.create({ ...KEY, password: 'not-my-password-at-all' }))).toMatchObject({ reason: 'wrong_password' });
    expect(await alice.as().agentKeys.list()).toEqual([]);

    const created = await alice.as().agentKeys.create({ ...KEY, password: TEST_PASSWORD });
    expect(h.deps.agentKeys.authenticate(created.secret).ok).toBe(true);

    const begun = await alice.as().security.beginTotpEnrollment();
    await alice.as().security.confirmTotpEnrollment({ code: totpCode(begun.secret, h.clock), password: TEST_PASSWORD });
    expect(await refusalOf(alice.as().agentKeys.create({ ...KEY, password: TEST_PASSWORD }))).toEqual({ code: 'FORBIDDEN', reason: 'agent_key_code_required' });
    h.clock.advance(30_000);
    const withCode = await alice.as().agentKeys.create({ ...KEY, code: totpCode(begun.secret, h.clock) });
    expect((await alice.as().agentKeys.list()).map((k) => k.id).sort()).toEqual([created.key.id, withCode.key.id].sort());
  });
});
