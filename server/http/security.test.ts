import { afterEach, describe, expect, it } from 'vitest';
import { createApiHarness, TEST_PASSWORD } from '../api/test-harness';
import { totpCode } from '../domain/accounts/test-support';
import { allowedHostsFor, isAllowedHost } from './allowed-hosts';
import { buildHttpApp, type HttpAppOptions } from './app';
import { SESSION_COOKIE } from './session-cookie';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function app(options: Partial<HttpAppOptions> = {}) {
  const harness = createApiHarness();
  const instance = await buildHttpApp({ deps: harness.deps, ...options });
  cleanups.push(async () => {
    await instance.close();
    harness.database.close();
  });
  return instance;
}

const signUpBody = (email: string) => JSON.stringify({ email, password: TEST_PASSWORD, timeZone: 'UTC', displayCurrency: 'USD' });
const json = { 'content-type': 'application/json' };
const csrf = { ...json, 'x-steward-csrf': '1' };

describe('session cookie', () => {
  it('is httpOnly, SameSite=Lax, not Secure over http, and authenticates later requests', async () => {
    const instance = await app();
    const res = await instance.inject({ method: 'POST', url: '/api/trpc/auth.signUp', headers: csrf, payload: signUpBody('c@example.com') });
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('Secure');
    const token = /=([^;]+);/.exec(cookie)?.[1] ?? '';
    const me = await instance.inject({ method: 'GET', url: '/api/trpc/auth.session', cookies: { [SESSION_COOKIE]: token } });
    expect(me.json().result.data.user.email).toBe('c@example.com');
  });

  it('is Secure when the public origin is https', async () => {
    const instance = await app({ publicOrigin: 'https://steward.example' });
    const res = await instance.inject({
      method: 'POST',
      url: '/api/trpc/auth.signUp',
      headers: { ...csrf, origin: 'https://steward.example' },
      payload: signUpBody('d@example.com'),
    });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['set-cookie'])).toContain('Secure');
  });
});

describe('session cookie over https', () => {
  it('is a __Host- cookie, and a same-named cookie a sibling subdomain could plant is not a session', async () => {
    // Over https the name carries the __Host- prefix: a browser accepts it only from this host, Secure,
    // for path / and without Domain, so a sibling subdomain (or a plain-http answer on the network)
    // cannot plant the attacker's own session ahead of the person's (signing them into the attacker's
    // account, where they would top up or connect their wallet).
    const instance = await app({ publicOrigin: 'https://steward.example' });
    const headers = { ...csrf, origin: 'https://steward.example' };
    const res = await instance.inject({ method: 'POST', url: '/api/trpc/auth.signUp', headers, payload: signUpBody('m@example.com') });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^__Host-${SESSION_COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toMatch(/Domain=/i);
    const token = /=([^;]+);/.exec(cookie)?.[1] ?? '';
    const session = (cookies: Record<string, string>) => instance.inject({ method: 'GET', url: '/api/trpc/auth.session', cookies });
    expect((await session({ [`__Host-${SESSION_COOKIE}`]: token })).json().result.data.user.email).toBe('m@example.com');
    expect((await session({ [SESSION_COOKIE]: token })).json().result.data.user).toBeNull();
  });
});

describe('CSRF protection', () => {
  it('refuses mutations without the custom header, from a foreign origin, or marked cross-site', async () => {
    const instance = await app();
    const post = (headers: Record<string, string>) =>
      instance.inject({ method: 'POST', url: '/api/trpc/auth.signUp', headers, payload: signUpBody('e@example.com') });
    expect((await post(json)).statusCode).toBe(403);
    expect((await post({ ...csrf, origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await post({ ...csrf, 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await post({ ...csrf, origin: 'http://localhost:80', host: 'localhost:80' })).statusCode).toBe(200);
  });

  it('guards every path the router decodes to tRPC, not only its plain spelling', async () => {
    const instance = await app();
    for (const url of ['/api/%74rpc/auth.signUp', '/%61pi/trpc/auth.signUp']) {
      const res = await instance.inject({ method: 'POST', url, headers: json, payload: signUpBody('g@example.com') });
      expect(res.statusCode, url).toBe(403);
    }
  });

  it('answers no cross-site or foreign-origin read either: a link or a sibling site cannot run a query with the person\'s cookie', async () => {
    // A query can act: exportData is audited and counted in the person's hourly export limit. A top-level
    // navigation (any site) or a fetch from a sibling subdomain (same-site) carries the Lax cookie.
    const harness = createApiHarness();
    const instance = await buildHttpApp({ deps: harness.deps });
    cleanups.push(async () => {
      await instance.close();
      harness.database.close();
    });
    const { user, token } = await harness.signUp('l@example.com');
    const url = `/api/trpc/account.exportData?input=${encodeURIComponent(JSON.stringify({ format: 'json' }))}`;
    const read = (headers: Record<string, string>) => instance.inject({ method: 'GET', url, headers, cookies: { [SESSION_COOKIE]: token } });
    expect((await read({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).statusCode).toBe(403);
    expect((await read({ 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' })).statusCode).toBe(403);
    expect((await read({ origin: 'https://evil.example' })).statusCode).toBe(403);
    expect(harness.audit.list(user.id).map((e) => e.kind)).not.toContain('data_exported');
    expect((await read({ 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' })).statusCode).toBe(200);
  });

  it('never runs a mutation over GET', async () => {
    const instance = await app();
    const input = encodeURIComponent(signUpBody('f@example.com'));
    const res = await instance.inject({ method: 'GET', url: `/api/trpc/auth.signUp?input=${input}` });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    const me = await instance.inject({ method: 'POST', url: '/api/trpc/auth.signIn', headers: csrf, payload: signUpBody('f@example.com') });
    expect(me.json().error.data.reason).toBe('invalid_credentials');
  });
});

describe('rate limits and error hygiene', () => {
  it('behind a trusted proxy counts each client address from X-Forwarded-For; from anyone else the header is ignored', async () => {
    const once = { max: 1, windowMs: 60_000 };
    const limits = { sign_in: once, sign_up: once, code_check: once, wallet_connection: once, wallet_invoice: once, wallet_lookup: once, data_export: once, task_submit: once, provider_add: once, top_up_create: once };
    let attempts = 0;
    const attemptFrom = (instance: Awaited<ReturnType<typeof app>>, client: string) =>
      instance.inject({
        method: 'POST',
        url: '/api/trpc/auth.signIn',
        // inject connects from 127.0.0.1: the balancer's address here.
        headers: { ...csrf, 'x-forwarded-for': client },
        // A new account each time, so only the address's limit applies.
        payload: JSON.stringify({ email: `x${++attempts}@example.com`, password: 'wrong-password' }),
      });
    const behindBalancer = await app({ rateLimits: limits, trustedProxies: ['127.0.0.0/8'] });
    expect((await attemptFrom(behindBalancer, '203.0.113.1')).statusCode).toBe(401);
    expect((await attemptFrom(behindBalancer, '203.0.113.2')).statusCode).toBe(401);
    expect((await attemptFrom(behindBalancer, '203.0.113.1')).statusCode).toBe(429);
    // Untrusted: a client inventing a new address per attempt still counts as its connection's address.
    const direct = await app({ rateLimits: limits });
    expect((await attemptFrom(direct, '203.0.113.1')).statusCode).toBe(401);
    expect((await attemptFrom(direct, '203.0.113.2')).statusCode).toBe(429);
  });

  it('counts an IPv6 client by its /64 (one host holds all of it) and an IPv4-mapped address as the IPv4 one', async () => {
    const once = { max: 1, windowMs: 60_000 };
    const limits = { sign_in: once, sign_up: once, code_check: once, wallet_connection: once, wallet_invoice: once, wallet_lookup: once, data_export: once, task_submit: once, provider_add: once, top_up_create: once };
    const instance = await app({ rateLimits: limits, trustedProxies: ['127.0.0.0/8'] });
    const signUpFrom = (client: string, email: string) =>
      instance.inject({ method: 'POST', url: '/api/trpc/auth.signUp', headers: { ...csrf, 'x-forwarded-for': client }, payload: signUpBody(email) });
    expect((await signUpFrom('2001:db8:1:2::1', 'v6-a@example.com')).statusCode).toBe(200);
    // A new address of the same /64 per attempt is the same client.
    expect((await signUpFrom('2001:db8:1:2:ffff:ffff:ffff:fffe', 'v6-b@example.com')).statusCode).toBe(429);
    expect((await signUpFrom('2001:db8:1:3::1', 'v6-c@example.com')).statusCode).toBe(200);
    expect((await signUpFrom('203.0.113.7', 'v4-a@example.com')).statusCode).toBe(200);
    expect((await signUpFrom('::ffff:203.0.113.7', 'v4-b@example.com')).statusCode).toBe(429);
  });

  it('limits sign-in attempts per account, whatever address each comes from, known account or not', async () => {
    const tight = { max: 2, windowMs: 60_000 };
    const roomy = { max: 100, windowMs: 60_000 };
    const instance = await app({ rateLimits: { sign_in: tight, sign_up: roomy, code_check: roomy, wallet_connection: roomy, wallet_invoice: roomy, wallet_lookup: roomy, data_export: roomy, task_submit: roomy, provider_add: roomy, top_up_create: roomy }, trustedProxies: ['127.0.0.0/8'] });
    await instance.inject({ method: 'POST', url: '/api/trpc/auth.signUp', headers: { ...csrf, 'x-forwarded-for': '198.51.100.1' }, payload: signUpBody('victim@example.com') });
    const guess = (email: string, client: string) =>
      instance.inject({ method: 'POST', url: '/api/trpc/auth.signIn', headers: { ...csrf, 'x-forwarded-for': client }, payload: JSON.stringify({ email, password: 'wrong-password' }) });
    for (const email of ['victim@example.com', 'nobody@example.com']) {
      // Each guess from a new address: no address is ever over its own limit.
      expect((await guess(email, '203.0.113.1')).statusCode).toBe(401);
      expect((await guess(` ${email.toUpperCase()}`, '203.0.113.2')).statusCode).toBe(401);
      const limited = await guess(email, '203.0.113.3');
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.data.reason).toBe('rate_limited');
    }
    // Another account is not held back by them.
    expect((await guess('someone-else@example.com', '203.0.113.4')).statusCode).toBe(401);
  });

  it('limits sign-in attempts per address with a friendly TOO_MANY_REQUESTS', async () => {
    const tight = { max: 2, windowMs: 60_000 };
    const instance = await app({ rateLimits: { sign_in: tight, sign_up: tight, code_check: tight, wallet_connection: tight, wallet_invoice: tight, wallet_lookup: tight, data_export: tight, task_submit: tight, provider_add: tight, top_up_create: tight } });
    const attempt = () =>
      instance.inject({
        method: 'POST',
        url: '/api/trpc/auth.signIn',
        headers: csrf,
        payload: JSON.stringify({ email: 'x@example.com', password: 'wrong-password' }),
      });
    expect((await attempt()).statusCode).toBe(401);
    expect((await attempt()).statusCode).toBe(401);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.data.reason).toBe('rate_limited');
    expect(limited.json().error.message).toMatch(/Too many attempts/);
  });

  it('limits connect-own-wallet and withdraw per person, with or without a proof, before any wallet is reached', async () => {
    const limits = { sign_in: { max: 20, windowMs: 60_000 }, sign_up: { max: 20, windowMs: 60_000 }, code_check: { max: 20, windowMs: 60_000 }, wallet_invoice: { max: 20, windowMs: 60_000 }, wallet_lookup: { max: 20, windowMs: 60_000 }, data_export: { max: 20, windowMs: 60_000 }, task_submit: { max: 20, windowMs: 60_000 }, provider_add: { max: 20, windowMs: 60_000 }, top_up_create: { max: 20, windowMs: 60_000 } };
    const instance = await app({ rateLimits: { ...limits, wallet_connection: { max: 3, windowMs: 60_000 } } });
    const signUp = async (email: string) => {
      const res = await instance.inject({ method: 'POST', url: '/api/trpc/auth.signUp', headers: csrf, payload: signUpBody(email) });
      return /=([^;]+);/.exec(String(res.headers['set-cookie']))?.[1] ?? '';
    };
    const alice = await signUp('wallet-a@example.com');
    const bob = await signUp('wallet-b@example.com');
    const relayString = `nostr+walletconnect://${'ab'.repeat(32)}?relay=ws%3A%2F%2F127.0.0.1%3A7000&secret=${'cd'.repeat(32)}`;
    const call = (token: string, procedure: 'connectOwn' | 'withdraw', payload: object) =>
      instance.inject({ method: 'POST', url: `/api/trpc/wallet.${procedure}`, headers: csrf, cookies: { [SESSION_COOKIE]: token }, payload: JSON.stringify(payload) });
    const reason = async (res: Promise<{ json(): { error?: { data: { reason?: string } } } }>) => (await res).json().error?.data.reason;

    // No password: nothing is guessed, yet each attempt would have the server reach for a wallet.
    // (The harness opens only the wallets it provisioned, so a pasted string is refused once reached.)
    for (let i = 0; i < 2; i++) expect(await reason(call(alice, 'connectOwn', { connectionString: relayString }))).toBe('not_a_connection_string');
    expect(await reason(call(alice, 'withdraw', { invoice: 'lnbcrt1invalid' }))).toBe('invalid_invoice');
    const limited = await call(alice, 'connectOwn', { connectionString: relayString });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.data.reason).toBe('rate_limited');
    expect(await reason(call(alice, 'withdraw', { invoice: 'lnbcrt1invalid', password: TEST_PASSWORD }))).toBe('rate_limited');
    // Per person, not per address: another person from the same address is not held back.
    expect(await reason(call(bob, 'connectOwn', { connectionString: relayString }))).toBe('not_a_connection_string');
  });

  it('limits the tasks one person may start, from any address; another person is not held back', async () => {
    const roomy = { max: 100, windowMs: 60_000 };
    const instance = await app({
      rateLimits: { sign_in: roomy, sign_up: roomy, code_check: roomy, wallet_connection: roomy, wallet_invoice: roomy, wallet_lookup: roomy, data_export: roomy, task_submit: { max: 2, windowMs: 60_000 }, provider_add: roomy, top_up_create: roomy },
      trustedProxies: ['127.0.0.0/8'],
    });
    const signUp = async (email: string) => {
      const res = await instance.inject({ method: 'POST', url: '/api/trpc/auth.signUp', headers: csrf, payload: signUpBody(email) });
      return /=([^;]+);/.exec(String(res.headers['set-cookie']))?.[1] ?? '';
    };
    // Each task plans (a paid model call, when one is configured) and asks providers for prices.
    const submit = (token: string, client: string) =>
      instance.inject({ method: 'POST', url: '/api/trpc/tasks.submit', headers: { ...csrf, 'x-forwarded-for': client }, cookies: { [SESSION_COOKIE]: token }, payload: JSON.stringify({ text: 'Tell me a joke' }) });
    const alice = await signUp('tasks-a@example.com');
    const bob = await signUp('tasks-b@example.com');
    expect((await submit(alice, '203.0.113.1')).statusCode).toBe(200);
    expect((await submit(alice, '203.0.113.2')).statusCode).toBe(200);
    const limited = await submit(alice, '203.0.113.3');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.data.reason).toBe('rate_limited');
    expect((await submit(bob, '203.0.113.3')).statusCode).toBe(200);
  });

  it('returns field messages for invalid input and never a stack trace or SQL', async () => {
    const instance = await app();
    const res = await instance.inject({
      method: 'POST',
      url: '/api/trpc/auth.signUp',
      headers: csrf,
      payload: JSON.stringify({ email: 'nope', password: 'short', timeZone: 'Mars/Olympus' }),
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.data.fieldErrors).toMatchObject({
      email: expect.stringMatching(/valid email/),
      password: expect.stringMatching(/at least 12/),
      timeZone: expect.stringMatching(/time zone/),
    });
    // A short sentence for the form, not zod's JSON list of issues.
    expect(body.error.message).toBe('Check the highlighted fields.');
    expect(res.body).not.toMatch(/\.ts:\d+|at [\w.]+ \(|SELECT|sqlite/i);
    expect(body.error.data.stack).toBeUndefined();
  });
});

describe('allowed hosts (DNS rebinding)', () => {
  it('answers 421 to a Host it does not serve, on the API, the health check and everything else', async () => {
    const instance = await app({ allowedHosts: allowedHostsFor({ publicUrl: 'http://127.0.0.1:5402', host: '127.0.0.1', port: 5402 }) });
    for (const url of ['/api/health', '/api/trpc/auth.session', '/']) {
      const res = await instance.inject({ method: 'GET', url, headers: { host: 'attacker.example:5402' } });
      expect(res.statusCode, url).toBe(421);
      expect(res.body, url).not.toContain('"user"');
    }
    const signUp = await instance.inject({ method: 'POST', url: '/api/trpc/auth.signUp', headers: { ...csrf, host: 'rebound.example' }, payload: signUpBody('h@example.com') });
    expect(signUp.statusCode).toBe(421);
    // Every loopback alias works when the server listens on loopback, on its own port only.
    for (const host of ['127.0.0.1:5402', 'localhost:5402', '[::1]:5402', 'LOCALHOST:5402']) {
      expect((await instance.inject({ method: 'GET', url: '/api/health', headers: { host } })).statusCode, host).toBe(200);
    }
    expect((await instance.inject({ method: 'GET', url: '/api/health', headers: { host: 'localhost:9999' } })).statusCode).toBe(421);
  });

  it('derives the names from PUBLIC_URL and HOST', () => {
    expect(allowedHostsFor({ publicUrl: 'https://Steward.Example', host: '0.0.0.0', port: 5402 })).toEqual([
      'steward.example',
      'steward.example:443',
      '127.0.0.1:5402',
      'localhost:5402',
      '[::1]:5402',
    ]);
    expect(allowedHostsFor({ publicUrl: 'http://10.0.0.5:8080', host: '10.0.0.5', port: 8080 })).toEqual(['10.0.0.5:8080']);
    const onLan = allowedHostsFor({ publicUrl: 'https://steward.example', host: '10.0.0.5', port: 5402 });
    expect(isAllowedHost('localhost:5402', onLan)).toBe(false);
    expect(isAllowedHost('steward.example', onLan)).toBe(true);
    expect(isAllowedHost(undefined, onLan)).toBe(false);
  });
});

describe('transport and caching headers', () => {
  it('sends HSTS only when the public origin is https', async () => {
    const overHttps = await app({ publicOrigin: 'https://steward.example' });
    const secure = await overHttps.inject({ method: 'GET', url: '/api/health' });
    expect(secure.headers['strict-transport-security']).toBe('max-age=31536000');
    const overHttp = await app({ publicOrigin: 'http://127.0.0.1:5402' });
    expect((await overHttp.inject({ method: 'GET', url: '/api/health' })).headers['strict-transport-security']).toBeUndefined();
  });

  it('marks every API answer no-store: queries, mutations, refusals, unknown API paths', async () => {
    const instance = await app();
    const answers = [
      await instance.inject({ method: 'GET', url: '/api/health' }),
      await instance.inject({ method: 'GET', url: '/api/trpc/auth.session' }),
      await instance.inject({ method: 'POST', url: '/api/trpc/auth.signUp', headers: csrf, payload: signUpBody('i@example.com') }),
      await instance.inject({ method: 'POST', url: '/api/trpc/auth.signUp', headers: json, payload: signUpBody('j@example.com') }),
      await instance.inject({ method: 'GET', url: '/api/nothing-here' }),
    ];
    for (const res of answers) expect(res.headers['cache-control'], res.body).toBe('no-store');
  });
});

describe('sign-in answers', () => {
  it('answers a right and a wrong password alike until the code is checked with them', async () => {
    const harness = createApiHarness();
    const instance = await buildHttpApp({ deps: harness.deps });
    cleanups.push(async () => {
      await instance.close();
      harness.database.close();
    });
    const { user } = await harness.signUp('k@example.com');
    const begun = await harness.twoFactor.beginEnrollment(user.id, user.email);
    if (!begun.ok) throw new Error(begun.reason);
    harness.twoFactor.confirmEnrollment(user.id, totpCode(begun.secret, harness.clock));
    harness.clock.nextTotpStep();

    const signIn = async (body: object) => {
      const res = await instance.inject({ method: 'POST', url: '/api/trpc/auth.signIn', headers: csrf, payload: JSON.stringify({ email: user.email, ...body }) });
      return { status: res.statusCode, error: res.json().error };
    };
    const rightNoCode = await signIn({ password: TEST_PASSWORD });
    const wrongNoCode = await signIn({ password: 'not-the-password-at-all' });
    expect(rightNoCode.error.data.reason).toBe('second_factor_required');
    expect(wrongNoCode).toEqual(rightNoCode);

    const wrongWithCode = await signIn({ password: 'not-the-password-at-all', code: totpCode(begun.secret, harness.clock) });
    const rightWrongCode = await signIn({ password: TEST_PASSWORD, code: '000000' });
    expect(rightWrongCode.error.data.reason).toBe('invalid_credentials');
    expect(wrongWithCode).toEqual(rightWrongCode);
  });
});
