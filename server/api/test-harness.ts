// Builds the real router over the real accounts module (in-memory database) and hands out callers as
// a given session, so API tests exercise the same middleware and scoping as HTTP requests.
import type { Writable } from 'node:stream';
import { createTestAccounts, TEST_META } from '../domain/accounts/test-support';
import { createReceipts } from '../domain/payments';
import { createApiContext, type ApiDeps, type RateLimitCheck, type SessionCookieJar } from './context';
import { appRouter } from './router';
import { createCallerFactory } from './trpc';

export const TEST_PASSWORD = 'plum-orchard-lantern-42';
const createCaller = createCallerFactory(appRouter);
const alwaysAllowed: RateLimitCheck = async () => ({ allowed: true });

export function createApiHarness(options: { logDestination?: Writable } = {}) {
  const accounts = createTestAccounts(options);
  const deps: ApiDeps = {
    mode: 'sandbox',
    version: '0.0.0-test',
    logger: accounts.logger,
    accounts: {
      accounts: accounts.accounts,
      sessions: accounts.sessions,
      twoFactor: accounts.twoFactor,
      stepUp: accounts.stepUp,
      audit: accounts.audit,
    },
    receipts: createReceipts(accounts.database.db),
  };

  /** A caller as the holder of `token` (null = signed out); `jar.token` is whatever the call set. */
  function callerFor(token: string | null) {
    const jar: SessionCookieJar & { token: string | null } = {
      token,
      set(value) {
        jar.token = value;
      },
      clear() {
        jar.token = null;
      },
    };
    const ctx = createApiContext(deps, { sessionToken: token, meta: TEST_META, cookies: jar, checkRateLimit: alwaysAllowed });
    return { caller: createCaller(ctx), jar };
  }

  async function signUp(email: string) {
    const { caller, jar } = callerFor(null);
    const { user } = await caller.auth.signUp({ email, password: TEST_PASSWORD, timeZone: 'America/New_York', displayCurrency: 'USD' });
    if (!jar.token) throw new Error('sign-up set no session cookie');
    const token = jar.token;
    return { user, token, as: () => callerFor(token).caller };
  }

  return { ...accounts, deps, callerFor, signUp };
}
