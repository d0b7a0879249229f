import { Writable } from 'node:stream';
import { generateSync } from 'otplib';
import { describe, expect, it } from 'vitest';
import { createApiHarness, TEST_PASSWORD } from '../api/test-harness';
import { buildHttpApp } from './app';
import { SESSION_COOKIE } from './session-cookie';

// Runs a full account flow over HTTP with every log line (level trace) captured, then looks for each
// secret the flow created. Redaction by key name is the first line; not logging secrets is the second.
describe('logs from a full account flow', () => {
  it('contain none of the secrets the flow created', async () => {
    let logs = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs += String(chunk);
        done();
      },
    });
    const h = createApiHarness({ logDestination: sink });
    const app = await buildHttpApp({ deps: h.deps });
    const headers = { 'content-type': 'application/json', 'x-steward-csrf': '1', 'user-agent': 'log-test' };
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await app.inject({
        method: 'POST',
        url: `/api/trpc/${path}`,
        headers,
        payload: JSON.stringify(body ?? {}),
        cookies: token ? { [SESSION_COOKIE]: token } : {},
      });
      const token2 = /steward_session=([A-Za-z0-9_-]{43})/.exec(String(res.headers['set-cookie']))?.[1];
      return { res, body: res.json(), token: token2 };
    };
    const code = (secret: string) => generateSync({ secret, epoch: Math.floor(h.clock.now().getTime() / 1000) });
    const email = 'leaky@example.com';

    const signedUp = await post('auth.signUp', { email, password: TEST_PASSWORD, timeZone: 'UTC', displayCurrency: 'USD' });
    const token = signedUp.token ?? '';
    const begun = (await post('security.beginTotpEnrollment', undefined, token)).body.result.data;
    const confirmed = await post('security.confirmTotpEnrollment', { code: code(begun.secret), password: TEST_PASSWORD }, token);
    const recoveryCodes: string[] = confirmed.body.result.data.recoveryCodes;
    await post('auth.signOut', undefined, token);

    h.clock.nextTotpStep();
    const withCode = await post('auth.signIn', { email, password: TEST_PASSWORD, code: code(begun.secret) });
    const wrong = await post('auth.signIn', { email, password: TEST_PASSWORD, code: '000000' });
    expect(wrong.body.error.data.reason).toBe('invalid_credentials');
    const withRecovery = await post('auth.signIn', { email, password: TEST_PASSWORD, recoveryCode: recoveryCodes[0] });
    await post('auth.signIn', { email, password: 'wrong-password-entirely' });
    h.clock.nextTotpStep();
    const granted = h.stepUp.verify({ userId: signedUp.body.result.data.user.id, code: code(begun.secret), action: { kind: 'approve_spend', id: 'q1' } });
    expect(granted.ok).toBe(true);
    // The operator's reset link, looked at and used (with the code: 2FA is on).
    const link = h.deps.accounts.passwordReset.issueLink(email);
    if (!link.ok) throw new Error('no reset link');
    expect((await post('auth.inspectResetLink', { token: link.token })).body.result.data.twoFactorEnabled).toBe(true);
    h.clock.nextTotpStep();
    const newPassword = 'marble-lantern-otter-2041';
    expect((await post('auth.resetPassword', { token: link.token, newPassword, code: code(begun.secret) })).res.statusCode).toBe(200);
    // A request authenticated by cookie: request logging must not carry the cookie.
    await app.inject({ method: 'GET', url: '/api/trpc/security.sessions', cookies: { [SESSION_COOKIE]: withCode.token ?? '' } });
    await app.close();

    const nwcUrl = (h.provisioner as unknown as { issued: string[] }).issued[0] ?? '';
    const nwcSecret = new URL(nwcUrl.replace('nostr+walletconnect://', 'http://')).searchParams.get('secret') ?? '';
    const secrets = {
      password: TEST_PASSWORD,
      totpSecret: begun.secret,
      otpauthUri: begun.otpauthUri,
      sessionToken: token,
      secondSessionToken: withCode.token ?? '',
      recoverySessionToken: withRecovery.token ?? '',
      nwcUrl,
      nwcSecret,
      secretsKey: h.secretsKey.toString('base64'),
      resetToken: link.token,
      resetMac: link.token.split('.')[2] ?? '',
      newPassword,
      ...Object.fromEntries(recoveryCodes.map((c, i) => [`recovery${i}`, c])),
      ...Object.fromEntries(recoveryCodes.map((c, i) => [`recoveryBare${i}`, c.replace('-', '')])),
    };
    for (const [name, value] of Object.entries(secrets)) expect(value.length, name).toBeGreaterThan(8);
    // The capture really ran: request logs and the flow's events are there.
    expect(logs).toContain('incoming request');
    expect(logs.split('\n').length).toBeGreaterThan(10);
    for (const [name, value] of Object.entries(secrets)) expect([name, logs.includes(value)]).toEqual([name, false]);
    h.database.close();
  });
});
